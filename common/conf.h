/*
 * conf: the whole configuration as plain data (relayd's `host->conf`).
 *
 * The loader (config/config*.c) fills these from libconfig; every
 * subsystem reads them; runtime structs embed them and compare them on
 * reload to keep the live state of what did not change. Nothing here
 * points into libconfig: strings are owned copies, freed by conf_free().
 * `line` fields remember where an object was defined, for messages.
 */
#ifndef VIGIL_CONF_H
#define VIGIL_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

enum fwd_method { FWD_NAT, FWD_DR, FWD_TUN };
enum vs_proto { PROTO_TCP, PROTO_UDP, PROTO_SCTP };
enum on_failure { ON_FAILURE_REMOVE, ON_FAILURE_INHIBIT };

enum check_type {
	CHECK_TCP, CHECK_HTTP, CHECK_HTTPS, CHECK_SMTP, CHECK_DNS,
	CHECK_UDP, CHECK_PING, CHECK_SCRIPT, CHECK_FILE, CHECK__COUNT
};

#define CONF_MAX_STATUS 16
#define CONF_MAX_DNS_EXPECT 16
#define CONF_MAX_UDP_HEX 1472      /* bytes of payload_hex or reply_hex */

/* An accepted HTTP status: lo..hi inclusive (one code: lo == hi). */
struct conf_status_range {
	int lo, hi;
};
struct check_conf {
	enum check_type type;
	int line;
	double interval;              /* s; default: the VS's check_interval */
	double timeout;               /* s; default 3 (script: interval) */
	unsigned rise, fall;          /* default 1, 1 */
	unsigned retry;               /* failed runs retried before one counts; default 0 */
	double retry_delay;           /* s between a failed run and its retry; default 1 */
	bool has_warmup;
	double warmup;                /* s: first run within [0, warmup]; unset: the interval */
	struct vaddr connect_addr;    /* unset: the real server's address */
	uint16_t connect_port;        /* 0: the real server's port */
	struct vaddr bind_addr;       /* unset: kernel's choice */
	/* tcp */
	bool half_open;               /* SYN, then SYN-ACK = up, RST = refused */
	/* http, https; file: the file read */
	char *path;                   /* default "/" */
	char *host;                   /* Host header; default: the address */
	char *method;                 /* default "GET" */
	struct conf_status_range status[CONF_MAX_STATUS];   /* default {200-200} */
	unsigned n_status;
	char *regex;                  /* POSIX ERE searched in the body */
	bool regex_no_match;          /* the check passes when regex is NOT found */
	uint32_t regex_min_offset;    /* the match starts at or after this body offset */
	uint32_t regex_max_offset;    /* ... and before this one; 0: no limit */
	uint8_t http_minor;           /* request HTTP/1.x: 0 or 1 (default) */
	char *digest;                 /* MD5 hex of the body, lower case */
	char *expect;                 /* http/https/udp: substring of body/reply */
	bool verify;                  /* https: verify the certificate */
	bool reuse_connection;        /* http/https: keep-alive between runs */
	char *ca_file;
	char *sni;                    /* default: host */
	/* smtp */
	char *helo_name;              /* default: router_id */
	/* dns */
	char *query;
	char *qtype;                  /* default "A" */
	struct vaddr dns_expect[CONF_MAX_DNS_EXPECT];
	unsigned n_dns_expect;
	/* udp */
	char *payload;
	char *payload_hex;            /* the payload as hex ("4e 54 50"); excludes payload */
	char *reply_hex;              /* the reply's first bytes as hex; x: any nibble */
	uint32_t min_reply_length;    /* bytes; 0: any */
	uint32_t max_reply_length;    /* bytes; 0: no limit */
	bool require_reply;           /* a server that stays silent fails */
	/* script */
	char *command;
	bool dynamic_weight;          /* script, file */
	/* file (keepalived's FILE_CHECK) */
	int file_weight;              /* what the value is multiplied by; default 1 */
	bool file_reverse;            /* the value counts negated */
	int base_weight;              /* the real server's weight, which dynamic_weight adjusts */
};

/* A tun real server's encapsulation (IP_VS_CONN_F_TUNNEL_TYPE_*). */
enum tun_type { TUN_IPIP, TUN_GUE, TUN_GRE };

struct tun_conf {
	uint8_t type;                 /* enum tun_type; default ipip */
	uint16_t port;                /* gue: the UDP port */
	uint16_t flags;               /* IP_VS_TUNNEL_ENCAP_FLAG_* (checksums) */
};

