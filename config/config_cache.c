/*
 * config_cache: a reload that parses again only the virtual servers whose
 * text changed. A 2,000-service file is 2.5 MB of text; libconfig's parse
 * of it and the walk that validates it were the whole of a reload's time,
 * for a change of one weight.
 *
 *   text ──split (config_split.c)──> outside | { vs 1 } , { vs 2 } , ...
 *   the cache (from the last load): that text, its spans, a copy of
 *     each virtual server as loaded, and the host name (router_id's
 *     default); what reading a virtual server depends on outside its own
 *     text (global, groups) is in the text outside the list
 *   a load whose text outside the list and host name are the same:
 *     rest   = the text with each element made "{}" (its newlines kept)
 *     chunk  = the changed elements alone, each on its own lines
 *     both parsed by libconfig; the rest read as usual, except that each
 *     virtual server is the cached copy of the same text (its lines moved
 *     with it) or read from the chunk's tree; duplicates checked anew.
 *
 * The result is the one conf_load would give (tests/unit/test_conf_cache
 * compares the packed bytes): anything else, or any error at all, and
 * the load is made again in full from the same text, which reports the
 * errors as conf_load does. Not cached: a virtual server that runs a
 * program (its file's ownership is checked at each load), and any file
 * with an @include (the included files could change under the same
 * text). The cache is a memo of text → result, right whether or not the
 * load it came from was put in use; a failed load leaves it as it was.
 */
#include "conf_pack.h"
#include "config_int.h"
#include "config_split.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct conf_cache {
	char *text;
	size_t len;
	struct cfx_split split;
	char host[256];               /* gethostname() at that load */
	struct vs_conf *vs;           /* split.n copies, as loaded */
	bool *reusable;
	unsigned *table, tcap;        /* text hash -> span index + 1 (open addressing) */
	uint64_t *hash;               /* of each span's text */
	bool *taken;                  /* while a load uses it */
	unsigned reused, parsed;      /* by the load that made it */
	bool halves;                  /* it parsed them in two halves at once */
};

/* The plan of one cached load, for cfx_vs_incr. */
struct cfx_incr {
	const struct cfx_split *split;
	struct conf_cache *old;
	int *from;                    /* per span: the old span reused, or -1 */
	const config_setting_t *chunk[2];   /* the lists of the ones read, in order */
	unsigned next, part;          /* the next element: chunk[part]'s next */
	config_t *tree[2];            /* a full load in halves: chunk[k]'s tree, freed
				       * (and set NULL) once its elements are read */
};

static void host_name(char host[256])
{
	memset(host, 0, 256);
	gethostname(host, 255);
}

/* The text outside the list, and the host name, are the last load's. */
static bool same_outside(const struct conf_cache *old, const char *t, size_t len,
			 const struct cfx_split *sp, const char *host)
{
	size_t tail = len - sp->list_close, old_tail = old->len - old->split.list_close;
	return sp->list_open == old->split.list_open && tail == old_tail &&
	       !memcmp(t, old->text, sp->list_open) &&
	       !memcmp(t + sp->list_close, old->text + old->split.list_close, tail) &&
	       !strcmp(host, old->host);
}

static unsigned newlines(const char *p, size_t n)
{
	unsigned k = 0;
	for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
		k++;
	return k;
}

/* A virtual server that runs a program: its reading checks the program's
 * file, which can change while the text does not. */
static bool runs_program(const struct vs_conf *v)
{
	if (v->on_quorum_up || v->on_quorum_down)
		return true;
	for (unsigned i = 0; i < v->n_rs; i++) {
		if (v->rs[i].notify_up || v->rs[i].notify_down)
			return true;
		for (unsigned k = 0; k < v->rs[i].n_checks; k++)
			if (v->rs[i].checks[k].command)
				return true;
	}
	return false;
}

