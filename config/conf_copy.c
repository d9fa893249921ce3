/*
 * conf_copy: a deep copy of one virtual server (with its real servers and
 * checks), for the reload cache (config_cache.c), which hands a new
 * generation copies of the virtual servers whose text did not change.
 * The pointer fields come from conf_fields.h, the lists the packer uses,
 * so a copy cannot share a string with its original.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_fields.h"
#include "config_int.h"

#if defined(__x86_64__)
_Static_assert(sizeof(struct check_conf) == 752, "check_conf changed: review conf_fields.h");
_Static_assert(sizeof(struct rs_conf) == 88, "rs_conf changed: review conf_fields.h");
_Static_assert(sizeof(struct vs_conf) == 224, "vs_conf changed: review conf_fields.h");
#endif

/* After `*d = *s`: every pointer and count cleared, so that the free
 * functions are safe on a copy that stopped half way. */
#define NUL_STR(f) d->f = NULL;
#define NUL_ARR(f, n) d->f = NULL; d->n = 0;
#define DUP_STR(f) if (s->f && !(d->f = strdup(s->f))) goto fail;

static int copy_check(struct check_conf *d, const struct check_conf *s)
{
	*d = *s;
	CHECK_STRS(NUL_STR)
	CHECK_STRS(DUP_STR)
	return 0;
fail:
	return -ENOMEM;
}

static int copy_rs(struct rs_conf *d, const struct rs_conf *s)
{
	*d = *s;
	RS_STRS(NUL_STR)
	RS_ARRAYS(NUL_ARR)
	RS_STRS(DUP_STR)
	if (!s->n_checks)
		return 0;
	if (!(d->checks = calloc(s->n_checks, sizeof(*d->checks))))
		goto fail;
	for (; d->n_checks < s->n_checks; d->n_checks++)
		if (copy_check(&d->checks[d->n_checks], &s->checks[d->n_checks]) < 0) {
			d->n_checks++;   /* its strings so far are freed with it */
			goto fail;
		}
	return 0;
fail:
	return -ENOMEM;
}

int cfx_vs_copy(struct vs_conf *d, const struct vs_conf *s)
{
	*d = *s;
	VS_STRS(NUL_STR)
	VS_ARRAYS(NUL_ARR)
	VS_STRS(DUP_STR)
	if (s->n_members) {
		if (!(d->members = malloc(s->n_members * sizeof(*d->members))))
			goto fail;
		memcpy(d->members, s->members, s->n_members * sizeof(*d->members));
		d->n_members = s->n_members;
	}
	if (s->n_rs && !(d->rs = calloc(s->n_rs, sizeof(*d->rs))))
		goto fail;
	for (; d->n_rs < s->n_rs; d->n_rs++)
		if (copy_rs(&d->rs[d->n_rs], &s->rs[d->n_rs]) < 0) {
			d->n_rs++;
			goto fail;
		}
	return 0;
fail:
	cfx_vs_free(d);
	memset(d, 0, sizeof(*d));
	return -ENOMEM;
}
