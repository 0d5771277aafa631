// SPDX-License-Identifier: BSD-3-Clause
/*
 * 8250/16550A UART at 0x3f8, IRQ 4: the guest's ttyS0.  Output goes to a
 * file descriptor (stdout or a --console file) as the guest writes it;
 * input comes from the main loop (stdin) into a small receive FIFO.
 * Register accesses run on vCPU threads, input on the main thread, both
 * under vm->lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "vmm.h"

#define SERIAL_BASE 0x3f8
#define SERIAL_IRQ 4
#define SERIAL_FIFO 64

#define UART_IER_RDI 0x01
#define UART_IER_THRI 0x02
#define UART_IIR_NO_INT 0x01
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_FIFO 0xc0
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_LCR_DLAB 0x80
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

struct vmm_serial {
	struct vmm *vm;
	int out_fd;
	int in_fd;
	struct vmm_event in_ev;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thr_pending;	/* THR-empty interrupt owed */
	bool irq_level;
	uint8_t rx[SERIAL_FIFO];
	unsigned int rx_head, rx_count;
	uint64_t out_bytes;
};

static uint8_t serial_iir(struct vmm_serial *s)
{
	uint8_t fifo = (s->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0;

	if ((s->ier & UART_IER_RDI) && s->rx_count)
		return fifo | UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thr_pending)
		return fifo | UART_IIR_THRI;
	return fifo | UART_IIR_NO_INT;
}

static void serial_update_irq(struct vmm_serial *s)
{
	bool level = !(serial_iir(s) & UART_IIR_NO_INT);

	if (level != s->irq_level) {
		s->irq_level = level;
		vmm_irq_line(s->vm, SERIAL_IRQ, level);
	}
}

static void serial_in_event(void *opaque, uint32_t events);

static void serial_watch_input(struct vmm_serial *s, bool on)
{
	if (s->in_fd < 0)
		return;
	if (on && s->in_ev.fd < 0) {
		s->in_ev.fn = serial_in_event;
		s->in_ev.opaque = s;
		if (vmm_event_add(s->vm, &s->in_ev, s->in_fd, EPOLLIN))
			s->in_fd = -1;	/* a regular file or /dev/null */
	} else if (!on && s->in_ev.fd >= 0) {
		vmm_event_del(s->vm, &s->in_ev);
	}
}

static void serial_tx(struct vmm_serial *s, uint8_t c)
{
	if (s->mcr & UART_MCR_LOOP) {
		if (s->rx_count < SERIAL_FIFO) {
			s->rx[(s->rx_head + s->rx_count) % SERIAL_FIFO] = c;
			s->rx_count++;
		}
		return;
	}
	s->out_bytes++;
	if (s->out_fd >= 0 && write(s->out_fd, &c, 1) < 0 && errno != EAGAIN)
		s->out_fd = -1;	/* console gone: keep the guest running */
}

static void serial_io(void *opaque, uint64_t off, uint8_t *data,
		      uint32_t len, bool write)
{
	struct vmm_serial *s = opaque;
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t v = write ? data[0] : 0;

	if (len != 1) {
		if (!write)
			memset(data, 0xff, len);
		return;
	}
	switch (off) {
	case 0:
		if (dlab) {
			if (write)
				s->dll = v;
			else
				v = s->dll;
		} else if (write) {
			serial_tx(s, v);
			/* Sent at once: the THR is empty again. */
			s->thr_pending = true;
		} else {
			v = 0;
			if (s->rx_count) {
				v = s->rx[s->rx_head];
				s->rx_head = (s->rx_head + 1) % SERIAL_FIFO;
				if (--s->rx_count == 0)
					serial_watch_input(s, true);
			}
		}
		break;
	case 1:
		if (dlab) {
			if (write)
				s->dlm = v;
			else
				v = s->dlm;
		} else if (write) {
			/* Enabling THRI with the THR empty raises it. */
			if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
				s->thr_pending = true;
			s->ier = v & 0x0f;
		} else {
			v = s->ier;
		}
		break;
	case 2:
		if (write) {
			s->fcr = v & (UART_FCR_ENABLE | 0xc0);
			if (v & UART_FCR_CLEAR_RCVR) {
				s->rx_count = 0;
				serial_watch_input(s, true);
			}
		} else {
			v = serial_iir(s);
			/* Reading IIR acknowledges a THR-empty interrupt. */
			if ((v & 0x0f) == UART_IIR_THRI)
				s->thr_pending = false;
		}
		break;
	case 3:
		if (write)
			s->lcr = v;
		else
			v = s->lcr;
		break;
	case 4:
		if (write)
			s->mcr = v & 0x1f;
		else
			v = s->mcr;
		break;
	case 5:
		if (write)
			break;
		v = UART_LSR_THRE | UART_LSR_TEMT |
		    (s->rx_count ? UART_LSR_DR : 0);
		break;
	case 6:
		if (write)
			break;
		if (s->mcr & UART_MCR_LOOP) {
			/* Loopback: modem outputs read back as inputs
			 * (Linux checks this when it probes the UART). */
			v = 0;
			if (s->mcr & UART_MCR_RTS)
				v |= UART_MSR_CTS;
			if (s->mcr & UART_MCR_DTR)
				v |= UART_MSR_DSR;
			if (s->mcr & UART_MCR_OUT1)
				v |= UART_MSR_RI;
			if (s->mcr & UART_MCR_OUT2)
				v |= UART_MSR_DCD;
		} else {
			v = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
		}
		break;
	case 7:
		if (write)
			s->scr = v;
		else
			v = s->scr;
		break;
	}
	if (!write)
		data[0] = v;
	serial_update_irq(s);
}

/* Main thread: console input. */
static void serial_in_event(void *opaque, uint32_t events)
{
	struct vmm_serial *s = opaque;
	uint8_t buf[SERIAL_FIFO];
	ssize_t n, i;

	(void)events;
	pthread_mutex_lock(&s->vm->lock);
	n = (ssize_t)(SERIAL_FIFO - s->rx_count);
	if (n > 0)
		n = read(s->in_fd, buf, (size_t)n);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		/* EOF: no more input, keep running. */
		serial_watch_input(s, false);
		s->in_fd = -1;
	}
	for (i = 0; i < n; i++) {
		s->rx[(s->rx_head + s->rx_count) % SERIAL_FIFO] = buf[i];
		s->rx_count++;
	}
	if (s->rx_count == SERIAL_FIFO)
		serial_watch_input(s, false);	/* until the guest reads */
	serial_update_irq(s);
	pthread_mutex_unlock(&s->vm->lock);
}

int vmm_serial_create(struct vmm *vm, int out_fd, int in_fd)
{
	struct vmm_serial *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->vm = vm;
	s->out_fd = out_fd;
	s->in_fd = in_fd;
	s->in_ev.fd = -1;
	s->mcr = UART_MCR_OUT2;
	ret = vmm_io_bus_register(&vm->pio, SERIAL_BASE, 8, serial_io, s);
	if (ret) {
		free(s);
		return ret;
	}
	vm->serial = s;
	serial_watch_input(s, true);
	return 0;
}

void vmm_serial_destroy(struct vmm *vm)
{
	struct vmm_serial *s = vm->serial;

	if (!s)
		return;
	serial_watch_input(s, false);
	free(s);
	vm->serial = NULL;
}