static void shift_lines(struct vs_conf *v, int by)
{
	if (v->line)
		v->line += by;
	for (unsigned i = 0; i < v->n_rs; i++) {
		if (v->rs[i].line)
			v->rs[i].line += by;
		for (unsigned k = 0; k < v->rs[i].n_checks; k++)
			if (v->rs[i].checks[k].line)
				v->rs[i].checks[k].line += by;
	}
}

void conf_cache_free(struct conf_cache *k)
{
	if (!k)
		return;
	for (unsigned i = 0; k->vs && i < k->split.n; i++)
		cfx_vs_free(&k->vs[i]);
	free(k->vs);
	free(k->reusable);
	free(k->table);
	free(k->hash);
	free(k->taken);
	cfx_split_free(&k->split);
	free(k->text);
	free(k);
}

void conf_cache_stats(const struct conf_cache *k, unsigned *reused, unsigned *parsed,
		      bool *halves)
{
	*reused = k ? k->reused : 0;
	*parsed = k ? k->parsed : 0;
	if (halves)
		*halves = k && k->halves;
}

/* The old span with the same text as span i of t, not yet taken; -1. */
static int find_old(struct conf_cache *old, const char *t, const struct cfx_span *s, uint64_t h)
{
	for (unsigned p = (unsigned)h & (old->tcap - 1); old->table[p]; p = (p + 1) & (old->tcap - 1)) {
		unsigned j = old->table[p] - 1;
		const struct cfx_span *o = &old->split.spans[j];
		if (old->hash[j] == h && o->len == s->len && !old->taken[j] && old->reusable[j] &&
		    !memcmp(old->text + o->off, t + s->off, s->len))
			return (int)j;
	}
	return -1;
}

/* fn(a) here and fn(b) on a second thread at once; both in turn here when
 * no thread can be made. Returns when both are done. */
static void in_pair(void *(*fn)(void *), void *a, void *b)
{
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, fn, b) == 0;
	fn(a);
	if (threaded)
		pthread_join(th, NULL);
	else
		fn(b);
}

/* One half of a full load's virtual servers, read on a thread with a
 * context of its own: its own errors, and its own place to land when out
 * of memory, so that neither half jumps out of the load while the other
 * still runs. What both read of the shared context (global, the groups)
 * was read before and is not written while they run; each writes only its
 * own slots of c->vs. Its tree is freed once read. */
struct walk {
	struct cfx y;
	struct conf_errors errs;
	const config_setting_t *list;
	config_t **tree;
	unsigned lo;
	bool oom;
};

static void *walk_half(void *arg)
{
	struct walk *w = arg;
	if (setjmp(w->y.oom)) {
		w->oom = true;
		return NULL;
	}
	unsigned n = cfx_len(w->list);
	for (unsigned k = 0; k < n; k++)
		cfx_vs_element(&w->y, cfx_elem(w->list, k), w->lo + k, &w->y.c->vs[w->lo + k]);
	config_destroy(*w->tree);
	*w->tree = NULL;
	return NULL;
}

/* A full load in halves (no old cache): chunk[0]'s virtual servers here,
 * chunk[1]'s on a second thread. Any error there is one error here: the
 * load is then made again in full, which says where. */
static void walk_halves(struct cfx *x, struct cfx_incr *in, unsigned n)
{
	struct walk w[2];
	for (unsigned k = 0; k < 2; k++) {
		w[k] = (struct walk){ .y = *x, .list = in->chunk[k], .tree = &in->tree[k],
				      .lo = k ? cfx_len(in->chunk[0]) : 0 };
		w[k].y.errs = &w[k].errs;
	}
	x->c->n_vs = n;               /* every slot, so a failed load frees them all */
	in_pair(walk_half, &w[0], &w[1]);
	unsigned bad = w[0].errs.n + w[1].errs.n;
	bool oom = w[0].oom || w[1].oom || w[0].errs.oom || w[1].errs.oom;
	conf_errors_free(&w[0].errs);
	conf_errors_free(&w[1].errs);
	if (oom)
		cfx_oom(x);
	if (bad)
		cfx_err_at(x, x->path, 0, "%u errors in the virtual servers", bad);
	in->part = 1;
	in->next = w[1].lo < n ? n - w[1].lo : 0;
}

