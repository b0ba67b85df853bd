/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_tool.h - what the DNS test world's small servers (dns_blackhole,
 * dns_delay, dns_script) share: dying with a message, and the signals
 * that end them.
 */
#ifndef PTRMILTER_DNS_TOOL_H
#define PTRMILTER_DNS_TOOL_H

/* Writes "PROGRAM: message" to stderr and exits 1. */
void	die(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* SIGTERM and SIGINT end the process at once with status 0 (a server
 * with nothing to flush: the kernel closes its sockets); SIGPIPE is
 * ignored, so a peer that hangs up costs a write error, not the process. */
void	exit_on_signals(void);

/* Only SIGPIPE ignored, for a server that handles the others itself. */
void	ignore_sigpipe(void);

#endif
