/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * safe_file.h - opening a file only through directories that untrusted
 * users cannot change, after sendmail's safefile() and OpenSSH's
 * StrictModes: the policy file and the file: lists of the allow-lists.
 *
 * A file is only as safe as the directories that lead to it: whoever may
 * write one of them can put a symbolic link in the file's place, to a
 * file only root may read, and read its lines back from the errors the
 * loader reports.  So every directory from / down to the file must be
 * owned by root or the trusted user and writable by neither group nor
 * others - except a root-owned sticky directory (/tmp), whose entries on
 * the way must then be owned by root or the trusted user themselves, and
 * a file there must have no second name (a hard link anyone could make).  A
 * symbolic link is followed only when it sits in such a directory; its
 * target is walked by the same rules.
 *
 * Pure code: no lock, no shared state; safe from any thread.
 */
#ifndef PTRMILTER_SAFE_FILE_H
#define PTRMILTER_SAFE_FILE_H

/* Longest explanation of a refusal, NUL included. */
#define SAFE_FILE_WHY_MAX 1024
/* Most symbolic links followed in one path, as Linux's own limit. */
#define SAFE_FILE_LINKS_MAX 40

/* How an open ended. */
struct safe_file {
	int fd;		/* the file, or -1 */
	int error;	/* errno of the system call that failed, or 0 */
	char why[SAFE_FILE_WHY_MAX];	/* when refused (fd -1, error 0):
					   "directory /x is writable by
					   others (mode 0777): ..." */
};

/* Opens path (absolute, or relative to the working directory) with
 * flags (O_RDONLY, O_NONBLOCK...; O_NOFOLLOW, O_CLOEXEC and O_NOCTTY are
 * added) after checking every directory on the way, as the header says;
 * trusted_uid is the user trusted besides root.  Returns 0 with out->fd
 * open, or -1 with out->error set (ENOENT, EACCES...) or, for a path that
 * may not be trusted, out->error 0 and out->why saying which directory or
 * link is at fault and how to fix it.  The file itself is the caller's
 * to check (type, mode, owner), on out->fd. */
int safe_file_open(const char *path, long trusted_uid, int flags,
    struct safe_file *out);

#endif
