/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * null_milter - the baseline for the milter benchmark: a libmilter filter
 * that judges nothing, accepts every message and adds one header at end
 * of message.
 *
 * It asks the MTA for the same protocol steps as ptrmilter (no body, no
 * end-of-headers, no DATA, no unknown commands; headers yes, for the
 * forged-header scan) and the same macros, and keeps a small
 * per-connection state, so that the difference between the two is
 * ptrmilter's own work and not a different conversation.
 *
 *   null_milter SOCKET        e.g. unix:/tmp/null.sock, inet:9797@127.0.0.1
 *
 * Runs in the foreground until SIGTERM or SIGINT.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmilter/mfapi.h>

struct null_session {
	unsigned long headers;
};

static sfsistat
null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	static char connect_macros[] =
	    "j {daemon_name} {daemon_addr} {client_ptr} {client_resolve}";
	static char mail_macros[] = "{auth_authen}";

	(void)f2;
	(void)f3;
	*pf0 = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	/* The same macros as ptrmilter: an MTA sends fewer bytes then. */
	if ((f0 & SMFIF_SETSYMLIST) != 0 &&
	    smfi_setsymlist(ctx, SMFIM_CONNECT, connect_macros) == MI_SUCCESS &&
	    smfi_setsymlist(ctx, SMFIM_ENVFROM, mail_macros) == MI_SUCCESS)
		*pf0 |= SMFIF_SETSYMLIST;
	*pf1 = f1 & (SMFIP_NOBODY | SMFIP_NOEOH | SMFIP_NOUNKNOWN |
	    SMFIP_NODATA);
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat
null_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	struct null_session *s = calloc(1, sizeof(*s));

	(void)host;
	(void)addr;
	if (s == NULL)
		return SMFIS_ACCEPT;
	smfi_setpriv(ctx, s);
	return SMFIS_CONTINUE;
}

static sfsistat
null_continue(SMFICTX *ctx, char *arg)
{
	(void)ctx;
	(void)arg;
	return SMFIS_CONTINUE;
}

static sfsistat
null_args(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat
null_header(SMFICTX *ctx, char *name, char *value)
{
	struct null_session *s = smfi_getpriv(ctx);

	(void)name;
	(void)value;
	if (s != NULL)
		s->headers++;
	return SMFIS_CONTINUE;
}

static sfsistat
null_eom(SMFICTX *ctx)
{
	(void)smfi_insheader(ctx, 0, "X-Null-Milter", "seen");
	return SMFIS_ACCEPT;
}

static sfsistat
null_close(SMFICTX *ctx)
{
	free(smfi_getpriv(ctx));
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

int
main(int argc, char **argv)
{
	struct smfiDesc desc;

	if (argc != 2) {
		fprintf(stderr, "usage: null_milter SOCKET\n");
		return 2;
	}
	memset(&desc, 0, sizeof(desc));
	desc.xxfi_name = "null_milter";
	desc.xxfi_version = SMFI_VERSION;
	desc.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	desc.xxfi_connect = null_connect;
	desc.xxfi_helo = null_continue;
	desc.xxfi_envfrom = null_args;
	desc.xxfi_envrcpt = null_args;
	desc.xxfi_header = null_header;
	desc.xxfi_eom = null_eom;
	desc.xxfi_close = null_close;
	desc.xxfi_negotiate = null_negotiate;
	if (smfi_register(desc) != MI_SUCCESS ||
	    smfi_setconn(argv[1]) != MI_SUCCESS ||
	    smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "null_milter: cannot listen on %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
