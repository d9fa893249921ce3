/*
 * conf_fields: the pointer fields of the configuration structs, as lists
 * the packer (conf_pack.c) and the copier (conf_copy.c) both expand, so
 * that neither can forget a string or an array the other knows of. A
 * pointer added to a struct of common/conf.h goes in its list here (the
 * size asserts in both files say when a struct changed).
 */
#ifndef VIGIL_CONF_FIELDS_H
#define VIGIL_CONF_FIELDS_H

#define CHECK_STRS(X) X(path) X(host) X(method) X(digest) X(regex) X(expect) X(ca_file) X(sni) \
	X(helo_name) X(query) X(qtype) X(payload) X(payload_hex) X(reply_hex) X(command)
#define RS_STRS(X) X(notify_up) X(notify_down)
#define VS_STRS(X) X(name) X(group) X(on_quorum_up) X(on_quorum_down)
#define NOTIFY_STRS(X) X(master) X(backup) X(fault) X(stop) X(all)
#define INST_STRS(X) X(name) X(interface) X(sync_interface) X(notify.master) \
	X(notify.backup) X(notify.fault) X(notify.stop) X(notify.all)
#define GROUP_STRS(X) X(name) X(notify.master) X(notify.backup) X(notify.fault) X(notify.stop) \
	X(notify.all)
#define SCRIPT_STRS(X) X(name) X(command)
#define PROC_STRS(X) X(name) X(process)
#define PROC_ARRAYS(X) X(params, n_params)
#define CONF_STRS(X) X(path) X(global.router_id) X(global.script_user) \
	X(global.control_socket) X(global.http_listen) X(global.snmp_agentx) \
	X(global.notify_fifo) X(announce.interface) X(announce.sync_interface)
#define NAME_STRS(X) X(name)
#define VADDR_STRS(X) X(dev) X(label)
#define ROUTE_STRS(X) X(dev)
#define RULE_STRS(X) X(iif) X(oif)
#define PATH_STRS(X) X(path)
#define NO_STRS(X)
/* Arrays: what each struct points to besides strings. The count is
 * written before the elements; the struct's own count field is cleared
 * with the pointer and set again as elements are read back. */
#define RS_ARRAYS(X) X(checks, n_checks)
#define VS_ARRAYS(X) X(rs, n_rs) X(members, n_members)
#define INST_ARRAYS(X) X(addrs, n_addrs) X(peers, n_peers) X(track_ifs, n_track_ifs) \
	X(track_scripts, n_track_scripts) X(track_files, n_track_files) \
	X(vaddrs, n_vaddrs) X(routes, n_routes) X(rules, n_rules) \
	X(track_procs, n_track_procs)
#define GROUP_ARRAYS(X) X(instances, n_instances)
/* announce.addrs is cleared and never sent: only the parent announces. */
#define CONF_ARRAYS(X) X(vs, n_vs) X(vrrp, n_vrrp) X(groups, n_groups) X(scripts, n_scripts) \
	X(processes, n_processes) X(announce.addrs, announce.n_addrs)

#endif