void cfx_vs_incr(struct cfx *x, const config_setting_t *list)
{
	struct cfx_incr *in = x->incr;
	struct conf *c = x->c;
	unsigned n = cfx_len(list);
	if (n != in->split->n) {      /* not the text that was split: read nothing */
		cfx_err_at(x, x->path, 0, "cached load: the rest does not match");
		return;
	}
	c->vs = cfx_calloc(x, n, sizeof(*c->vs));
	if (in->tree[0] && in->tree[1] && cfx_len(in->chunk[0]) + cfx_len(in->chunk[1]) == n) {
		walk_halves(x, in, n);
		cfx_vs_across(x, NULL);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		struct vs_conf *vs = &c->vs[c->n_vs++];
		int j = in->from[i];
		if (j < 0) {
			const config_setting_t *l = in->chunk[in->part];
			if (in->next == cfx_len(l) && in->part == 0 && in->chunk[1]) {
				l = in->chunk[in->part = 1];
				in->next = 0;
			}
			cfx_vs_element(x, config_setting_get_elem(l, in->next++), i, vs);
			continue;
		}
		if (cfx_vs_copy(vs, &in->old->vs[j]) < 0)
			cfx_oom(x);
		shift_lines(vs, in->split->spans[i].line - in->old->split.spans[j].line);
	}
	cfx_vs_across(x, NULL);
}

/* A regular file's text (anything else, a FIFO say, is left unread for
 * conf_load: it could not be read twice). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct stat st;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1);
	while (b) {
		n += fread(b + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *nb = realloc(b, 2 * cap + 1);
		if (!nb) {
			free(b);
			b = NULL;
		} else {
			b = nb;
			cap *= 2;
		}
	}
	bool bad = ferror(f);
	fclose(f);
	if (!b || bad) {
		free(b);
		return NULL;
	}
	b[n] = '\0';
	*len = n;
	return b;
}

/* The text with each element made "{}" (its newlines kept: the settings
 * after it keep their lines). Never longer than the text. */
static char *rest_text(const char *t, size_t len, const struct cfx_split *sp)
{
	char *r = malloc(len + 1);
	if (!r)
		return NULL;
	size_t o = 0, at = 0;
	for (unsigned i = 0; i < sp->n; i++) {
		const struct cfx_span *s = &sp->spans[i];
		memcpy(r + o, t + at, s->off - at);
		o += s->off - at;
		r[o++] = '{';
		r[o++] = '}';
		unsigned k = newlines(t + s->off, s->len);
		memset(r + o, '\n', k);
		o += k;
		at = s->off + s->len;
	}
	memcpy(r + o, t + at, len - at);
	r[o + len - at] = '\0';
	return r;
}

/* The elements lo..hi-1 not reused, as one list, each starting on its own line. */
static char *chunk_text(const char *t, size_t len, const struct cfx_split *sp, const int *from,
			unsigned lo, unsigned hi)
{
	size_t cap = len + 64, o = 0;   /* elements + newlines: at most the text's */
	char *r = malloc(cap);
	if (!r)
		return NULL;
	int line = 1;
	bool first = true;
	for (unsigned i = lo; i < hi; i++) {
		const struct cfx_span *s = &sp->spans[i];
		if (from && from[i] >= 0)
			continue;
		if (!first)
			r[o++] = ',';
		memset(r + o, '\n', (size_t)(s->line - line));
		o += (size_t)(s->line - line);
		if (first) {
			memcpy(r + o, "virtual_servers=(", 17);
			o += 17;
			first = false;
		}
		memcpy(r + o, t + s->off, s->len);
		o += s->len;
		line = s->line + (int)newlines(t + s->off, s->len);
	}
	if (first) {
		memcpy(r + o, "virtual_servers=(", 17);
		o += 17;
	}
	memcpy(r + o, ");", 3);
	return r;
}

/* A load that reuses what it can of old; NULL (errs emptied) when it
 * cannot be made this way. *from: per span, the old one reused or -1. */
