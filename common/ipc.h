/*
 * ipc: framed messages between vigild and its children over a socketpair.
 *
 *   +--------+--------+----------------+---------------------+
 *   | type16 | len16  | id32           | payload (len bytes) |
 *   +--------+--------+----------------+---------------------+
 *
 * Host byte order (both ends are the same machine). Every type has a
 * payload size range in one table (relayd's IMSG_SIZE_CHECK); a frame with
 * an unknown type or a payload outside its range is malformed, and the
 * caller ends that connection. The buffers here do no I/O policy: callers
 * own the fd and its libev watchers.
 */
#ifndef VIGIL_IPC_H
#define VIGIL_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct errbuf;

struct ipc_hdr {
	uint16_t type;
	uint16_t len;
	uint32_t id;
};

enum ipc_type {
	IPC_READY = 1,        /* child -> parent: initialised; struct ipc_ready */
	IPC_HEARTBEAT,        /* both ways: struct ipc_heartbeat; parent pings, child echoes */
	IPC_RELOAD,           /* parent -> child: apply configuration generation N; struct ipc_reload */
	IPC_RELOAD_DONE,      /* child -> parent: struct ipc_reload_done + error text */
	IPC_STATE_DUMP,       /* parent -> child: log your full state (SIGUSR1); empty */
	IPC_CHECK_RESULT,     /* checker -> parent: one check result */
	IPC_VRRP_STATE,       /* vrrp -> parent: instance, group or interface state */
	IPC_CHECKER_STATS,    /* checker -> parent: struct ipc_checker_stats, every few s */
	IPC_CONF_DATA,        /* parent -> child: a piece of a configuration blob; struct ipc_conf_data + bytes */
	IPC_SNMP_VRRP,        /* parent -> snmp: one VRRP instance or interface; struct ipc_snmp_vrrp */
	IPC_SNMP_SUMMARY,     /* parent -> snmp: the director and its children; struct ipc_snmp_summary */
	IPC_SNMP_VS,          /* parent -> snmp: one virtual server; struct ipc_snmp_vs */
	IPC_SNMP_RS,          /* parent -> snmp: one real server; struct ipc_snmp_rs + its checks */
	IPC__MAX
};

#define IPC_MAX_PAYLOAD 16384u
#define IPC_FRAME_MAX (sizeof(struct ipc_hdr) + IPC_MAX_PAYLOAD)

struct ipc_ready {
	int32_t pid;
	uint32_t generation;      /* config generation the child runs */
};

struct ipc_heartbeat {
	uint64_t seq;
};

/* A configuration reaches a child as the blob of config/conf_pack.h, in
 * IPC_CONF_DATA pieces in order, then IPC_RELOAD naming its generation,
 * size and hash: the child never reads the file. */
struct ipc_reload {
	uint32_t generation;
	uint32_t size;            /* bytes of the blob */
	uint64_t hash;            /* conf_hash() of the blob */
};

struct ipc_conf_data {
	uint32_t generation;
	uint32_t offset;          /* of this piece in the blob */
	uint32_t total;           /* the blob's size */
	uint32_t reserved;
	/* followed by the piece's bytes */
};

/* A blob larger than this is refused by the child. */
#define IPC_CONF_MAX (256u << 20)

struct ipc_reload_done {
	uint32_t generation;
	int32_t status;           /* 0 ok, else -errno; error text follows */
};

/* IPC_CHECK_RESULT: one per (virtual server, real server) that uses a
 * probe, sent by the checker on every completion of that probe (so at
 * least once per interval per check; each change is therefore also sent
 * at once). Indexes refer to the configuration of `generation`; the parent
 * drops results of any other generation. States: enum ipc_chk_state. */
enum ipc_chk_state { IPC_CHK_UNKNOWN, IPC_CHK_UP, IPC_CHK_DOWN };

#define IPC_LAT_BUCKETS 15

struct ipc_check_result {
	uint32_t generation;
	uint32_t vs;              /* index in conf->vs */
	uint32_t rs;              /* index in vs->rs */
	uint16_t check;           /* index in rs->checks */
	uint8_t rs_state;         /* AND of the real server's checks after rise/fall;
				   * UNKNOWN: a check has no verdict yet */
	uint8_t check_state;      /* this check after rise/fall */
	uint8_t pass;             /* this run's raw result: 1 pass, 0 fail */
	uint8_t pad[3];
	int32_t weight;           /* dynamic weight (script checks), or -1 */
	uint32_t latency_us;
	uint32_t passes;          /* consecutive */
	uint32_t failures;        /* consecutive */
	uint32_t reason;          /* checkers' enum chk_reason */
	uint32_t pad2;
	/* The probe's runs since its last report, by latency: a result is not
	 * sent after every run (refresh), so latency_us alone would sample;
	 * these count every run once (the other uses of a shared probe carry
	 * zeros). Bucket b counts latencies <= ipc_lat_bounds_us[b] and above
	 * the bound before; the last bucket has no upper bound. */
	uint64_t lat_sum_us;
	uint32_t lat_runs[IPC_LAT_BUCKETS];
	/* followed by the reason text, not NUL-terminated, up to 255 bytes */
};

