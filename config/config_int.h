/*
 * config_int: what the loader's files share, and nothing else includes.
 *
 * The loader walks the libconfig tree once, section by section
 * (config.c: file, global, top level; config_vs.c: virtual and real
 * servers; config_check.c: health checks; config_vrrp.c: VRRP). Each
 * reader takes a `struct cfx` (the load context), the libconfig group it
 * reads, and a context string naming the object ("real server
 * 198.51.100.11:80") that prefixes every message. The typed getters in
 * config_util.c do the type and range checks and report problems
 * themselves, so readers continue after an error and a single pass finds
 * every problem in the file.
 *
 * Getter convention: 1 = present and valid (*out set), 0 = absent
 * (*out untouched, so callers preset defaults), -1 = present but wrong
 * (already reported).
 */
#ifndef VIGIL_CONFIG_INT_H
#define VIGIL_CONFIG_INT_H

#include <libconfig.h>
#include <setjmp.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define CFX_CTX_LEN 192

struct cfx {
	struct conf_errors *errs;
	const char *path;             /* the top-level file, as given */
	char *dir;                    /* its directory; include names are relative to it */
	struct conf *c;
	struct cfx_vsg *vsg;          /* virtual-server groups, while loading (config_vsg.c) */
	unsigned n_vsg;
	struct cfx_shadow *shadows;   /* copies made for include patterns (config_include.c) */
	unsigned n_shadows, n_copies;
	char *tmpdir;
	struct vrrp_inst_conf *grp_track;   /* sync groups' track blocks, while loading */
	unsigned n_grp_track;         /* (config_vrrp_proc.c) */
	const char *text;             /* the file's text, read already (no @include); NULL: read it */
	struct cfx_incr *incr;        /* a cached load's plan (config_cache.c); NULL: none */
	jmp_buf oom;                  /* where a failed allocation ends the load */
};

