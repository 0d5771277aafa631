/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry of the long-mode payload.  nfv-vmm enters here in 64-bit mode with
 * the first 4 GiB identity mapped, %rdi = vCPU index, %rsi = zero page,
 * %rsp = a per-vCPU stack.  payload_main's return value is the exit status
 * written to the VMM's exit port.
 */
	.section .text.entry, "ax"
	.code64
	.global _start
_start:
	cld
	call	payload_main
	mov	$0x501, %dx
	out	%al, %dx
1:	cli
	hlt
	jmp	1b
