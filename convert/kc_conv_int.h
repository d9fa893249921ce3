/*
 * kc_conv_int: what the converter's parts share.
 *
 * Each keepalived block is read through a table of its keywords
 * (struct kc_kw): a handler that takes the keyword into the object being
 * built, or the reason it is not converted. A keyword missing from its
 * table is reported as unknown. Supporting a new keyword once vigil has
 * the feature is one line in a table and a handler. The tables:
 *
 *   kc_conv.c   top level, global_defs
 *   kc_script.c vrrp_script, track_file
 *   kc_vrrp.c   vrrp_instance (kc_vmac.c: its use_vmac, vmac_xmit_base)
 *   kc_sync.c   tracking (weights as vigil counts them), vrrp_sync_group
 *   kc_vs.c     virtual_server, real_server
 *   kc_vsg.c    virtual_server_group
 *   kc_lvs.c    tunnels, lvs_timeouts
 *   kc_check.c  the checkers
 *   kc_http.c   an HTTP_GET/SSL_GET url, http_protocol
 *   kc_file.c   FILE_CHECK
 */
#ifndef VIGIL_KC_CONV_INT_H
#define VIGIL_KC_CONV_INT_H

#include "kc_lex_int.h"

#include <sys/socket.h>

struct kc_cx;

struct kc_kw {
	const char *name;
	void (*fn)(struct kc_cx *x, const struct kc_node *n, void *obj);
	const char *skip;             /* why it is not converted (fn NULL) */
};

/* A vrrp_script, track_file or vrrp_track_process, as instances refer
 * to it by name. */
struct kc_ref {
	const char *name;
	const struct kc_node *n;
	const char *path;             /* track_file: its file */
	long weight;                  /* the default weight of a reference */
	bool reverse;
	bool ok;                      /* converted: references may use it */
};

/* keepalived's gratuitous ARP settings (global, then per instance). */
struct kc_garp {
	double delay;                 /* second burst after; 0: none (default 5) */
	long repeat;                  /* default 5 */
	double refresh;               /* default 0 */
	long refresh_repeat;          /* default 1 */
	double interval;              /* between packets (vrrp_garp_interval) */
	long lower_repeat;            /* garp_lower_prio_repeat, when lower_n */
	const struct kc_node *delay_n, *refresh_repeat_n, *lower_n;
};

/* A virtual_server_group, as virtual servers refer to it (kc_vsg.c). */
struct kc_vsg {
	const char *name;
	int family;                   /* of its addresses; 0: marks only */
	bool ok;                      /* written: virtual servers may name it */
	bool port0;                   /* has an all-ports member */
};

struct kc_cx {
	struct kc_diag *d;
	const char *search_path;
	struct kc_val *out;
	struct kc_val *global, *vs, *vrrp, *scripts, *instances, *groups;
	struct kc_val *processes;     /* vrrp.processes (kc_proc.c) */
	struct kc_val *vsg;           /* virtual_server_groups */
	struct kc_vsg *vsgs;
	unsigned n_vsgs;
	/* from global_defs */
	long vrrp_version;
	bool vrrp_strict;             /* vrrp_strict (kc_strict.c) */
	const char *vmac_prefix;      /* vmac_prefix: default vmac names PREFIX.VRID */
	struct kc_strict_ref { struct kc_val *v; const struct kc_node *n; } *strict_refs;
	unsigned n_strict_refs;       /* strict instances without accept, for kc_strict_vs */
	struct kc_garp garp;
	bool script_security;
	bool has_script_user;
	const struct kc_node *lvs_sync;
	const struct kc_node *fifo_n;     /* the notify FIFO taken */
	bool lvs_sync_used;           /* an instance took it */
	/* named objects */
	struct kc_ref *scripts_ref, *files_ref, *procs_ref;
	unsigned n_scripts_ref, n_files_ref, n_procs_ref;
	const struct kc_node **sync_nodes;
	unsigned n_sync;
	char **inst_ok;               /* instances converted, by name */
	unsigned n_inst_ok;
	const struct kc_node **seen;  /* statements reported once (kc_once) */
	unsigned n_seen;
};

/* kc_strict.c: an instance's output (v) as keepalived's strict mode makes
 * it, when strict (strict_mode: -1 not given, 0, 1) or the global one holds;
 * accept: -1 not given, 0 no_accept, 1 accept. */
void kc_strict_inst(struct kc_cx *x, const struct kc_node *n, struct kc_val *v, int strict,
		    int accept);
