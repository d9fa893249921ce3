/*
 * engine_load: from a configuration to the set of probes.
 *
 * Every (vs, rs, check) is keyed by the check's content and its real
 * server (chk_probe_same); equal keys share one probe, whose result is
 * reported to each user. On reload a key that existed before keeps its
 * probe as it is — counters, state, timer, even a run in flight — so an
 * unchanged check neither re-rises nor skips a beat; new keys get new
 * probes (UNKNOWN, first run at a random offset within the interval);
 * keys no longer present are stopped and freed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chk_engine_int.h"
#include "errbuf.h"

static const struct check_ops *const registry[CHECK__COUNT] = {
	[CHECK_TCP] = &chk_tcp_ops, [CHECK_HTTP] = &chk_http_ops,
	[CHECK_HTTPS] = &chk_https_ops, [CHECK_SMTP] = &chk_smtp_ops,
	[CHECK_DNS] = &chk_dns_ops, [CHECK_UDP] = &chk_udp_ops,
	[CHECK_PING] = &chk_ping_ops, [CHECK_SCRIPT] = &chk_script_ops,
	[CHECK_FILE] = &chk_file_ops,
};

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool conf_same(const struct check_conf *a, const struct check_conf *b)
{
	if (a->type != b->type || a->interval != b->interval || a->timeout != b->timeout
	    || a->rise != b->rise || a->fall != b->fall || a->connect_port != b->connect_port
	    || a->retry != b->retry || a->retry_delay != b->retry_delay
	    || a->has_warmup != b->has_warmup || a->warmup != b->warmup
	    || !vaddr_equal(&a->connect_addr, &b->connect_addr)
	    || !vaddr_equal(&a->bind_addr, &b->bind_addr) || a->verify != b->verify
	    || a->dynamic_weight != b->dynamic_weight || a->half_open != b->half_open
	    || a->reuse_connection != b->reuse_connection
	    || a->n_status != b->n_status || a->http_minor != b->http_minor
	    || a->regex_no_match != b->regex_no_match
	    || a->regex_min_offset != b->regex_min_offset
	    || a->regex_max_offset != b->regex_max_offset
	    || a->min_reply_length != b->min_reply_length
	    || a->max_reply_length != b->max_reply_length || a->require_reply != b->require_reply
	    || a->file_weight != b->file_weight || a->file_reverse != b->file_reverse
	    || a->base_weight != b->base_weight
	    || a->n_dns_expect != b->n_dns_expect)
		return false;
	const char *const sa[] = { a->path, a->host, a->method, a->digest, a->regex, a->expect,
				   a->ca_file, a->sni, a->helo_name, a->query, a->qtype,
				   a->payload, a->payload_hex, a->reply_hex, a->command };
	const char *const sb[] = { b->path, b->host, b->method, b->digest, b->regex, b->expect,
				   b->ca_file, b->sni, b->helo_name, b->query, b->qtype,
				   b->payload, b->payload_hex, b->reply_hex, b->command };
	for (size_t i = 0; i < sizeof(sa) / sizeof(sa[0]); i++)
		if (!str_eq(sa[i], sb[i]))
			return false;
	for (unsigned i = 0; i < a->n_status; i++)
		if (a->status[i].lo != b->status[i].lo || a->status[i].hi != b->status[i].hi)
			return false;
	for (unsigned i = 0; i < a->n_dns_expect; i++)
		if (!vaddr_equal(&a->dns_expect[i], &b->dns_expect[i]))
			return false;
	return true;
}

bool chk_probe_same(const struct check_conf *a, const struct vaddr *rs_a, uint16_t port_a,
		    const struct check_conf *b, const struct vaddr *rs_b, uint16_t port_b)
{
	return port_a == port_b && vaddr_equal(rs_a, rs_b) && conf_same(a, b);
}

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t key_hash(const struct check_conf *cc, const struct vaddr *a, uint16_t port)
{
	uint32_t h = fnv(2166136261u, &cc->type, sizeof(cc->type));
	h = fnv(h, &a->family, sizeof(a->family));
	h = fnv(h, &a->u, a->family == AF_INET6 ? 16 : 4);
	h = fnv(h, &port, sizeof(port));
	h = fnv(h, &cc->connect_port, sizeof(cc->connect_port));
	if (cc->path)
		h = fnv(h, cc->path, strlen(cc->path));
	if (cc->command)
		h = fnv(h, cc->command, strlen(cc->command));
	return h;
}

static struct chk_probe *find(struct chk_probe **hash, unsigned nb, const struct check_conf *cc,
			      const struct vaddr *a, uint16_t port, bool old)
{
	if (!nb)
		return NULL;
	for (struct chk_probe *p = hash[key_hash(cc, a, port) & (nb - 1)]; p;
	     p = old ? p->ohnext : p->hnext)
		if (chk_probe_same(p->cc, &p->rs_addr, p->rs_port, cc, a, port))
			return p;
	return NULL;
}

static struct chk_probe *probe_new(struct chk_engine *e, const struct check_conf *cc,
				   const struct rs_conf *rs, struct errbuf *eb)
{
	struct chk_probe *p = calloc(1, sizeof(*p));
	const struct check_ops *ops = cc->type == CHECK_TCP && cc->half_open
		? &chk_tcp_half_ops : registry[cc->type];
	if (!p || !(p->priv = calloc(1, ops->priv_size ? ops->priv_size : 1))) {
		free(p);
		return NULL;
	}
	p->eng = e;
	p->ops = ops;
	p->cc = cc;
	p->rs_addr = rs->addr;
	p->rs_port = rs->port;
	p->dst_addr = vaddr_is_set(&cc->connect_addr) ? cc->connect_addr : rs->addr;
	p->dst_port = cc->connect_port ? cc->connect_port : rs->port;
	p->dst_len = vaddr_to_sockaddr(&p->dst_addr, p->dst_port, &p->dst);
	p->weight = -1;
	snprintf(p->text, sizeof(p->text), "not run yet");
	ev_init(&p->timer, NULL);
	if (ops->parse && ops->parse(p, eb) < 0) {
		/* A check that cannot be set up is down, with the reason. */
		p->counts.state = RISEFALL_DOWN;
		p->reason = CHK_R_LOCAL;
		snprintf(p->text, sizeof(p->text), "local error: %.120s", eb->msg);
		p->ops = NULL;
	}
	return p;
}