/* Errors and naming (config_util.c) */
void cfx_err(struct cfx *x, const config_setting_t *s, const char *ctx,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cfx_err_at(struct cfx *x, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "line N" when s is in the same file as here, else "FILE:N". */
const char *cfx_where(struct cfx *x, const config_setting_t *s,
		      const config_setting_t *here, char *buf, size_t len);
/* The file name to print for a libconfig file name (NULL = the top file). */
void cfx_file(const struct cfx *x, const char *f, char *buf, size_t len);
/* The closest of names[] (NULL-terminated) to s, or NULL when none is close. */
const char *cfx_suggest(const char *s, const char *const *names);

/* The member KEY of group g, or NULL. libconfig's own lookup compares
 * names a character at a time against its path separators, which made
 * member lookups a third of a large file's load; this one is strcmp. */
config_setting_t *cfx_member(const config_setting_t *g, const char *key);
/* The string or integer member KEY (0 when absent or of another type). */
int cfx_member_string(const config_setting_t *g, const char *key, const char **out);
int cfx_member_int(const config_setting_t *g, const char *key, long long *out);

/* Formats a context string into buf (CFX_CTX_LEN bytes), truncating. */
void cfx_ctx(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Memory: an allocation that fails ends the load at once (a longjmp to
 * conf_load, which frees what was built and returns NULL with errs->oom),
 * so readers need no checks. Every allocation that outlives a reader
 * hangs off x->c before the next one; a reader's temporaries are taken
 * with plain calloc and given back before cfx_oom. */
void *cfx_calloc(struct cfx *x, size_t n, size_t size);
char *cfx_strdup(struct cfx *x, const char *s);
_Noreturn void cfx_oom(struct cfx *x);

/* Reports every member of group g that is not in keys[] (NULL-terminated). */
void cfx_keys(struct cfx *x, const config_setting_t *g, const char *ctx,
	      const char *const *keys);
/* Like cfx_keys, for a member already known to be unknown. */
void cfx_unknown_key(struct cfx *x, const config_setting_t *m, const char *ctx,
		     const char *const *keys);

/* Typed getters: see the convention above. */
int cfx_str(struct cfx *x, const config_setting_t *g, const char *ctx,
	    const char *key, char **out);
int cfx_bool(struct cfx *x, const config_setting_t *g, const char *ctx,
	     const char *key, bool *out);
int cfx_int(struct cfx *x, const config_setting_t *g, const char *ctx,
	    const char *key, long long min, long long max, long long *out);
/* A duration or other number in s: int, int64 or float. Zero is allowed
 * only with allow_zero; negative never. */
int cfx_num(struct cfx *x, const config_setting_t *g, const char *ctx,
	    const char *key, bool allow_zero, double *out);
int cfx_addr(struct cfx *x, const config_setting_t *g, const char *ctx,
	     const char *key, struct vaddr *out);
/* One of names[] (NULL-terminated); *out is its index. */
int cfx_enum(struct cfx *x, const config_setting_t *g, const char *ctx,
	     const char *key, const char *const *names, int *out);
/* Same, naming the value `what` in messages ("unknown check type"). */
int cfx_enum_as(struct cfx *x, const config_setting_t *g, const char *ctx,
		const char *key, const char *what, const char *const *names, int *out);
/* A group member; NULL when absent or (reported) not a group. */
const config_setting_t *cfx_group(struct cfx *x, const config_setting_t *g,
				  const char *ctx, const char *key);
/* A list or array member; NULL when absent or (reported) neither. With
 * scalar_ok a lone scalar is returned too and counts as one element. */
const config_setting_t *cfx_list(struct cfx *x, const config_setting_t *g,
				 const char *ctx, const char *key, bool scalar_ok);
unsigned cfx_len(const config_setting_t *l);
const config_setting_t *cfx_elem(const config_setting_t *l, unsigned i);
/* Reports "missing 'key'" at g when g has no member key; returns false then. */
bool cfx_require(struct cfx *x, const config_setting_t *g, const char *ctx,
		 const char *key);

/* config_include.c: the main file's text with every @include pattern
 * made literal (NULL: nothing to change, read the file itself); the
 * original name of a file libconfig read (a copy's, else f itself);
 * removing the copies. */
char *cfx_include_expand(struct cfx *x);
const char *cfx_include_orig(const struct cfx *x, const char *f);
void cfx_include_free(struct cfx *x);

/* Sections */
void cfx_virtual_servers(struct cfx *x, const config_setting_t *list);
/* config_vs.c: element i of the list into vs; then what is checked across
 * all of them (duplicates). With list NULL (a cached load, whose virtual
 * servers are not all in one tree) a duplicate is one error without a
 * place: that load is then made again in full, which reports it. */
void cfx_vs_element(struct cfx *x, const config_setting_t *e, unsigned i, struct vs_conf *vs);
void cfx_vs_across(struct cfx *x, const config_setting_t *list);
/* conf_copy.c: a deep copy of s into d; -ENOMEM with d emptied. */
int cfx_vs_copy(struct vs_conf *d, const struct vs_conf *s);
/* config_cache.c: the virtual servers of a cached load (x->incr set):
 * copies of unchanged ones, the changed ones read from their own tree. */
struct cfx_incr;
void cfx_vs_incr(struct cfx *x, const config_setting_t *list);
/* config.c: conf_load of path's text (NULL: the file), with a cached
 * load's plan (NULL: none). */
struct conf *cfx_load(const char *path, const char *text, struct cfx_incr *incr,
		      struct conf_errors *errs);
/* config_vsg.c: the top-level virtual_server_groups, read before the
 * virtual servers; a virtual server's `group` copies one's members. */
void cfx_vs_groups(struct cfx *x, const config_setting_t *list);
void cfx_vs_group_ref(struct cfx *x, const config_setting_t *s, const char *ctx,
		      struct vs_conf *vs);
/* The family of the named group's addresses; 0 when unknown or marks only. */
int cfx_vs_group_family(const struct cfx *x, const char *name);
/* Services served twice where a group's later member is one of the two. */
void cfx_vs_group_dups(struct cfx *x, const config_setting_t *list);
void cfx_vs_groups_free(struct cfx *x);
void cfx_vrrp(struct cfx *x, const config_setting_t *g);
/* config_announce.c: the announce section (g NULL when absent: defaults),
 * read after virtual_servers and vrrp, whose names it checks. */
void cfx_announce(struct cfx *x, const config_setting_t *g);
void cfx_announce_free(struct conf *c);
/* config_vrrp_aux.c: the parts of vrrp an instance refers to or shares. */
void cfx_vrrp_scripts(struct cfx *x, const config_setting_t *list);
/* config_vrrp_proc.c: vrrp.processes, track.processes, a group's track. */
void cfx_vrrp_processes(struct cfx *x, const config_setting_t *list);
void cfx_vrrp_track_procs(struct cfx *x, const config_setting_t *l, const char *ctx,
			  struct vrrp_inst_conf *vi);
void cfx_vrrp_group_track(struct cfx *x, const config_setting_t *e, const char *ctx,
			  const struct vrrp_group_conf *g);
void cfx_vrrp_group_track_free(struct cfx *x);
void cfx_vrrp_proc_free(struct conf *c);
/* One { NAMEKEY = "..."; weight = N; reverse = B; } element of a track list. */
bool cfx_track_elem(struct cfx *x, const config_setting_t *e, const char *ctx,
		    const char *namekey, char **name, int *weight, bool *reverse);
void cfx_vrrp_groups(struct cfx *x, const config_setting_t *list);
void cfx_vrrp_track(struct cfx *x, const config_setting_t *inst, const char *ctx,
		    struct vrrp_inst_conf *vi);
/* config_vrrp_strict.c: `strict` (RFC 5798 only): what it refuses, accept's default. */
void cfx_vrrp_strict(struct cfx *x, const config_setting_t *g, const char *ctx,
		     struct vrrp_inst_conf *vi);
/* config_vrrp_opts.c: source, unicast TTLs, the second GARP burst, lower-priority GARPs. */
void cfx_vrrp_inst_opts(struct cfx *x, const config_setting_t *g, const char *ctx,
			struct vrrp_inst_conf *vi);
/* config_vrrp_moves.c: what moves with an instance. One element of
 * addresses or excluded_addresses (a string or a group); false when
 * unusable (reported). */
bool cfx_vrrp_vaddr(struct cfx *x, const config_setting_t *e, const char *ctx,
		    struct vrrp_vaddr *out);
/* excluded_addresses (into the room the core parse left), routes, rules. */
void cfx_vrrp_moves(struct cfx *x, const config_setting_t *g, const char *ctx,
		    struct vrrp_inst_conf *vi);
unsigned cfx_vrrp_n_excluded(const config_setting_t *g);
void cfx_vrrp_moves_free(struct vrrp_inst_conf *vi);
/* config_vrrp_vmac.c: an instance's vmac; then the default names, once all are read */
void cfx_vrrp_vmac(struct cfx *x, const config_setting_t *g, const char *ctx,
		   struct vrrp_inst_conf *vi);
void cfx_vrrp_vmac_names(struct cfx *x, const config_setting_t *list);
void cfx_vrrp_notify(struct cfx *x, const config_setting_t *g, const char *ctx,
		     struct vrrp_notify *n);
void cfx_checks(struct cfx *x, const config_setting_t *list, const char *ctx,
		const struct vs_conf *vs, struct rs_conf *rs);
/* config_script.c: a command to run (g's member key, already read into
 * command): it splits into words and, with script_security, its program
 * is safe (see there). Reports at the member's line. */
void cfx_command(struct cfx *x, const config_setting_t *g, const char *ctx,
		 const char *key, const char *command);

/* One element of a real_servers list (config_vs.c); idx names it in
 * messages when its address is unreadable. */
void cfx_rs_parse(struct cfx *x, const config_setting_t *g, const struct vs_conf *vs,
		  struct rs_conf *rs, unsigned idx);
/* config_lvs.c: g's `tunnel` into *t (preset with the default), for a
 * virtual server or real server whose forwarding is fwd. */
void cfx_tunnel(struct cfx *x, const config_setting_t *g, const char *ctx,
		enum fwd_method fwd, struct tun_conf *t);

/* config_lvs.c: global's ipvs_timeouts. */
void cfx_ipvs_timeouts(struct cfx *x, const config_setting_t *g, struct global_conf *gc);

/* Freeing */
void cfx_vs_free(struct vs_conf *vs);
void cfx_rs_free(struct rs_conf *rs);   /* what it owns; rs itself is the caller's */
void cfx_check_free(struct check_conf *ck);
void cfx_vrrp_free(struct conf *c);
void cfx_vrrp_aux_free(struct conf *c);
void cfx_notify_free(struct vrrp_notify *n);

#endif