/* The upper bounds of the latency buckets, microseconds (the last bucket,
 * IPC_LAT_BUCKETS - 1, is +Inf); ipc_lat_bucket maps a latency to its. */
extern const uint32_t ipc_lat_bounds_us[IPC_LAT_BUCKETS - 1];
unsigned ipc_lat_bucket(uint32_t latency_us);

/* IPC_CHECKER_STATS: the checker engine's counters since the checker
 * started (a restarted checker starts again from 0). */
struct ipc_checker_stats {
	uint32_t probes;          /* distinct probes now */
	uint32_t pad;
	uint64_t runs;            /* probe runs completed */
	uint64_t reports;         /* results sent to the parent */
	uint64_t reports_unchanged;   /* results not sent: nothing new (refresh) */
	uint64_t syn_sent;        /* half-open tcp: SYNs sent */
	uint64_t syn_replies;     /* SYN-ACK or RST matched to a probe */
	uint64_t syn_stray;       /* segments to our port matching no probe */
	uint64_t syn_malformed;   /* segments or errors that could not be read */
	uint64_t syn_dropped;     /* dropped by the kernel: queue full */
};

/* IPC_VRRP_STATE: the vrrp child's report on one instance, sync group or
 * receiving interface. Sent at once on every transition (changed = 1) and
 * once a second for every object (changed = 0) so the parent's view of
 * the counters and timers is never more than a second old; the parent
 * answers `vigilctl vrrp` and status from the last one. state is the
 * vrrp/vrrp_fsm.h enum vrrp_state, rejected[] is indexed by vrrp/vrrp_pkt.h enum
 * vrrp_rx (the daemon checks that it fits). Interfaces carry only the
 * rejects that no instance could be blamed for (unknown VRID, too short
 * to tell). */
enum ipc_vrrp_kind { IPC_VRRP_INSTANCE = 1, IPC_VRRP_GROUP, IPC_VRRP_IFACE };

#define IPC_VRRP_NAME_MAX 64
#define IPC_VRRP_REASONS 24

struct ipc_vrrp_state {
	uint32_t generation;
	uint8_t kind;             /* enum ipc_vrrp_kind */
	uint8_t state;            /* enum vrrp_state */
	uint8_t prev_state;       /* before this transition (changed = 1) */
	uint8_t changed;          /* 1: a transition; 0: a periodic refresh */
	uint8_t base_priority;    /* configured */
	uint8_t priority;         /* effective (tracking applied) */
	uint8_t master_priority;  /* of the master seen; 0 unknown */
	uint8_t family;           /* AF_INET / AF_INET6 (instances, interfaces) */
	char name[IPC_VRRP_NAME_MAX];   /* NUL-terminated */
	char reason[64];          /* why the last transition happened */
	uint8_t master[16];       /* address of the master seen (family's length) */
	uint8_t master_known;
	uint8_t fault_reasons;    /* count of trackers holding a fault */
	uint8_t master_reason;    /* enum ipc_vrrp_master_reason: why it last became master */
	uint8_t proto_err;        /* enum vrrp_rx of the last TTL, version or checksum reject */
	uint8_t primary_known;    /* primary holds the address adverts are sent from */
	uint8_t auth_err;         /* enum vrrp_rx of the last v2 authentication reject */
	uint8_t pad[2];
	uint8_t primary[16];      /* (family's length) */
	uint8_t auth_src[16];     /* the sender of that advert (family's length) */
	double master_down_in;    /* s until the master-down timer fires; < 0: not running */
	double adver_int;         /* s: our interval */
	double master_adver_int;  /* s: learned from the master (v3) */
	double since;             /* wall clock of the last transition */
	double up_since;          /* wall clock it last left INIT (or STOPPED); 0: not up */
	uint64_t sent;            /* adverts sent */
	uint64_t received;        /* usable adverts received */
	uint64_t transitions;
	uint64_t garp_sent;
	uint64_t became_master;   /* transitions to MASTER */
	uint64_t pri0_sent;       /* adverts of priority 0 sent (leaving MASTER) */
	uint64_t pri0_received;
	uint64_t rejected[IPC_VRRP_REASONS];
};

/* Why an instance last became master; the values are RFC 6527's
 * vrrpv3StatisticsNewMasterReason. */