static void probe_free(struct chk_probe *p)
{
	if (p->ops) {
		eng_probe_stop(p);
		if (p->ops->free)
			p->ops->free(p);
	}
	free(p->priv);
	free(p->uses);
	free(p);
}

static int add_use(struct chk_probe *p, struct chk_rs *r, unsigned check)
{
	if (p->n_uses == p->cap_uses) {
		unsigned cap = p->cap_uses ? 2 * p->cap_uses : 2;
		struct chk_use *u = realloc(p->uses, cap * sizeof(*u));
		if (!u)
			return -ENOMEM;
		p->uses = u;
		p->cap_uses = cap;
	}
	p->uses[p->n_uses++] = (struct chk_use){ .rs = r, .check = check };
	return 0;
}

struct load {
	struct chk_engine *e;
	struct chk_probe **old_hash, **hash, *list;
	unsigned old_nb, nb, n;
	struct errbuf *eb;
	int err;
};

/* The probe for one check: shared, kept from before, or new. */
static struct chk_probe *probe_for(struct load *l, const struct check_conf *cc,
				   const struct rs_conf *rs)
{
	struct chk_probe *p = find(l->hash, l->nb, cc, &rs->addr, rs->port, false);
	if (p)
		return p;
	p = find(l->old_hash, l->old_nb, cc, &rs->addr, rs->port, true);
	if (p && !p->keep) {
		/* The old configuration is freed after this load: cc is the
		 * probe's only way into a configuration (see check_ops.parse). */
		p->keep = true;
		p->cc = cc;
		p->n_uses = 0;
	} else {
		struct errbuf eb = { "" };
		p = probe_new(l->e, cc, rs, &eb);
		if (!p)
			return NULL;
		if (!p->ops && !l->err)
			l->err = errbuf_set(l->eb, EINVAL, "line %d: %s check: %s", cc->line,
					    check_type_str(cc->type), eb.msg);
	}
	unsigned b = key_hash(cc, &rs->addr, rs->port) & (l->nb - 1);
	p->hnext = l->hash[b];
	l->hash[b] = p;
	p->next = l->list;
	l->list = p;
	l->n++;
	return p;
}

static int build(struct load *l, const struct conf *c, struct chk_rs *rss, unsigned *n_rs)
{
	for (unsigned i = 0; i < c->n_vs; i++) {
		const struct vs_conf *vs = &c->vs[i];
		for (unsigned j = 0; j < vs->n_rs; j++) {
			const struct rs_conf *rs = &vs->rs[j];
			if (!rs->n_checks)
				continue;
			struct chk_rs *r = &rss[(*n_rs)++];
			*r = (struct chk_rs){ .vs = i, .rs = j, .start_up = vs->start_up };
			r->probes = calloc(rs->n_checks, sizeof(*r->probes));
			if (!r->probes)
				return -ENOMEM;
			for (unsigned k = 0; k < rs->n_checks; k++) {
				struct chk_probe *p = probe_for(l, &rs->checks[k], rs);
				if (!p || add_use(p, r, k) < 0)
					return -ENOMEM;
				r->probes[r->n_probes++] = p;
			}
		}
	}
	return 0;
}

static void free_rs(struct chk_rs *rs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(rs[i].probes);
	free(rs);
}

