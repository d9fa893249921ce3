/*
 * privdrop: how the checker child gives up root. It parses bytes from
 * real servers (HTTP, TLS, SMTP, DNS), so after start it runs as
 * global.script_user, with that user's groups (its check scripts inherit
 * them: the credentials proc_spawn.h gives every script), and one capability
 * left, CAP_NET_RAW (raw ICMP sockets for ping checks when
 * net.ipv4.ping_group_range does not admit its group), and no way back:
 * the bounding set holds nothing else and PR_SET_NO_NEW_PRIVS stops
 * setuid binaries and file capabilities in the scripts it runs.
 *
 *   root ─KEEPCAPS─> bounding := {NET_RAW} ─setres[gu]id(user)─>
 *        caps := {NET_RAW} (permitted, effective) ─> NO_NEW_PRIVS
 */
#ifndef VIGIL_PRIVDROP_H
#define VIGIL_PRIVDROP_H

struct errbuf;

/* The user operator commands and the checker run as: `configured` when
 * it exists, else "nobody" (into buf, which has len bytes). */
const char *priv_script_user(const char *configured, char *buf, unsigned len);

/* Drops to `user` keeping only CAP_NET_RAW. Without root (a test run by
 * hand) it changes nothing and returns 1; 0 when dropped; -errno with a
 * message in eb when a step failed (the caller must not carry on). */
int priv_drop_checker(const char *user, struct errbuf *eb);

/* The snmp child (net-snmp, parsing what the AgentX master sends) as
 * `user` with no capability at all, in no set, and NO_NEW_PRIVS. The
 * same returns as priv_drop_checker. */
int priv_drop_snmp(const char *user, struct errbuf *eb);

/* The vrrp child stays uid 0 (it owns addresses, routes and raw sockets)
 * but keeps only the capabilities it uses, in every set, the bounding set
 * included: NET_ADMIN (addresses, routes), NET_RAW (VRRP and ARP/NA
 * sockets), SETUID and SETGID (track scripts run as script_user), KILL
 * (their process group at a timeout), SYS_NICE and IPC_LOCK (realtime
 * scheduling, locked memory) and DAC_READ_SEARCH (re-reading included
 * files, watching track files). No module loading, no ptrace, no mounts,
 * no raw I/O, no writing another user's files. 1 without root; 0; or
 * -errno with eb set. */
int priv_limit_vrrp(struct errbuf *eb);

#endif