static struct conf *incremental(const char *path, const char *t, size_t len,
				const struct cfx_split *sp, struct conf_cache *old,
				struct conf_errors *errs, const uint64_t *hash, int *from,
				unsigned *reused)
{
	memset(old->taken, 0, old->split.n ? old->split.n : 1);
	for (unsigned i = 0; i < sp->n; i++)
		if ((from[i] = find_old(old, t, &sp->spans[i], hash[i])) >= 0) {
			old->taken[from[i]] = true;
			(*reused)++;
		}
	if (!*reused)
		return NULL;
	char *rest = rest_text(t, len, sp), *chunk = chunk_text(t, len, sp, from, 0, sp->n);
	config_t ck;
	config_init(&ck);
	struct conf *c = NULL;
	if (rest && chunk && config_read_string(&ck, chunk)) {
		const config_setting_t *l = cfx_member(config_root_setting(&ck), "virtual_servers");
		struct cfx_incr in = { sp, old, from, { l, NULL }, 0, 0, { NULL, NULL } };
		if (l && cfx_len(l) == sp->n - *reused)
			c = cfx_load(path, rest, &in, errs);
		if (c && in.next != cfx_len(l)) {
			conf_free(c);
			c = NULL;
		}
	}
	config_destroy(&ck);
	free(rest);
	free(chunk);
	if (!c) {
		conf_errors_free(errs);
		errs->oom = false;
	}
	return c;
}

/* libconfig's parse of one chunk, on a thread of its own. */
struct half {
	config_t cfg;
	const char *text;
	int ok;
};

static void *parse_half(void *arg)
{
	struct half *h = arg;
	h->ok = h->text && config_read_string(&h->cfg, h->text);
	return NULL;
}

/* A full load of a large file with libconfig's parse of the virtual
 * servers split in two, the second half on a second thread (libconfig
 * is reentrant): a start-up's load is mostly that parse. NULL (errs
 * emptied) when it cannot be made this way; the caller then loads the
 * text as one, which also says where any error is. */
#define PARALLEL_MIN 256              /* virtual servers; below, one thread */
static struct conf *parallel(const char *path, const char *t, size_t len,
			     const struct cfx_split *sp, struct conf_errors *errs)
{
	if (sp->n < PARALLEL_MIN)
		return NULL;
	unsigned mid = sp->n / 2;
	struct half h[2] = { { .text = chunk_text(t, len, sp, NULL, 0, mid) },
			     { .text = chunk_text(t, len, sp, NULL, mid, sp->n) } };
	char *rest = rest_text(t, len, sp);
	config_init(&h[0].cfg);
	config_init(&h[1].cfg);
	in_pair(parse_half, &h[0], &h[1]);
	struct conf *c = NULL;
	const config_setting_t *l0 = cfx_member(config_root_setting(&h[0].cfg), "virtual_servers");
	const config_setting_t *l1 = cfx_member(config_root_setting(&h[1].cfg), "virtual_servers");
	struct cfx_incr in = { sp, NULL, NULL, { l0, l1 }, 0, 0, { &h[0].cfg, &h[1].cfg } };
	if (rest && h[0].ok && h[1].ok && l0 && l1 && cfx_len(l0) == mid &&
	    cfx_len(l1) == sp->n - mid) {
		int *none = malloc(sp->n * sizeof(*none));
		if (none) {
			memset(none, 0xff, sp->n * sizeof(*none));   /* -1: read every one */
			in.from = none;
			c = cfx_load(path, rest, &in, errs);
			if (c && !(in.part == 1 && in.next == sp->n - mid)) {
				conf_free(c);
				c = NULL;
			}
			free(none);
		}
	}
	for (unsigned k = 0; k < 2; k++)   /* the trees the walk did not free */
		if (in.tree[k])
			config_destroy(in.tree[k]);
	free((char *)h[0].text);
	free((char *)h[1].text);
	free(rest);
	if (!c) {
		conf_errors_free(errs);
		errs->oom = false;
	}
	return c;
}