struct rs_conf {
	int line;
	struct tun_conf tunnel;       /* default: the VS's */
	struct vaddr addr;
	uint16_t port;
	int weight;                   /* default 1 */
	enum fwd_method fwd;          /* default: the VS's forwarding */
	uint32_t uthreshold, lthreshold;   /* connection thresholds; 0 = none */
	char *notify_up, *notify_down;     /* run by the parent when its state changes */
	struct check_conf *checks;
	unsigned n_checks;
};

enum sched_flag {
	SCHED_FLAG_SH_FALLBACK = 1 << 0,
	SCHED_FLAG_SH_PORT = 1 << 1,
	SCHED_FLAG_MH_FALLBACK = 1 << 2,
	SCHED_FLAG_MH_PORT = 1 << 3,
};

/* One service of a virtual-server group (keepalived's virtual_server_group):
 * an address and port, or a firewall mark. Ranges are expanded. */
struct vs_member {
	struct vaddr addr;            /* unset for a fwmark member */
	uint16_t port;
	uint32_t fwmark;
};

struct vs_conf {
	int line;
	char *name;                   /* optional; NULL when absent */
	/* A group's virtual server is one IPVS service per member, all with
	 * the same settings and real servers; addr, port and fwmark are then
	 * its first member's (its key for status, quorum and overrides). */
	char *group;                  /* NULL: the one service below */
	struct vs_member *members;
	unsigned n_members;
	struct vaddr addr;            /* unset for fwmark services */
	uint16_t port;
	uint32_t fwmark;              /* 0: an address:port service */
	int family;                   /* AF_INET/AF_INET6 (fwmark: `family` key) */
	enum vs_proto protocol;       /* default tcp */
	char scheduler[8];            /* default "wlc" */
	uint32_t sched_flags;         /* enum sched_flag */
	enum fwd_method fwd;          /* default nat */
	struct tun_conf tunnel;       /* the real servers' default */
	bool persistent;
	uint32_t persist_timeout;     /* s */
	struct vaddr persist_netmask; /* v4 netmask; unset = 255.255.255.255 */
	uint8_t persist_prefix;       /* v6 prefix length; default 128 */
	bool ops;
	double check_interval;        /* s; default 2.0 */
	unsigned quorum, hysteresis;  /* default 1, 0 */
	char *on_quorum_up, *on_quorum_down;
	bool has_sorry;
	struct vaddr sorry_addr;
	uint16_t sorry_port;          /* 0: the VS's port */
	enum fwd_method sorry_fwd;    /* default: the VS's forwarding */
	bool sorry_inhibit;           /* kept at weight 0 while the quorum holds */
	enum on_failure on_failure;   /* default remove */
	bool start_up;                /* real servers start up (default: down until first pass) */
	bool omega;                   /* at stop: notify_down of the up real servers, on_quorum_down */
	struct rs_conf *rs;
	unsigned n_rs;
};

/* The IPVS services of a virtual server: one per group member, else one. */
static inline unsigned vs_n_services(const struct vs_conf *v)
{
	return v->n_members ? v->n_members : 1;
}

enum vrrp_initial_state { VRRP_INIT_BACKUP, VRRP_INIT_MASTER };
enum vrrp_auth { VRRP_AUTH_NONE, VRRP_AUTH_PASS, VRRP_AUTH_AH };

/* A tracked object's weight counts while it has failed; with reverse,
 * while it is up instead (weight 0 reverse: fault while up). */
struct vrrp_track_if {
	char *name;
	int weight;                   /* 0: fault when down */
	bool reverse;
};

struct vrrp_track_script {
	char *name;                   /* refers to vrrp.scripts[].name */
	int weight;
	int line;
	bool reverse;
};

struct vrrp_track_proc {
	char *name;                   /* refers to vrrp.processes[].name */
	int weight;
	int line;
	bool reverse;
};

struct vrrp_track_file {
	char *path;
	int weight;
};

/* RFC 5798 §7.3 virtual MAC: a macvlan (private mode) on the instance's
 * interface with 00:00:5e:00:01:VRID (IPv6 :02:), carrying the addresses. */
struct vrrp_vmac_conf {
	bool on;
	bool xmit_base;               /* adverts from the base interface (unicast: always) */
	char ifname[16];              /* IFNAMSIZ; default vrrp.VRID, as keepalived */
};

struct vrrp_notify {
	char *master, *backup, *fault, *stop;
	char *all;                    /* every transition: type name state priority */
};

