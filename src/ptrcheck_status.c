/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptrcheck_status.c - what makes ptrcheck's exit status: the --fail-on
 * parser, one address's outcome under it, and the order in which statuses
 * give way to worse ones.  See ptrcheck_status.h; ptrcheck(1) has the
 * table.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "policy_values.h"
#include "ptrcheck_status.h"
#include "safe_text.h"

/* The range of tempfail_score and reject_score in ptrmilter.conf, in
 * thousandths: a limit the daemon could not be given is no limit here. */
#define SCORE_MIN_MILLI 1LL
#define SCORE_MAX_MILLI 1000000LL

static const char score_prefix[] = "score=";

static int parse_score(const char *text, struct ptrcheck_fail_on *out,
    char *err, size_t errsize);

/* "score=N": N is checked as the config checks a threshold, so that the
 * same number means the same here and in the daemon. */
static int
parse_score(const char *text, struct ptrcheck_fail_on *out, char *err,
    size_t errsize)
{
	char shown[POLICY_VALUE_SHOWN_MAX];
	long long milli;

	if (policy_value_decimal(text, &milli) == 0 &&
	    milli >= SCORE_MIN_MILLI && milli <= SCORE_MAX_MILLI) {
		out->kind = PTRCHECK_FAIL_SCORE;
		out->score = (double)milli / 1000.0;
		return 0;
	}
	(void)safe_text(shown, sizeof(shown), text, SAFE_TEXT_ALL,
	    SAFE_TEXT_CONFIG);
	snprintf(err, errsize, "--fail-on score=%s: the score must be a "
	    "number from 0.001 to 1000 with at most 3 decimals, as "
	    "tempfail_score", shown);
	return -1;
}

int
ptrcheck_fail_on_parse(const char *text, struct ptrcheck_fail_on *out,
    char *err, size_t errsize)
{
	static const struct {
		const char *name;
		enum ptrcheck_fail_kind kind;
	} words[] = {
		{ "iprev", PTRCHECK_FAIL_IPREV },
		{ "action", PTRCHECK_FAIL_ACTION },
		{ "never", PTRCHECK_FAIL_NEVER },
	};
	char shown[POLICY_VALUE_SHOWN_MAX];

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(text, words[i].name) == 0) {
			out->kind = words[i].kind;
			out->score = 0;
			return 0;
		}
	}
	if (strncmp(text, score_prefix, sizeof(score_prefix) - 1) == 0)
		return parse_score(text + sizeof(score_prefix) - 1, out, err,
		    errsize);
	(void)safe_text(shown, sizeof(shown), text, SAFE_TEXT_ALL,
	    SAFE_TEXT_CONFIG);
	snprintf(err, errsize, "--fail-on %s: expected iprev, action, "
	    "score=N or never", shown);
	return -1;
}

static int
iprev_outcome(enum iprev iprev)
{
	switch (iprev) {
	case IPREV_PASS:
		return PTRCHECK_EXIT_PASS;
	case IPREV_FAIL:
	case IPREV_PERMERROR:
		return PTRCHECK_EXIT_PERMANENT;
	case IPREV_TEMPERROR:
		break;
	}
	return PTRCHECK_EXIT_TEMPORARY;
}

/* The policy's action, enforced or not: mode = dry-run changes what the
 * daemon sends, not what the policy decides, and that is the question. */
static int
action_outcome(enum verdict_action action)
{
	switch (action) {
	case VERDICT_ACCEPT:
		return PTRCHECK_EXIT_PASS;
	case VERDICT_REJECT:
		return PTRCHECK_EXIT_PERMANENT;
	case VERDICT_TEMPFAIL:
		break;
	}
	return PTRCHECK_EXIT_TEMPORARY;
}

int
ptrcheck_outcome(const struct ptrcheck_fail_on *f, enum iprev iprev,
    const struct verdict *v)
{
	switch (f->kind) {
	case PTRCHECK_FAIL_IPREV:
		return iprev_outcome(iprev);
	case PTRCHECK_FAIL_ACTION:
		return action_outcome(v->action);
	case PTRCHECK_FAIL_SCORE:
		/* Both have at most three decimals (verdict.c and the
		 * parser above), so each is the double nearest its decimal
		 * value and >= is exact. */
		return v->score >= f->score ? PTRCHECK_EXIT_PERMANENT :
		    PTRCHECK_EXIT_PASS;
	case PTRCHECK_FAIL_NEVER:
		break;
	}
	return PTRCHECK_EXIT_PASS;
}

/* Where a status stands in the order of worse: 65 sits between a pass
 * and an address's failure, every other status at its number. */
static int
rank(int status)
{
	if (status == PTRCHECK_EXIT_DATAERR)
		return PTRCHECK_EXIT_PASS * 2 + 1;
	return status * 2;
}

int
ptrcheck_status_worse(int a, int b)
{
	return rank(b) > rank(a) ? b : a;
}