int chk_engine_load(struct chk_engine *e, const struct conf *c, struct errbuf *eb)
{
	unsigned total = 0, n_rs_max = 0;
	for (unsigned i = 0; i < c->n_vs; i++)
		for (unsigned j = 0; j < c->vs[i].n_rs; j++) {
			total += c->vs[i].rs[j].n_checks;
			n_rs_max++;
		}
	struct load l = { .e = e, .old_hash = e->hash, .old_nb = e->n_buckets, .eb = eb };
	for (l.nb = 16; l.nb < 2 * total; l.nb *= 2)
		;
	l.hash = calloc(l.nb, sizeof(*l.hash));
	struct chk_rs *rss = calloc(n_rs_max ? n_rs_max : 1, sizeof(*rss));
	unsigned n_rs = 0;
	for (struct chk_probe *p = e->probes; p; p = p->next) {
		p->keep = false;
		p->onext = p->next;
		p->ohnext = p->hnext;
	}
	if (!l.hash || !rss || build(&l, c, rss, &n_rs) < 0) {
		/* Out of memory: the old set is lost with it; start empty. */
		for (struct chk_probe *p = l.list, *nx; p; p = nx) {
			nx = p->next;
			if (!p->keep)
				probe_free(p);
		}
		for (struct chk_probe *p = e->probes, *nx; p; p = nx) {
			nx = p->onext;
			probe_free(p);
		}
		free(e->hash);
		free_rs(e->rs, e->n_rs);
		e->probes = NULL;
		e->hash = NULL;
		e->rs = NULL;
		e->n_probes = e->n_buckets = e->n_rs = 0;
		free(l.hash);
		free_rs(rss, n_rs);
		return errbuf_set(eb, ENOMEM, "out of memory");
	}
	for (struct chk_probe *p = e->probes, *nx; p; p = nx) {
		nx = p->onext;
		if (!p->keep)
			probe_free(p);
	}
	free(e->hash);
	free_rs(e->rs, e->n_rs);
	e->hash = l.hash;
	e->n_buckets = l.nb;
	e->probes = l.list;
	e->n_probes = l.n;
	e->rs = rss;
	e->n_rs = n_rs;
	e->conf = c;
	for (struct chk_probe *p = e->probes; p; p = p->next) {
		if (p->ops && !p->keep && !ev_is_active(&p->timer) && !p->running)
			eng_probe_schedule_first(p);
		else if (!p->ops)
			eng_probe_report(p);
		p->keep = false;
	}
	return l.err;
}

struct chk_engine *chk_engine_new(struct ev_loop *loop, chk_report_fn *cb, void *arg)
{
	struct chk_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->loop = loop;
	e->cb = cb;
	e->cb_arg = arg;
	e->seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	return e;
}

void chk_engine_free(struct chk_engine *e)
{
	if (!e)
		return;
	for (struct chk_probe *p = e->probes, *nx; p; p = nx) {
		nx = p->next;
		probe_free(p);
	}
	free(e->hash);
	free_rs(e->rs, e->n_rs);
	for (unsigned k = 0; k < CHK_SHARED__COUNT; k++)
		if (e->shared[k].free)
			e->shared[k].free(e->shared[k].state);
	free(e);
}

void chk_engine_set_refresh(struct chk_engine *e, double refresh)
{
	e->refresh = refresh;
}

void chk_engine_stats(const struct chk_engine *e, struct chk_stats *out)
{
	*out = (struct chk_stats){
		.probes = e->n_probes, .runs = e->runs, .reports = e->reports,
		.reports_unchanged = e->reports_saved,
	};
	for (unsigned k = 0; k < CHK_SHARED__COUNT; k++)
		if (e->shared[k].stats)
			e->shared[k].stats(e->shared[k].state, out);
}

unsigned chk_engine_probe_count(const struct chk_engine *e)
{
	return e->n_probes;
}

void chk_engine_dump(struct chk_engine *e, void (*line)(void *arg, const char *s), void *arg)
{
	char buf[512], dst[VADDR_PORT_STRLEN];
	struct chk_lateness lt;
	chk_engine_lateness(e, &lt);
	snprintf(buf, sizeof(buf), "lateness: %llu runs, p50 %.3f ms, p99 %.3f ms, max %.3f ms "
		 "(since the last dump)", (unsigned long long)lt.runs, lt.p50_ms, lt.p99_ms, lt.max_ms);
	line(arg, buf);
	snprintf(buf, sizeof(buf), "reports: %lu sent, %lu unchanged within %.0f s not sent",
		 e->reports, e->reports_saved, e->refresh);
	line(arg, buf);
	chk_engine_lateness_reset(e);
	for (unsigned k = 0; k < CHK_SHARED__COUNT; k++)
		if (e->shared[k].dump) {
			e->shared[k].dump(e->shared[k].state, buf, sizeof(buf));
			line(arg, buf);
		}
	for (const struct chk_probe *p = e->probes; p; p = p->next) {
		snprintf(buf, sizeof(buf),
			 "probe %s %s: %s, %u passes, %u failures, %lu runs, %u users, last: %s (%u us)%s",
			 check_type_str(p->cc->type),
			 vaddr_port_str(&p->dst_addr, p->dst_port, dst, sizeof(dst)),
			 risefall_state_str(p->counts.state), p->counts.passes, p->counts.failures,
			 p->runs, p->n_uses, p->text, p->latency_us, p->running ? ", running" : "");
		line(arg, buf);
	}
}
