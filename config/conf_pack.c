/*
 * conf_pack: the configuration codec (see conf_pack.h).
 *
 *   blob = header { "VGC1", layout, body length } body
 *   body = conf, then for each struct: its bytes with pointers cleared,
 *          then what its pointers held, in the order of its field lists
 *   string = u32 length (UINT32_MAX: NULL) + bytes (no NUL)
 *   array  = u32 count + elements
 *
 * Each struct type has one list of its string fields (STRS) and one
 * function for its arrays, used by pack, clear and unpack alike. The size
 * assertions below stop the build when a struct of conf.h changes: a new
 * pointer field must join its list (an integer field needs nothing).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_pack.h"
#include "conf_fields.h"
#include "config.h"
#include "errbuf.h"

/* The sizes on x86_64, the platform the project builds for. */
#if defined(__x86_64__)
_Static_assert(sizeof(struct check_conf) == 752, "check_conf changed: review conf_pack.c");
_Static_assert(sizeof(struct rs_conf) == 88, "rs_conf changed: review conf_pack.c");
_Static_assert(sizeof(struct vs_conf) == 224, "vs_conf changed: review conf_pack.c");
_Static_assert(sizeof(struct vrrp_inst_conf) == 384, "vrrp_inst_conf changed: review conf_pack.c");
_Static_assert(sizeof(struct vrrp_vaddr) == 64, "vrrp_vaddr changed: review conf_pack.c");
_Static_assert(sizeof(struct vrrp_route) == 96, "vrrp_route changed: review conf_pack.c");
_Static_assert(sizeof(struct vrrp_rule) == 88, "vrrp_rule changed: review conf_pack.c");
_Static_assert(sizeof(struct vrrp_group_conf) == 72, "vrrp_group_conf changed: review conf_pack.c");
_Static_assert(sizeof(struct vrrp_script_conf) == 48, "vrrp_script_conf changed: review conf_pack.c");
_Static_assert(sizeof(struct global_conf) == 120, "global_conf changed: review conf_pack.c");
_Static_assert(sizeof(struct vrrp_process_conf) == 72, "vrrp_process_conf changed: review conf_pack.c");
_Static_assert(sizeof(struct conf) == 256, "conf changed: review conf_pack.c");
#endif

#define MAGIC "VGC1"
#define NO_STRING UINT32_MAX
/* Sizes of every struct: a blob from another build is refused. */
#define LAYOUT ((uint32_t)(sizeof(struct conf) ^ sizeof(struct check_conf) << 8 ^ \
			   sizeof(struct vrrp_inst_conf) << 20))

struct blob_head {
	char magic[4];
	uint32_t layout;
	uint64_t body_len;
};

/* ---- writing -------------------------------------------------------- */

struct wr {
	uint8_t *buf;
	size_t len, cap;
	int err;
};