/* Once everything is converted: a strict instance without accept whose
 * address a virtual server uses gets accept (v3) or loses strict (v2). */
void kc_strict_vs(struct kc_cx *x);

/* True the first time it is asked about n: for a keyword that many
 * objects inherit, reported once. */
bool kc_once(struct kc_cx *x, const struct kc_node *n);

/* Runs each statement of block through table. */
void kc_each(struct kc_cx *x, const struct kc_node *block, const struct kc_kw *table, void *obj);

/* Argument idx of n: false (reported) when missing or out of range. */
bool kc_int(struct kc_cx *x, const struct kc_node *n, unsigned idx, long min, long max, long *out);
/* The same for a block's own header line (virtual_server ADDR PORT {). */
bool kc_int_arg(struct kc_cx *x, const struct kc_node *n, unsigned idx, long min, long max,
		long *out);
bool kc_secs(struct kc_cx *x, const struct kc_node *n, unsigned idx, double *out);
/* An optional <BOOL> at idx; true when absent. */
bool kc_flag(struct kc_cx *x, const struct kc_node *n, unsigned idx, bool *out);
/* Reports the words of n past the first max, which have no translation. */
void kc_extra(struct kc_cx *x, const struct kc_node *n, unsigned max);
/* The command of a script keyword, as vigil splits it, or NULL (reported). */
char *kc_command(struct kc_cx *x, const struct kc_node *n, const char *what);
/* "FILE:LINE (words)": where a vigil object came from, as its comment. */
void kc_from(struct kc_val *v, const struct kc_node *n);
/* The address family of "ADDR" or "ADDR/LEN" (0: not an address). */
int kc_family(const char *s, bool prefix_ok);
const struct kc_ref *kc_ref_find(const struct kc_ref *v, unsigned n, const char *name);

/* Addresses one advert carries: keepalived's VRRP_MAX_VIP, and vigil's
 * (CONF_VRRP_MAX_ADDRS, which the loader enforces). */
#define KC_ADVERT_ADDRS 20

/* kc_vmove.c: one virtual_ipaddress line as an addresses element (a
 * string, or a group with its options; iface: the instance's, which a
 * "dev" naming it need not repeat); virtual_ipaddress_excluded,
 * virtual_routes, virtual_rules blocks into instance v. */
struct kc_val *kc_vaddr(struct kc_cx *x, const struct kc_node *a, const char *iface,
			const char *what);
void kc_vaddrs_excluded(struct kc_cx *x, const struct kc_node *const *over, unsigned n_over,
			const struct kc_node *blk, const char *iface, struct kc_val *v);
void kc_vroutes(struct kc_cx *x, const struct kc_node *blk, struct kc_val *v);
void kc_vrules(struct kc_cx *x, const struct kc_node *blk, struct kc_val *v);

void kc_vrrp_script(struct kc_cx *x, const struct kc_node *n, void *obj);
void kc_track_file(struct kc_cx *x, const struct kc_node *n, void *obj);
void kc_track_process(struct kc_cx *x, const struct kc_node *n, void *obj);
void kc_vrrp_instance(struct kc_cx *x, const struct kc_node *n, void *obj);
void kc_sync_groups(struct kc_cx *x);
void kc_virtual_server(struct kc_cx *x, const struct kc_node *n, void *obj);
void kc_vs_group(struct kc_cx *x, const struct kc_node *n, void *obj);

/* A TUN method's tunnel words (kc_lvs.c): type NULL when none given. */
struct kc_tun {
	const char *type;             /* "ipip", "gue", "gre" */
	long port;                    /* < 0: none */
	const char *csum;             /* NULL, "none", "on", "remote" */
};
/* Reads n's words from idx on; false (reported) when they do not make one. */
bool kc_tun_parse(struct kc_cx *x, const struct kc_node *n, unsigned idx, struct kc_tun *t);
/* Writes v's `tunnel` group when t differs from vigil's default. */
void kc_tun_out(struct kc_val *v, const struct kc_tun *t);
/* The same even when it is the default (a real server overriding its
 * service's). */
void kc_tun_out_always(struct kc_val *v, const struct kc_tun *t);
/* global_defs lvs_timeouts. */
void kc_lvs_timeouts(struct kc_cx *x, const struct kc_node *n, void *obj);
/* Whether two tunnels are the same once defaults are applied. */
bool kc_tun_same(const struct kc_tun *a, const struct kc_tun *b);
const struct kc_vsg *kc_vs_group_find(const struct kc_cx *x, const char *name);

