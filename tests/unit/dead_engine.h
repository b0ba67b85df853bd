/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dead_engine.h - a state store engine that never opens, as a Redis
 * server that is not there: only its open is ever called, so a store
 * over it is down from the start.  For the unit tests of the store's
 * callers.
 */
#ifndef PTRMILTER_TEST_DEAD_ENGINE_H
#define PTRMILTER_TEST_DEAD_ENGINE_H

#include <stdio.h>

#include "state_store_impl.h"

static int
dead_open(const struct state_spec *spec, struct state_request *req,
    void **handle)
{
	(void)spec, (void)handle;
	snprintf(req->why, sizeof(req->why), "connect: Connection refused");
	return -1;
}

static const struct state_engine_ops dead_ops = {
	.kind = "dead", .open = dead_open,
};

#endif