static void put(struct wr *w, const void *p, size_t n)
{
	if (w->err || !n)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		while (cap < w->len + n)
			cap *= 2;
		uint8_t *nb = realloc(w->buf, cap);
		if (!nb) {
			w->err = -ENOMEM;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_u32(struct wr *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

static void put_str(struct wr *w, const char *s)
{
	if (!s) {
		put_u32(w, NO_STRING);
		return;
	}
	size_t n = strlen(s);
	put_u32(w, (uint32_t)n);
	put(w, s, n);
}

/* The struct's bytes with every pointer and array count cleared (so the
 * blob holds no address and is the same for equal configurations), then
 * its strings. Its arrays follow, written by the caller. */
#define CLEAR_STR(f) t.f = NULL;
#define CLEAR_ARR(f, n) t.f = NULL; t.n = 0;
#define PUT_STR(f) put_str(w, p->f);
#define PUT_STRUCT(TYPE, STRS, ARRS) do { \
		struct TYPE t = *p; \
		STRS(CLEAR_STR) ARRS(CLEAR_ARR) \
		put(w, &t, sizeof(t)); \
		STRS(PUT_STR) \
	} while (0)

static void put_check(struct wr *w, const struct check_conf *p)
{
	PUT_STRUCT(check_conf, CHECK_STRS, NO_STRS);
}

static void put_rs(struct wr *w, const struct rs_conf *p)
{
	PUT_STRUCT(rs_conf, RS_STRS, RS_ARRAYS);
	put_u32(w, p->n_checks);
	for (unsigned i = 0; i < p->n_checks; i++)
		put_check(w, &p->checks[i]);
}

static void put_vs(struct wr *w, const struct vs_conf *p)
{
	PUT_STRUCT(vs_conf, VS_STRS, VS_ARRAYS);
	put_u32(w, p->n_rs);
	for (unsigned i = 0; i < p->n_rs; i++)
		put_rs(w, &p->rs[i]);
	put_u32(w, p->n_members);
	put(w, p->members, p->n_members * sizeof(*p->members));
}

static void put_track_if(struct wr *w, const struct vrrp_track_if *p)
{
	PUT_STRUCT(vrrp_track_if, NAME_STRS, NO_STRS);
}

static void put_track_script(struct wr *w, const struct vrrp_track_script *p)
{
	PUT_STRUCT(vrrp_track_script, NAME_STRS, NO_STRS);
}

static void put_track_file(struct wr *w, const struct vrrp_track_file *p)
{
	PUT_STRUCT(vrrp_track_file, PATH_STRS, NO_STRS);
}

static void put_vaddr(struct wr *w, const struct vrrp_vaddr *p)
{
	PUT_STRUCT(vrrp_vaddr, VADDR_STRS, NO_STRS);
}

static void put_route(struct wr *w, const struct vrrp_route *p)
{
	PUT_STRUCT(vrrp_route, ROUTE_STRS, NO_STRS);
}

static void put_rule(struct wr *w, const struct vrrp_rule *p)
{
	PUT_STRUCT(vrrp_rule, RULE_STRS, NO_STRS);
}

static void put_track_proc(struct wr *w, const struct vrrp_track_proc *p)
{
	PUT_STRUCT(vrrp_track_proc, NAME_STRS, NO_STRS);
}

static void put_inst(struct wr *w, const struct vrrp_inst_conf *p)
{
	PUT_STRUCT(vrrp_inst_conf, INST_STRS, INST_ARRAYS);
	put_u32(w, p->n_addrs);
	put(w, p->addrs, p->n_addrs * sizeof(*p->addrs));
	put_u32(w, p->n_peers);
	put(w, p->peers, p->n_peers * sizeof(*p->peers));
	put_u32(w, p->n_track_ifs);
	for (unsigned i = 0; i < p->n_track_ifs; i++)
		put_track_if(w, &p->track_ifs[i]);
	put_u32(w, p->n_track_scripts);
	for (unsigned i = 0; i < p->n_track_scripts; i++)
		put_track_script(w, &p->track_scripts[i]);
	put_u32(w, p->n_track_files);
	for (unsigned i = 0; i < p->n_track_files; i++)
		put_track_file(w, &p->track_files[i]);
	put_u32(w, p->n_vaddrs);
	for (unsigned i = 0; i < p->n_vaddrs; i++)
		put_vaddr(w, &p->vaddrs[i]);
	put_u32(w, p->n_routes);
	for (unsigned i = 0; i < p->n_routes; i++)
		put_route(w, &p->routes[i]);
	put_u32(w, p->n_rules);
	for (unsigned i = 0; i < p->n_rules; i++)
		put_rule(w, &p->rules[i]);
	put_u32(w, p->n_track_procs);
	for (unsigned i = 0; i < p->n_track_procs; i++)
		put_track_proc(w, &p->track_procs[i]);
}

static void put_group(struct wr *w, const struct vrrp_group_conf *p)
{
	PUT_STRUCT(vrrp_group_conf, GROUP_STRS, GROUP_ARRAYS);
	put_u32(w, p->n_instances);
	for (unsigned i = 0; i < p->n_instances; i++)
		put_str(w, p->instances[i]);
}

static void put_script(struct wr *w, const struct vrrp_script_conf *p)
{
	PUT_STRUCT(vrrp_script_conf, SCRIPT_STRS, NO_STRS);
}

static void put_process(struct wr *w, const struct vrrp_process_conf *p)
{
	PUT_STRUCT(vrrp_process_conf, PROC_STRS, PROC_ARRAYS);
	put_u32(w, p->n_params);
	for (unsigned i = 0; i < p->n_params; i++)
		put_str(w, p->params[i]);
}

static void put_conf(struct wr *w, const struct conf *p, enum conf_view view)
{
	bool vs = view != CONF_VIEW_VRRP, vrrp = view != CONF_VIEW_CHECKER;
	/* The snmp child reports instances, not how they are grouped or tracked. */
	bool rest = vrrp && view != CONF_VIEW_SNMP;
	PUT_STRUCT(conf, CONF_STRS, CONF_ARRAYS);
	put_u32(w, vs ? p->n_vs : 0);
	for (unsigned i = 0; vs && i < p->n_vs; i++)
		put_vs(w, &p->vs[i]);
	put_u32(w, vrrp ? p->n_vrrp : 0);
	for (unsigned i = 0; vrrp && i < p->n_vrrp; i++)
		put_inst(w, &p->vrrp[i]);
	put_u32(w, rest ? p->n_groups : 0);
	for (unsigned i = 0; rest && i < p->n_groups; i++)
		put_group(w, &p->groups[i]);
	put_u32(w, rest ? p->n_scripts : 0);
	for (unsigned i = 0; rest && i < p->n_scripts; i++)
		put_script(w, &p->scripts[i]);
	put_u32(w, rest ? p->n_processes : 0);
	for (unsigned i = 0; rest && i < p->n_processes; i++)
		put_process(w, &p->processes[i]);
}

int conf_pack(const struct conf *c, enum conf_view view, struct conf_blob *out)
{
	struct wr w = { 0 };
	struct blob_head h = { .magic = MAGIC, .layout = LAYOUT };
	put(&w, &h, sizeof(h));
	put_conf(&w, c, view);
	if (w.err) {
		free(w.buf);
		*out = (struct conf_blob){ 0 };
		return w.err;
	}
	((struct blob_head *)w.buf)->body_len = w.len - sizeof(h);
	*out = (struct conf_blob){ .data = w.buf, .len = w.len, .hash = conf_hash(w.buf, w.len) };
	return 0;
}

void conf_blob_free(struct conf_blob *b)
{
	free(b->data);
	*b = (struct conf_blob){ 0 };
}

/* ---- reading -------------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t left;
	const char *err;              /* the first problem */
};

static bool get(struct rd *r, void *dst, size_t n)
{
	if (r->err)
		return false;
	if (n > r->left) {
		r->err = "truncated";
		return false;
	}
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

static bool get_str(struct rd *r, char **out)
{
	uint32_t n;
	*out = NULL;
	if (!get(r, &n, sizeof(n)) || n == NO_STRING)
		return !r->err;
	if (n > r->left) {
		r->err = "string longer than the blob";
		return false;
	}
	char *s = malloc((size_t)n + 1);
	if (!s) {
		r->err = "out of memory";
		return false;
	}
	get(r, s, n);
	s[n] = '\0';
	*out = s;
	return true;
}

/* Reads an array's count and allocates it zeroed; every element needs at
 * least min bytes, so a count cannot ask for more than the blob holds. */
static void *get_array(struct rd *r, size_t size, size_t min, uint32_t *n)
{
	if (!get(r, n, sizeof(*n)))
		return NULL;
	if ((uint64_t)*n * min > r->left) {
		r->err = "array longer than the blob";
		return NULL;
	}
	if (!*n)
		return NULL;
	void *a = calloc(*n, size);
	if (!a)
		r->err = "out of memory";
	return a;
}

#define GET_STR(f) get_str(r, &p->f);
#define GET_CLEAR_STR(f) p->f = NULL;
#define GET_CLEAR_ARR(f, n) p->f = NULL; p->n = 0;
#define GET_STRUCT(STRS, ARRS) do { \
		if (!get(r, p, sizeof(*p))) \
			return; \
		STRS(GET_CLEAR_STR) ARRS(GET_CLEAR_ARR) \
		STRS(GET_STR) \
	} while (0)
/* Fills p->f[0..] one element at a time, counting in p->n, so a failure
 * leaves a struct conf_free() can free. */
#define GET_ARRAY(f, nf, min, fn) do { \
		uint32_t n_; \
		p->f = get_array(r, sizeof(*p->f), (min), &n_); \
		for (uint32_t i_ = 0; p->f && i_ < n_ && !r->err; i_++, p->nf++) \
			fn(r, &p->f[i_]); \
	} while (0)
