/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Real-mode payload: nfv-vmm --payload FILE,real loads it at 1000:0000
 * with CS = DS = SS = 0x1000.  Prints a line on the serial port (polling
 * the line status register) and exits with status 42.
 */
	.code16
	.section .text.entry, "ax"
	.global _start
_start:
	mov	$msg, %si
next:
	lodsb
	test	%al, %al
	jz	done
	mov	%al, %bl
	mov	$0x3fd, %dx
wait:
	in	%dx, %al
	test	$0x20, %al
	jz	wait
	mov	$0x3f8, %dx
	mov	%bl, %al
	out	%al, %dx
	jmp	next
done:
	mov	$0x501, %dx
	mov	$42, %al
	out	%al, %dx
1:	hlt
	jmp	1b
msg:
	.asciz	"NFV-PAYLOAD: real mode ok\n"