enum ipc_vrrp_master_reason {
	IPC_VRRP_MR_NONE,         /* never master */
	IPC_VRRP_MR_PRIORITY,     /* the master sent priority 0 */
	IPC_VRRP_MR_PREEMPTED,    /* we preempted a lower master, or own the addresses */
	IPC_VRRP_MR_NO_RESPONSE,  /* the master-down timer expired */
};

/* IPC_SNMP_VRRP: the parent's translation of an IPC_VRRP_STATE for the
 * snmp child, which may not know the vrrp code's enums (the layering):
 * states, reasons and counters are spelled out here. Sent for every
 * report the vrrp child makes (at once on a transition, else every
 * second) and, when the snmp child (re)starts, once for every object the
 * parent knows. Interfaces (kind IPC_VRRP_IFACE) carry only the counters
 * no instance could be blamed for. */
enum ipc_snmp_vstate {
	IPC_SNMP_VS_INIT, IPC_SNMP_VS_BACKUP, IPC_SNMP_VS_MASTER, IPC_SNMP_VS_FAULT,
	IPC_SNMP_VS_STOPPED,
};

/* RFC 6527 vrrpv3StatisticsProtoErrReason. */
enum ipc_snmp_proto_err {
	IPC_SNMP_PE_NONE, IPC_SNMP_PE_TTL, IPC_SNMP_PE_VERSION, IPC_SNMP_PE_CHECKSUM,
	IPC_SNMP_PE_VRID,
};

struct ipc_snmp_vrrp {
	uint32_t generation;      /* the parent's configuration generation */
	uint8_t kind;             /* IPC_VRRP_INSTANCE or IPC_VRRP_IFACE */
	uint8_t state;            /* enum ipc_snmp_vstate */
	uint8_t prev_state;       /* before this transition (changed = 1) */
	uint8_t changed;          /* 1: a transition */
	uint8_t family;           /* AF_INET / AF_INET6 */
	uint8_t priority;         /* effective */
	uint8_t master_reason;    /* enum ipc_vrrp_master_reason */
	uint8_t proto_err;        /* enum ipc_snmp_proto_err: the last one */
	uint8_t master_known;     /* 1: master holds the master's address; 2: we are it */
	uint8_t primary_known;
	uint8_t auth_err;         /* vrrpTrapAuthErrorType of the last v2 authentication reject */
	uint8_t pad[5];
	char name[IPC_VRRP_NAME_MAX];   /* NUL-terminated */
	uint8_t master[16];
	uint8_t primary[16];      /* the address adverts are sent from */
	uint8_t auth_src[16];     /* the sender of that advert */
	double up_since;          /* wall clock it left INIT; 0: not up */
	uint64_t became_master, adverts_received, adverts_sent, pri0_received, pri0_sent;
	uint64_t err_interval, err_ttl, err_type, err_addr_list, err_length;
	uint64_t err_checksum, err_version, err_vrid, err_auth_type, err_auth;
};

/* VIGIL-MIB rows (mibs/VIGIL-MIB.txt), sent by the parent every few
 * seconds while the snmp child runs (a summary, then every virtual
 * server and real server of that generation), after a reload, and at
 * once with an event set when a real server, a quorum or a child changes.
 * Enumerations hold the MIB's values; times are ages in seconds at the
 * moment of sending (the processes' clocks need not agree); an event
 * message that carries only what changed has full = 0 and the snmp child
 * keeps the other columns it has. */
#define IPC_SNMP_PROCS 3          /* checker, vrrp, snmp: vigilProcIndex 1..3 */
#define IPC_SNMP_TEXT 64          /* octets of a DisplayString column */

struct ipc_snmp_proc {
	char name[16];
	uint8_t state;            /* vigilProcState: enum child_state + 1 */
	uint8_t pad[3];
	int32_t pid;
	uint32_t restarts, generation;
	double uptime;            /* s; 0: not running */
};

struct ipc_snmp_summary {
	uint32_t generation;
	uint32_t n_vs;            /* rows of vigilVsTable that follow */
	uint8_t ipvs;             /* 1: the kernel's IPVS table is reachable */
	uint8_t restarted;        /* event: vigilProcIndex of a child restarted, or 0 */
	uint8_t have_checker;     /* the checker's counters below are known */
	uint8_t pad[5];
	double uptime, conf_age;  /* s */
	char version[32];
	struct ipc_snmp_proc procs[IPC_SNMP_PROCS];
	uint32_t checker_probes, pad2;
	uint64_t checker_runs, checker_reports;
};

/* IPVS counters and the kernel's rate estimates, per second. */
struct ipc_snmp_traffic {
	uint64_t conns, inpkts, outpkts, inbytes, outbytes;
	uint64_t cps, inpps, outpps, inbps, outbps;
};