#define GET_POD_ARRAY(f, nf) do { \
		uint32_t n_; \
		p->f = get_array(r, sizeof(*p->f), sizeof(*p->f), &n_); \
		if (p->f && get(r, p->f, (size_t)n_ * sizeof(*p->f))) \
			p->nf = n_; \
	} while (0)

static void get_check(struct rd *r, struct check_conf *p)
{
	GET_STRUCT(CHECK_STRS, NO_STRS);
}

static void get_rs(struct rd *r, struct rs_conf *p)
{
	GET_STRUCT(RS_STRS, RS_ARRAYS);
	GET_ARRAY(checks, n_checks, sizeof(struct check_conf), get_check);
}

static void get_vs(struct rd *r, struct vs_conf *p)
{
	GET_STRUCT(VS_STRS, VS_ARRAYS);
	GET_ARRAY(rs, n_rs, sizeof(struct rs_conf), get_rs);
	GET_POD_ARRAY(members, n_members);
}

static void get_track_if(struct rd *r, struct vrrp_track_if *p)
{
	GET_STRUCT(NAME_STRS, NO_STRS);
}

static void get_track_script(struct rd *r, struct vrrp_track_script *p)
{
	GET_STRUCT(NAME_STRS, NO_STRS);
}

static void get_track_file(struct rd *r, struct vrrp_track_file *p)
{
	GET_STRUCT(PATH_STRS, NO_STRS);
}