/* The cache of c, loaded from text (taken) as split by sp (taken); the
 * virtual servers reused from old move over. NULL when out of memory or
 * when c does not match the split (then nothing is cached). */
static struct conf_cache *cache_make(char *text, size_t len, struct cfx_split *sp, const char *host,
				     uint64_t *hash, const struct conf *c, struct conf_cache *old,
				     const int *from)
{
	struct conf_cache *k = calloc(1, sizeof(*k));
	if (!k) {
		free(text);
		free(hash);
		cfx_split_free(sp);
		return NULL;
	}
	unsigned n = sp->n, tcap = 16;
	*k = (struct conf_cache){ .text = text, .len = len, .split = *sp, .hash = hash };
	memcpy(k->host, host, sizeof(k->host));
	memset(sp, 0, sizeof(*sp));
	while (tcap < 2 * n)
		tcap *= 2;
	k->tcap = tcap;
	k->vs = calloc(n ? n : 1, sizeof(*k->vs));
	k->reusable = calloc(n ? n : 1, sizeof(*k->reusable));
	k->taken = calloc(n ? n : 1, sizeof(*k->taken));
	k->table = calloc(tcap, sizeof(*k->table));
	if (!k->vs || !k->reusable || !k->taken || !k->table || c->n_vs != n)
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		const struct cfx_span *s = &k->split.spans[i];
		int j = from ? from[i] : -1;
		if (c->vs[i].line != s->line)
			goto fail;        /* libconfig saw the elements elsewhere */
		if (j >= 0) {
			k->vs[i] = old->vs[j];
			memset(&old->vs[j], 0, sizeof(old->vs[j]));
			shift_lines(&k->vs[i], s->line - old->split.spans[j].line);
		} else if (cfx_vs_copy(&k->vs[i], &c->vs[i]) < 0) {
			goto fail;
		}
		k->reusable[i] = !runs_program(&k->vs[i]);
		unsigned p = (unsigned)k->hash[i] & (tcap - 1);
		while (k->table[p])
			p = (p + 1) & (tcap - 1);
		k->table[p] = i + 1;
	}
	return k;
fail:
	conf_cache_free(k);
	return NULL;
}

struct conf *conf_load_cached(const char *path, struct conf_errors *errs,
			      struct conf_cache **cache)
{
	size_t len = 0;
	char *text = slurp(path, &len);
	struct cfx_split sp = { 0 };
	uint64_t *hash = NULL;
	if (!text || cfx_split(text, len, &sp) != 0 ||
	    !(hash = malloc((sp.n ? sp.n : 1) * sizeof(*hash)))) {
		cfx_split_free(&sp);
		free(text);
		conf_cache_free(*cache);
		*cache = NULL;
		return conf_load(path, errs);
	}
	for (unsigned i = 0; i < sp.n; i++)
		hash[i] = conf_hash(text + sp.spans[i].off, sp.spans[i].len);
	char host[256];
	host_name(host);
	struct conf_cache *old = *cache;
	int *from = calloc(sp.n ? sp.n : 1, sizeof(*from));
	unsigned reused = 0;
	struct conf *c = NULL;
	if (from && old && sp.n && same_outside(old, text, len, &sp, host))
		c = incremental(path, text, len, &sp, old, errs, hash, from, &reused);
	bool halves = false;
	if (!c) {
		reused = 0;
		free(from);
		from = NULL;
		c = parallel(path, text, len, &sp, errs);
		halves = c != NULL;
	}
	if (!c)
		c = cfx_load(path, text, NULL, errs);
	if (!c) {                     /* a failed load keeps the cache as it was */
		free(from);
		free(hash);
		free(text);
		cfx_split_free(&sp);
		return NULL;
	}
	unsigned n = sp.n;
	struct conf_cache *k = cache_make(text, len, &sp, host, hash, c, old, from);
	free(from);
	conf_cache_free(old);
	*cache = k;
	if (k) {
		k->reused = reused;
		k->parsed = n - reused;
		k->halves = halves;
	}
	return c;
}
