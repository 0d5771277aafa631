/* SPDX-License-Identifier: BSD-3-Clause */
/* The start-up benchmark payload: its first instruction exits the VM. */
	.section .text.entry, "ax"
	.code64
	.global _start
_start:
	xor	%eax, %eax
	mov	$0x501, %dx
	out	%al, %dx
1:	hlt
	jmp	1b