static void get_vaddr(struct rd *r, struct vrrp_vaddr *p)
{
	GET_STRUCT(VADDR_STRS, NO_STRS);
}

static void get_route(struct rd *r, struct vrrp_route *p)
{
	GET_STRUCT(ROUTE_STRS, NO_STRS);
}

static void get_rule(struct rd *r, struct vrrp_rule *p)
{
	GET_STRUCT(RULE_STRS, NO_STRS);
}

static void get_track_proc(struct rd *r, struct vrrp_track_proc *p)
{
	GET_STRUCT(NAME_STRS, NO_STRS);
}

static void get_inst(struct rd *r, struct vrrp_inst_conf *p)
{
	GET_STRUCT(INST_STRS, INST_ARRAYS);
	GET_POD_ARRAY(addrs, n_addrs);
	GET_POD_ARRAY(peers, n_peers);
	GET_ARRAY(track_ifs, n_track_ifs, sizeof(struct vrrp_track_if), get_track_if);
	GET_ARRAY(track_scripts, n_track_scripts, sizeof(struct vrrp_track_script),
		  get_track_script);
	GET_ARRAY(track_files, n_track_files, sizeof(struct vrrp_track_file), get_track_file);
	GET_ARRAY(vaddrs, n_vaddrs, sizeof(struct vrrp_vaddr), get_vaddr);
	GET_ARRAY(routes, n_routes, sizeof(struct vrrp_route), get_route);
	GET_ARRAY(rules, n_rules, sizeof(struct vrrp_rule), get_rule);
	GET_ARRAY(track_procs, n_track_procs, sizeof(struct vrrp_track_proc), get_track_proc);
}

static void get_instance_name(struct rd *r, char **p)
{
	get_str(r, p);
}

static void get_group(struct rd *r, struct vrrp_group_conf *p)
{
	GET_STRUCT(GROUP_STRS, GROUP_ARRAYS);
	GET_ARRAY(instances, n_instances, sizeof(uint32_t), get_instance_name);
}

static void get_script(struct rd *r, struct vrrp_script_conf *p)
{
	GET_STRUCT(SCRIPT_STRS, NO_STRS);
}

static void get_param(struct rd *r, char **p)
{
	get_str(r, p);
}

static void get_process(struct rd *r, struct vrrp_process_conf *p)
{
	GET_STRUCT(PROC_STRS, PROC_ARRAYS);
	GET_ARRAY(params, n_params, sizeof(uint32_t), get_param);
}

static void get_conf(struct rd *r, struct conf *p)
{
	GET_STRUCT(CONF_STRS, CONF_ARRAYS);
	GET_ARRAY(vs, n_vs, sizeof(struct vs_conf), get_vs);
	GET_ARRAY(vrrp, n_vrrp, sizeof(struct vrrp_inst_conf), get_inst);
	GET_ARRAY(groups, n_groups, sizeof(struct vrrp_group_conf), get_group);
	GET_ARRAY(scripts, n_scripts, sizeof(struct vrrp_script_conf), get_script);
	GET_ARRAY(processes, n_processes, sizeof(struct vrrp_process_conf), get_process);
}

struct conf *conf_unpack(const void *data, size_t len, struct errbuf *eb)
{
	struct blob_head h;
	if (len < sizeof(h)) {
		errbuf_set(eb, EINVAL, "configuration blob: %zu bytes, shorter than its header", len);
		return NULL;
	}
	memcpy(&h, data, sizeof(h));
	if (memcmp(h.magic, MAGIC, 4) || h.layout != LAYOUT) {
		errbuf_set(eb, EINVAL, "configuration blob: not from this build of vigild");
		return NULL;
	}
	if (h.body_len != len - sizeof(h)) {
		errbuf_set(eb, EINVAL, "configuration blob: %zu bytes, its header says %llu",
			   len - sizeof(h), (unsigned long long)h.body_len);
		return NULL;
	}
	struct conf *c = calloc(1, sizeof(*c));
	if (!c) {
		errbuf_set(eb, ENOMEM, "configuration blob: out of memory");
		return NULL;
	}
	struct rd r = { .p = (const uint8_t *)data + sizeof(h), .left = len - sizeof(h) };
	get_conf(&r, c);
	if (!r.err && r.left)
		r.err = "bytes left over";
	if (r.err) {
		errbuf_set(eb, EINVAL, "configuration blob: %s", r.err);
		conf_free(c);
		return NULL;
	}
	return c;
}

uint64_t conf_hash(const void *data, size_t len)
{
	/* A word at a time (a 2,000-service blob is megabytes, hashed by the
	 * parent at each reload and by the child that takes it), then
	 * FNV-1a over the last bytes. */
	const uint8_t *p = data;
	uint64_t h = 14695981039346656037ull ^ len, w;
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	for (; len; p++, len--) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	return h;
}
