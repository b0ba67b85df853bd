/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_walk_impl.h - what spf_walk.c and spf_walk_result.c share: the
 * builders of the result's lists.  Not for other modules.
 */
#ifndef PTRMILTER_SPF_WALK_IMPL_H
#define PTRMILTER_SPF_WALK_IMPL_H

#include "spf_walk.h"

/* Appends a source for term t at path (host "" for ip4/ip6) with no
 * prefixes yet; NULL when out of memory. */
struct spf_source *spf_walk_add_source(struct spf_walk_result *out,
    const struct spf_term *t, const char *path, const char *host);

/* Appends a fetched record; 0 or -1 when out of memory. */
int spf_walk_add_record(struct spf_walk_result *out, const char *domain,
    const char *path, enum spf_dnssec dnssec);

/* Appends a note, formatted and cut at SPF_NOTE_MAX; the caller passes
 * only printable text.  0 or -1 when out of memory. */
int spf_walk_note(struct spf_walk_result *out, enum spf_severity severity,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