/* What moves with an instance besides its advertised addresses
 * (vigil.conf(5) ADDRESSES, ROUTES AND RULES): every address with its
 * options, routes and policy rules, installed while it is MASTER. */
struct vrrp_vaddr {
	struct vprefix p;
	char *dev;                    /* NULL: the instance's interface */
	char *label;                  /* IPv4 address label; NULL: none */
	uint8_t scope;                /* RT_SCOPE_*; default universe (0) */
	bool excluded;                /* not in the advert (keepalived's _excluded) */
	bool has_brd;
	struct vaddr brd;             /* IPv4 broadcast address */
};

enum vrrp_route_type { VRRP_RT_UNICAST, VRRP_RT_BLACKHOLE, VRRP_RT_UNREACHABLE,
		       VRRP_RT_PROHIBIT };
#define VRRP_SCOPE_UNSET 0xff        /* route scope: the kernel's usual choice */

struct vrrp_route {
	int line;
	struct vprefix to;            /* family: the route's */
	struct vaddr via;             /* gateway; unset: none */
	struct vaddr src;             /* preferred source; unset: none */
	char *dev;                    /* NULL: none (with via: the kernel's choice) */
	uint32_t table;               /* default 254 (main) */
	uint32_t metric;              /* 0: the kernel's default */
	uint8_t scope;                /* RT_SCOPE_* or VRRP_SCOPE_UNSET */
	uint8_t type;                 /* enum vrrp_route_type */
};

struct vrrp_rule {
	int line;
	int family;
	struct vprefix from, to;      /* addr unset: any */
	uint32_t table;               /* default 254 (main) */
	uint32_t priority;            /* 0: the kernel's choice */
	uint32_t fwmark, fwmask;      /* fwmark 0: none; fwmask 0: all bits */
	char *iif, *oif;              /* NULL: any */
};
/* Addresses one advert of ours carries (the wire allows 255): the codec's
 * cap (vrrp_pkt.h), which strict mode checks at load time. */
#define CONF_VRRP_MAX_ADDRS 20

struct vrrp_inst_conf {
	int line;
	char *name;
	char *interface;
	uint8_t vrid;                 /* 1..255 */
	uint8_t priority;             /* 1..255; default 100 */
	uint8_t version;              /* 2 | 3; default 3 */
	double advert_interval;       /* s; default 1.0 */
	bool preempt;                 /* default true */
	double preempt_delay;         /* s; default 0 */
	enum vrrp_initial_state initial_state;
	int family;                   /* of the addresses */
	struct vprefix *addrs;
	unsigned n_addrs;
	bool unicast;
	struct vaddr ucast_src;       /* unset: the interface's primary address */
	struct vaddr mcast_src;       /* multicast adverts' source; unset: as above */
	uint8_t ucast_ttl;            /* TTL / hop limit of unicast adverts; default 255 */
	uint8_t min_ttl, max_ttl;     /* unicast: accepted TTL range; default 0..255 (max 0: 255) */
	struct vaddr *peers;
	unsigned n_peers;
	enum vrrp_auth auth_type;
	char auth_pass[9];            /* up to 8 bytes, NUL-terminated */
	bool accept;                  /* v3 Accept_Mode */
	bool strict;                  /* RFC 5798 only: global vrrp_strict or the instance's
	                               * own `strict` (config_vrrp_strict.c) */
	unsigned garp_count;          /* default 5 */
	double garp_interval;         /* s between the burst's packets; default 0 */
	double garp_refresh;          /* s; 0 = off */
	double garp_delay;            /* s after becoming master: a second burst; 0 = none */
	unsigned garp_lower_prio_count;  /* per address when a master hears a lower one; default garp_count */
	struct vrrp_track_if *track_ifs;
	unsigned n_track_ifs;
	struct vrrp_track_script *track_scripts;
	unsigned n_track_scripts;
	struct vrrp_track_file *track_files;
	unsigned n_track_files;
	struct vrrp_track_proc *track_procs;
	unsigned n_track_procs;
	struct vrrp_notify notify;
	bool has_ipvs_sync;
	char *sync_interface;
	uint8_t syncid;
	/* moved with the instance: every address (the advertised ones
	 * first, in addrs' order, then the excluded ones), routes, rules */
	struct vrrp_vaddr *vaddrs;
	unsigned n_vaddrs;
	struct vrrp_route *routes;
	unsigned n_routes;
	struct vrrp_rule *rules;
	unsigned n_rules;
	struct vrrp_vmac_conf vmac;
};

struct vrrp_group_conf {
	int line;
	char *name;
	char **instances;
	unsigned n_instances;
	struct vrrp_notify notify;
};

