#!/usr/bin/env python3
"""Writes one check load in two languages: vigil.conf and keepalived.conf.
N real servers at 127.A.B.C:8000 (loopback: one nginx bound to 0.0.0.0
answers them all), 100 per virtual server (192.0.2.x:80, never carries
traffic), each checked every second by one TCP or HTTP check. "half":
vigild's half-open TCP check; keepalived has none, so it gets TCP_CHECK.
"reuse": vigild's HTTP check with reuse_connection; keepalived gets HTTP_GET.

   gen-checks.py N tcp|half|http|reuse OUTDIR SOCKET
"""
import os
import sys

n, kind, out, sock = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
PER_VS = 100


def rip(j):
    return "127.%d.%d.%d" % (1 + j // 62500, (j // 250) % 250, 1 + j % 250)


def vip(i):
    return "192.0.2.%d" % (1 + i % 250), 80 + i // 250


with open(os.path.join(out, "vigil.conf"), "w") as v, \
     open(os.path.join(out, "keepalived.conf"), "w") as k:
    v.write('global = { control_socket = "%s"; };\nvirtual_servers = (\n' % sock)
    k.write("global_defs {\n  router_id bench\n}\n")
    n_vs = (n + PER_VS - 1) // PER_VS
    for i in range(n_vs):
        a, p = vip(i)
        v.write('  { address = "%s"; port = %d; scheduler = "rr"; check_interval = 1.0;\n'
                '    real_servers = (\n' % (a, p))
        k.write("virtual_server %s %d {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n"
                "  protocol TCP\n" % (a, p))
        rs = range(i * PER_VS, min(n, (i + 1) * PER_VS))
        for j in rs:
            chk = {"tcp": '{ type = "tcp"; timeout = 3.0; }',
                   "half": '{ type = "tcp"; half_open = true; timeout = 3.0; }',
                   "http": '{ type = "http"; path = "/"; timeout = 3.0; }',
                   "reuse": '{ type = "http"; path = "/"; reuse_connection = true; '
                            'timeout = 3.0; }'}[kind]
            v.write('      { address = "%s"; port = 8000; checks = ( %s ); }%s\n'
                    % (rip(j), chk, "," if j != rs[-1] else ""))
            kchk = ("    TCP_CHECK {\n      connect_timeout 3\n    }\n"
                    if kind in ("tcp", "half") else
                    "    HTTP_GET {\n      url {\n        path /\n        status_code 200\n"
                    "      }\n      connect_timeout 3\n    }\n")
            k.write("  real_server %s 8000 {\n    weight 1\n%s  }\n" % (rip(j), kchk))
        v.write("    ); }%s\n" % ("," if i != n_vs - 1 else ""))
        k.write("}\n")
    v.write(");\n")
