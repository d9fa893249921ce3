/*
 * chk_file: keepalived's FILE_CHECK — a real server's health and weight
 * from a number an operator or a program writes into a file. Each run
 * reads the file once (common/trackfile.c, as the vrrp child's track
 * files are read; absent or not a number reads as 0) and ends at once:
 *
 *   weight 0:   up while the file holds 0, down otherwise (a switch)
 *   weight W:   r = value x W (reverse: x -W); down when r < -65535,
 *               what no real server's weight can absorb; otherwise up,
 *               and with dynamic_weight the server's weight becomes its
 *               configured weight + r, kept within 0..65535
 *
 * The checker runs unprivileged: the file must be readable by its user.
 */
#include <stdio.h>

#include "chk_engine.h"
#include "chk_parsers.h"
#include "trackfile.h"

/* The value's bound: value x weight stays far from overflowing. */
#define FILE_VALUE_MAX 1000000L
#define FILE_WEIGHT_MAX 65535L

bool chk_file_judge(long value, const struct check_conf *cc, int *weight)
{
	*weight = -1;
	long long w = cc->file_reverse ? -(long long)cc->file_weight : cc->file_weight;
	if (w == 0)
		return value == 0;
	long long r = value * w;
	if (r < -FILE_WEIGHT_MAX)
		return false;
	if (cc->dynamic_weight) {
		long long nw = cc->base_weight + r;
		*weight = (int)(nw < 0 ? 0 : nw > FILE_WEIGHT_MAX ? FILE_WEIGHT_MAX : nw);
	}
	return true;
}

static void file_start(struct chk_probe *p)
{
	long v = trackfile_value(p->cc->path, FILE_VALUE_MAX);
	int w;
	if (!chk_file_judge(v, p->cc, &w)) {
		check_done(p, CHK_R_FILE, "%ld", v);
		return;
	}
	p->weight = w;
	if (w >= 0)
		check_done(p, CHK_R_OK, "(value %ld, weight %d)", v, w);
	else
		check_done(p, CHK_R_OK, "(value %ld)", v);
}

static void file_cancel(struct chk_probe *p)
{
	(void)p;                      /* a run holds nothing between start and done */
}

const struct check_ops chk_file_ops = {
	.name = "file", .type = CHECK_FILE, .priv_size = 0,
	.start = file_start, .cancel = file_cancel,
};