/* vrrp.processes: running processes counted from the kernel's process
 * events (keepalived's vrrp_track_process; vrrp/vrrp_proc.h). */
enum vrrp_param_match {
	VRRP_PM_NONE,                 /* no parameters given: the name alone */
	VRRP_PM_EXACT,                /* argv[1..] equal to params */
	VRRP_PM_PARTIAL,              /* the first n parameters equal params */
	VRRP_PM_INITIAL               /* ... the last one only begins with params' last */
};

#define VRRP_PROCESSES_MAX 64       /* vrrp.processes: one bit each (vrrp_proc.h) */

struct vrrp_process_conf {
	int line;
	char *name;
	char *process;                /* the name (comm), or argv[0] with params/full_command */
	char **params;
	unsigned n_params;
	enum vrrp_param_match param_match;
	bool full_command;            /* match argv[0] rather than the 15-byte name */
	unsigned quorum;              /* default 1 */
	unsigned quorum_max;          /* default UINT_MAX: no maximum */
	double fork_delay;            /* s the quorum must hold before it counts as up */
	double terminate_delay;       /* s it must be lost before it counts as down */
};

struct vrrp_script_conf {
	int line;
	char *name;
	char *command;
	double interval;              /* default 2 */
	double timeout;               /* default: interval */
	unsigned rise, fall;          /* default 1, 1 */
};

/* One virtual address announced to routing while the director is healthy
 * for it (daemon/announce.c, vigil.conf(5) ANNOUNCE). */
enum announce_need { ANNOUNCE_NEED_ALL, ANNOUNCE_NEED_ANY };

struct announce_addr_conf {
	int line;
	struct vaddr addr;
	enum announce_need need;      /* which services must have quorum; default all */
	char *vrrp_instance;          /* NULL: no VRRP condition; else only while MASTER */
};

struct announce_conf {
	char *interface;              /* the tun device vigild owns; default "vigil0" */
	uint32_t table;               /* routing table; default 254 (main) */
	uint8_t protocol;             /* route protocol; default 77 ("vigil") */
	struct announce_addr_conf *addrs;
	unsigned n_addrs;
	/* ipvs_sync: a master and a backup sync daemon at once, from start to
	 * stop, so every active director knows every director's connections */
	char *sync_interface;         /* NULL: no sync daemon of the announce section */
	uint8_t syncid;
};

struct global_conf {
	char *router_id;              /* default: hostname */
	char *script_user;            /* default "nobody" */
	bool script_security;         /* default true */
	char *control_socket;         /* default /run/vigil/vigil.sock */
	bool keep_ipvs_on_exit;       /* default false */
	char *http_listen;            /* NULL: off */
	char *snmp_agentx;            /* NULL: off */
	bool snmp_traps;              /* default false: SNMP notifications */
	bool vrrp_realtime;           /* default true: SCHED_RR for the vrrp child where permitted */
	bool vrrp_mlock;              /* default true: mlockall in the vrrp child */
	double vrrp_startup_delay;    /* s the vrrp child waits before starting instances */
	bool vrrp_strict;             /* default false: every instance strict (keepalived's vrrp_strict) */
	char *notify_fifo;            /* NULL: off; keepalived's notify FIFO lines */
	/* net.ipv4.vs sysctls set with the sync daemon; -1: the kernel's own */
	int sync_threshold, sync_period;   /* default 2, 50 */
	int sync_refresh_period;      /* s; default -1 */
	int sync_retries;             /* 0..3; default -1 */
	int log_facility;             /* syslog facility (LOG_LOCAL0...); default LOG_DAEMON */
	/* IPVS connection timeouts, s (keepalived's lvs_timeouts); 0: left
	 * as the kernel has it */
	uint32_t ipvs_tcp, ipvs_tcp_fin, ipvs_udp;
};

struct conf {
	char *path;                   /* the file it was loaded from */
	struct global_conf global;
	struct vs_conf *vs;
	unsigned n_vs;
	struct vrrp_inst_conf *vrrp;
	unsigned n_vrrp;
	struct vrrp_group_conf *groups;
	unsigned n_groups;
	struct vrrp_script_conf *scripts;
	unsigned n_scripts;
	struct vrrp_process_conf *processes;
	unsigned n_processes;
	struct announce_conf announce;   /* n_addrs 0: nothing announced */
};

const char *check_type_str(enum check_type t);
const char *fwd_method_str(enum fwd_method f);
const char *vs_proto_str(enum vs_proto p);

#endif