enum ipc_snmp_event { IPC_SNMP_EV_NONE, IPC_SNMP_EV_UP, IPC_SNMP_EV_DOWN };

struct ipc_snmp_vs {
	uint32_t generation;
	uint32_t vs;              /* position in virtual_servers, from 0 */
	uint32_t n_rs, n_rs_up;
	uint32_t fwmark, quorum, alive_weight;
	uint8_t family;           /* AF_INET, AF_INET6; 0 for fwmark */
	uint8_t protocol;         /* vigilVsProtocol */
	uint8_t quorum_state;     /* vigilVsQuorumState */
	uint8_t sorry, in_kernel;
	uint8_t event;            /* enum ipc_snmp_event: quorum regained (UP) or lost (DOWN) */
	uint8_t full;             /* 0: only quorum_state, alive_weight and sorry are fresh */
	uint8_t pad;
	uint16_t port;
	uint16_t pad2;
	uint8_t addr[16];
	char name[IPC_SNMP_TEXT], service[IPC_SNMP_TEXT], sched[16];
	struct ipc_snmp_traffic traffic;   /* valid with in_kernel */
};

struct ipc_snmp_check {
	char type[16];
	char reason[IPC_SNMP_TEXT];
	uint8_t state;            /* VigilHealthState */
	uint8_t last;             /* vigilCheckLastResult */
	uint8_t pad[2];
	uint32_t latency_us, passes, failures, rise, fall;
};

#define IPC_SNMP_CHECKS_MAX 64    /* checks of one real server carried */

struct ipc_snmp_rs {
	uint32_t generation;
	uint32_t vs, rs;          /* positions, from 0 */
	uint8_t family, fwd;      /* fwd: vigilRsForwarding */
	uint8_t state;            /* VigilHealthState */
	uint8_t override;         /* vigilRsOverride */
	uint8_t in_kernel, wanted;   /* wanted: vigild wants it in the table */
	uint8_t event;            /* enum ipc_snmp_event: became up or down */
	uint8_t full;             /* 0: only the health fields and checks are fresh */
	uint16_t port;
	uint8_t n_checks;         /* struct ipc_snmp_check that follow */
	uint8_t pad;
	int32_t weight_conf, weight_wanted, weight_kernel;
	uint32_t active_conns, inactive_conns;
	double state_age, result_age;   /* s; < 0: never */
	uint8_t addr[16];
	char reason[IPC_SNMP_TEXT];
	struct ipc_snmp_traffic traffic;   /* valid with in_kernel */
};

/* Name of a type for log lines ("heartbeat"), or "unknown". */
const char *ipc_type_str(uint16_t type);

/* Checks a header against the size table. Returns 0 or -EBADMSG with a
 * message in eb. */
int ipc_check(const struct ipc_hdr *h, struct errbuf *eb);

/* One connection's buffers. */
struct ipc_conn {
	uint8_t in[2 * IPC_FRAME_MAX];
	size_t in_used;
	size_t in_handed;         /* bytes of the frame last returned by next() */
	uint8_t *out;
	size_t out_used, out_cap;
	uint64_t frames_in, frames_out;
};

void ipc_conn_init(struct ipc_conn *c);
void ipc_conn_free(struct ipc_conn *c);

/* Reads what fd has. Returns bytes read (>0), 0 on EOF, -EAGAIN when there
 * was nothing, or another -errno. */
long ipc_conn_read(struct ipc_conn *c, int fd);

/* Takes the next complete frame from the input buffer. Returns 1 and sets
 * *hdr and *payload (valid until the next call), 0 when more bytes are
 * needed, -EBADMSG on a malformed frame (message in eb). */
int ipc_conn_next(struct ipc_conn *c, struct ipc_hdr *hdr, const void **payload,
		  struct errbuf *eb);

/* Appends a frame to the output buffer. Returns 0, -EMSGSIZE or -ENOMEM. */
int ipc_conn_queue(struct ipc_conn *c, uint16_t type, uint32_t id,
		   const void *payload, size_t len);
/* Same with a payload in two parts (fixed struct + variable text). */
int ipc_conn_queue2(struct ipc_conn *c, uint16_t type, uint32_t id,
		    const void *p1, size_t l1, const void *p2, size_t l2);

/* Writes as much of the output buffer as fd takes. Returns 0 when all was
 * written, 1 when some is left (wait for POLLOUT), or -errno. */
int ipc_conn_flush(struct ipc_conn *c, int fd);

static inline bool ipc_conn_pending(const struct ipc_conn *c)
{
	return c->out_used > 0;
}

#endif