/* One tracked object of an instance, before vigil's rules are applied. */
enum kc_trk_kind { KC_TRK_IF, KC_TRK_SCRIPT, KC_TRK_FILE, KC_TRK_PROC };
struct kc_trk {
	enum kc_trk_kind kind;
	const char *name;             /* interface, script or process name, or file path */
	long weight;
	bool reverse;                 /* vigil's reverse (weight already vigil's) */
	bool native;                  /* weight already as vigil counts it */
	bool file_default;            /* a file's weight was not given (1) */
	const struct kc_node *n;
	bool from_group;
};

/* Adds an instance's tracking to its group: weights as vigil applies
 * them, the priority raised for positive ones (kc_sync.c). */
void kc_track_out(struct kc_cx *x, struct kc_val *inst, const char *name, long *priority,
		  struct kc_trk *t, unsigned n, bool in_group, bool sync_weights);
/* The sync group node an instance belongs to, or NULL. */
const struct kc_node *kc_group_of(struct kc_cx *x, const char *inst);
/* track_interface, _script, _file or _process: its kind. */
enum kc_trk_kind kc_trk_kind_of(const char *keyword);
/* Parses a track_interface / track_script / track_file / track_process
 * block into *t. */
void kc_track_parse(struct kc_cx *x, const struct kc_node *blk, enum kc_trk_kind kind,
		    struct kc_trk **t, unsigned *n, bool from_group);

/* notify_master, _backup, _fault, _stop and notify of an instance or group. */
struct kc_notify {
	char *cmd[4];                 /* master, backup, fault, stop */
	const struct kc_node *n[4];
	char *any;                    /* notify: every state */
	const struct kc_node *any_n;
};
void kc_notify_kw(struct kc_cx *x, const struct kc_node *n, void *obj);
/* Writes the notify group into g (kind: "INSTANCE" or "GROUP"); frees nt's commands. */
void kc_notify_out(struct kc_cx *x, struct kc_val *g, struct kc_notify *nt, const char *kind);

/* use_vmac and vmac_xmit_base of an instance (kc_vmac.c). */
struct kc_vmac {
	const struct kc_node *use, *xmit_base;
};
void kc_vmac_kw(struct kc_cx *x, const struct kc_node *n, struct kc_vmac *vm);
/* Writes the instance's vmac key into v, or says why not. */
void kc_vmac_out(struct kc_cx *x, struct kc_val *v, const struct kc_vmac *vm, const char *name);

/* The checks of a real server (kc_check.c). */
struct kc_chk_dflt {
	double timeout;               /* connect_timeout; < 0 unset */
	long retry;                   /* retry / nb_get_retry; < 0 unset */
	double delay_loop;            /* < 0 unset */
	double dbr;                   /* delay_before_retry; < 0 unset */
	const struct kc_node *dbr_n;
	int alpha;                    /* -1 unset */
	const struct kc_node *alpha_n;
	const char *vhost;            /* virtualhost */
	bool has_warmup;              /* last: a positional { -1, ... } leaves it unset */
	double warmup;
};
struct kc_rs_info {
	int family;
	bool has_port;
	const char *vs_proto;         /* "tcp", "udp", "sctp" */
	double vs_delay_loop;         /* for misc_timeout's default */
	bool vs_alpha;
	bool mixed_alpha_reported;
};
void kc_checks(struct kc_cx *x, const struct kc_node *rs, struct kc_val *rsv,
	       const struct kc_chk_dflt *vs, const struct kc_chk_dflt *rsd,
	       struct kc_rs_info *info);
bool kc_is_checker(const char *kw);
/* An HTTP_GET/SSL_GET url's keys into the check v (host: vhost unless the
 * url names one); false (reported) when it cannot be checked as keepalived
 * did (kc_http.c). */
bool kc_http_url(struct kc_cx *x, const struct kc_node *u, const char *vhost, struct kc_val *v);
/* The checker's http_protocol (n NULL: absent) into v. */
void kc_http_protocol(struct kc_cx *x, const struct kc_node *n, struct kc_val *v);
/* A FILE_CHECK block into a file check of list (kc_file.c). */
void kc_file_check(struct kc_cx *x, const struct kc_node *n, struct kc_val *list);
/* Merges the connection defaults b over a (a's unset fields from b). */
struct kc_chk_dflt kc_dflt_merge(struct kc_chk_dflt over, struct kc_chk_dflt under);
/* The chk_dflt keywords every level shares: true when n was one. */
bool kc_dflt_kw(struct kc_cx *x, const struct kc_node *n, struct kc_chk_dflt *c);

#endif
