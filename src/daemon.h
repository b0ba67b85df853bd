/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon.h - the Unix chores of starting a daemon: the milter socket,
 * switching user, going into the background with start-up errors still
 * reaching the terminal.
 */
#ifndef PTRMILTER_DAEMON_H
#define PTRMILTER_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

/* For a "unix:PATH" / "local:PATH" / "/PATH" spec: the path, else NULL. */
const char *daemon_unix_path(const char *spec);

/* Tries what opening the socket of spec takes - for a unix socket, its
 * directory exists and the caller may write it; for inet: and inet6:, the
 * port can be bound - and undoes it.  Returns 0, or -1 with err set to
 * one line naming the cause and the fix. */
int daemon_socket_preflight(const char *spec, char *err, size_t size);

/* Makes a unix socket path ready to bind: nothing there is fine; a stale
 * socket (nobody accepts on it) is removed; a live socket or anything
 * that is not a socket is an error.  Returns 0, or -1 with err set. */
int daemon_clear_stale_socket(const char *path, char *err, size_t size);

/* Gives the unix socket just made at path the mode (if the umask did not)
 * and, if user is set, the user's ownership, keeping a group the
 * directory gave it, so that the MTA can connect.  Never follows a link:
 * refuses, changing nothing, unless path is a socket of the effective
 * user's with no other name.  Returns 0 or -1 with err set. */
int daemon_socket_access(const char *path, unsigned mode, const char *user,
    char *err, size_t size);

/* Switches to user (its uid, gid and groups) for good.  Returns 0 or -1
 * with err set. */
int daemon_drop_privileges(const char *user, char *err, size_t size);

/* Goes into the background.  The parent stays until the child calls
 * daemon_ready(): it exits 0 then, or prints what daemon_ready() was
 * given and exits 1.  Returns 0 in the child, -1 with err set. */
int daemon_background(char *err, size_t size);

/* What daemon_ready() says the parent was sent while the daemon started. */
#define DAEMON_HANDED_STOP	0x01	/* SIGTERM, SIGINT or SIGHUP */
#define DAEMON_HANDED_RELOAD	0x02	/* SIGUSR1 */

/* Tells the waiting parent how start-up ended: NULL for success, else the
 * message to print.  On success, returns the DAEMON_HANDED_* flags for
 * the signals the parent was sent meanwhile, which are now this process's
 * to act on; 0 in the foreground. */
unsigned daemon_ready(const char *error);

#endif
