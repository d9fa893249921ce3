#!/usr/bin/env python3
"""Writes one IPVS table in three languages: vigil.conf, ipvsadm-restore
rules and keepalived.conf. Services 192.0.2.0/24 + 198.51.100.0/24 port
1..; destinations in 203.0.113.0/24 and 2001:db8::/32 never carry traffic.

   gen-tables.py SERVICES DESTS OUTDIR [SOCKET]
"""
import os
import sys

n_svc, n_dst, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
sock = sys.argv[4] if len(sys.argv) > 4 else "/run/vigil-bench/vigil.sock"


def vip(i):
    return "192.0.2.%d" % (1 + i % 250), 1000 + i // 250


def rip(j):
    return "203.0.113.%d" % (1 + j % 250), 8000 + j // 250


with open(os.path.join(out, "vigil.conf"), "w") as v, \
     open(os.path.join(out, "rules"), "w") as r, \
     open(os.path.join(out, "keepalived.conf"), "w") as k:
    v.write('global = { control_socket = "%s"; };\nvirtual_servers = (\n' % sock)
    k.write("global_defs {\n  router_id bench\n}\n")
    for i in range(n_svc):
        a, p = vip(i)
        v.write('  { address = "%s"; port = %d; scheduler = "wlc"; real_servers = (\n' % (a, p))
        r.write("-A -t %s:%d -s wlc\n" % (a, p))
        k.write("virtual_server %s %d {\n  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n" % (a, p))
        for j in range(n_dst):
            ra, rp = rip(j)
            sep = "," if j < n_dst - 1 else ""
            v.write('    { address = "%s"; port = %d; weight = 1; }%s\n' % (ra, rp, sep))
            r.write("-a -t %s:%d -r %s:%d -m -w 1\n" % (a, p, ra, rp))
            k.write("  real_server %s %d {\n    weight 1\n  }\n" % (ra, rp))
        v.write("  ) }%s\n" % ("," if i < n_svc - 1 else ""))
        k.write("}\n")
    v.write(");\n")
