#!/usr/bin/env python3
"""The comparisons of t_convert_equiv.sh (in the VM), one subcommand each.

  timing CONV...         when keepalived has surely concluded, one line per
                         file: "CHK DEADLINE VRRP" in seconds after its start,
                         from the converted file (it writes every keepalived
                         default out)
  settled JSON           exit 0 when vigild's status (vigilctl status --json)
                         has every check concluded (no check state "unknown")
  adverts NS PCAP OUT... the last advert of each (interface, VRID, version, family)
                         sent in the capture taken in NS, one line each, to OUT
  explain DIFF REPORT SRCDIR
                         exit 0 when every line of the unified diff DIFF is
                         accounted for by a "FILE:LINE: not converted: ..."
                         line of REPORT inside the keepalived block (service
                         or VRRP instance) the diff line belongs to; prints
                         what explains what, or what does not.

Every probe of the bed fails at once (the real servers are behind an
unreachable route), so both daemons conclude every check "down", and the
tables are compared once both have: vigild says so itself; keepalived
has when its retries are spent (warmup + retry * delay_before_retry,
each probe failing at once; the deadline adds every timeout in case one
does not).
"""
import json
import os
import re
import subprocess
import sys


def nums(text, key):
    return [float(v) for v in re.findall(r'\b%s = ([0-9.]+);' % key, text)]


def timing(conv):
    text = open(conv).read()
    fast = slow = 0.0
    # retry and retry_delay are written together, in this order.
    for m in re.finditer(r'timeout = ([0-9.]+);(?:(?!\}).)*?retry = (\d+);\s*retry_delay = ([0-9.]+);',
                         text, re.S):
        t, r, d = float(m.group(1)), int(m.group(2)), float(m.group(3))
        fast = max(fast, r * d)
        slow = max(slow, r * d + (r + 1) * t)
    # a check's timeout (not a persistence timeout: "persistence = { timeout")
    slow = max([slow] + [2 * float(t) for t in
                         re.findall(r'(?<!\{ )\btimeout = ([0-9.]+);', text)])
    # keepalived's default warmup is the delay_loop: its first run of a
    # check is at random within it (vigil's likewise within the interval).
    warm = max(nums(text, 'warmup') + [0.0])
    for svc in re.split(r'\n  # from [^\n]*: virtual_server', text)[1:]:
        if 'checks = (' in svc:
            warm = max([warm] + nums(svc, 'check_interval') + nums(svc, 'interval'))
    adv = max(nums(text, 'advert_interval') + [0.0])
    # a track script's verdict: its first run at start, then fall (or
    # rise) runs an interval apart, each up to its timeout
    track = 0.0
    for blk in re.findall(r'\{[^{}]*\bcommand = [^{}]*\}', text.split('instances = (')[0]):
        n = max([1.0] + nums(blk, 'fall') + nums(blk, 'rise'))
        track = max(track, (n - 1) * max(nums(blk, 'interval') + [1.0])
                    + max(nums(blk, 'timeout') + [1.0]))
    # keepalived starts its checkers 1 s after it starts (BOOTSTRAP_DELAY).
    chk = 1 + warm + fast + 2
    vrrp = (3 * adv + 2 + track) if adv else 0
    print('%.1f %.1f %.1f' % (chk, max(chk, 1 + warm + slow + 2) + 10, vrrp))


def settled(path):
    try:
        st = json.load(open(path))
    except (OSError, ValueError):
        return 1
    for vs in st.get('virtual_servers') or []:
        for rs in vs.get('real_servers') or []:
            for ck in ((rs.get('health') or {}).get('checks') or []):
                if ck.get('state') == 'unknown':
                    return 1
    return 0


ADV = re.compile(r'(\S+) > (\S+): (?:.*?: )?VRRPv(\d), Advertisement, vrid (\d+), prio (\d+),'
                 r'(?: authtype (\S+),)? intvl (\d+c?s),.*?(?:addrs(?:\(\d+\))?: (.*?))?'
                 r'(?: auth "[^"]*")?$')


HEAD = re.compile(r'^\d+\.\d+ (\S+)\s+(\S+)\s+IP6? ')


def adverts(ns, pcap, dest):
    """A capture of -i any in LINUX_SLL2, read in the namespace it was
    taken in (so that interface numbers are named as there): what the
    host sent, its last advert per interface, version, VRID and family."""
    last = {}
    if True:
        out = subprocess.run(['ip', 'netns', 'exec', ns, 'tcpdump', '-r', pcap, '-n', '-vv', '-tt'],
                             capture_output=True, text=True).stdout
        ifn = sent = None
        for line in out.splitlines():
            h = HEAD.match(line)          # IPv6: the advert on the same line
            if h:
                ifn, sent = h.group(1), h.group(2) == 'Out'
            m = ADV.search(line.strip())
            if not m or not sent:
                continue
            src, dst, ver, vrid, prio, auth, intvl, addrs = m.groups()
            # an IPv4 and an IPv6 instance may share a VRID on one interface
            key = '%s v%s vrid %s %s' % (ifn, ver, vrid, 'inet6' if ':' in src else 'inet')
            last[key] = '%s %s > %s prio %s auth %s intvl %s addrs %s' % (
                key, src, dst.rstrip(':'), prio, auth or '-', intvl,
                ' '.join(sorted((addrs or '').replace(',', ' ').split())))
    with open(dest, 'w') as f:
        for k in sorted(last):
            f.write(last[k] + '\n')


# ---- explain ---------------------------------------------------------------

def strip(line):
    return re.sub(r'[#!].*', '', line)


def blocks(path):
    """(start, end, words of the header) of every block of a keepalived file."""
    lines = open(path, errors='replace').read().split('\n')
    out, stack = [], []
    for i, raw in enumerate(lines, 1):
        line = strip(raw)
        for m in re.finditer(r'[{}]', line):
            if m.group() == '{':
                head = line[:m.start()].split()
                if not head and i > 1:   # brace on a line of its own
                    head = strip(lines[i - 2]).split()
                stack.append((i, head))
            elif stack:
                s, head = stack.pop()
                out.append((s, i, head))
    return out, lines


def expand(a):
    """A group member's addresses: 192.0.2.60-63 is .60 to .63."""
    m = re.match(r'(.*[.:])([0-9a-fA-F]+)-([0-9a-fA-F]+)$', a)
    if not m:
        return [a]
    v6 = ':' in a
    lo, hi = int(m.group(2), 16 if v6 else 10), int(m.group(3), 16 if v6 else 10)
    if hi < lo or hi - lo > 256:
        return [m.group(1) + m.group(2)]
    return [m.group(1) + (('%x' if v6 else '%d') % i) for i in range(lo, hi + 1)]


def svc_keys(head, groups):
    """ipvsadm's names of the services a virtual_server header stands for."""
    if len(head) >= 3 and head[1] == 'fwmark':
        return {'fwmark %s' % head[2]}
    if len(head) >= 3 and head[1] == 'group':
        return groups.get(head[2], set())
    if len(head) >= 2:
        a = head[1]
        port = head[2] if len(head) >= 3 else '0'
        return {('[%s]' % a if ':' in a else a) + ':' + port}
    return set()


def source_index(srcdir, files):
    """Per file: the services and VRRP instances with their line spans."""
    idx = {}
    for f in files:
        p = os.path.join(srcdir, f)
        if not os.path.isfile(p):
            continue
        bl, lines = blocks(p)
        groups = {}
        for s, e, head in bl:
            if head[:1] == ['virtual_server_group'] and len(head) > 1:
                keys = set()
                for ln in lines[s:e - 1]:
                    w = strip(ln).split()
                    if len(w) >= 2 and w[0] == 'fwmark':
                        keys.add('fwmark ' + w[1])
                    elif len(w) >= 2:
                        for a in expand(w[0]):
                            keys.add(('[%s]' % a if ':' in a else a) + ':' + w[1])
                groups[head[1]] = keys
        vrids = {}                  # instance name -> its VRIDs
        for s, e, head in bl:
            if head[:1] == ['vrrp_instance'] and len(head) > 1:
                vrids[head[1]] = {strip(ln).split()[1] for ln in lines[s:e - 1]
                                  if strip(ln).split()[:1] == ['virtual_router_id']
                                  and len(strip(ln).split()) > 1}
        spans = []
        for s, e, head in bl:
            if head[:1] == ['virtual_server']:
                spans.append(('svc', s, e, svc_keys(head, groups)))
            elif head[:1] == ['virtual_server_group'] and len(head) > 1:
                spans.append(('svc', s, e, groups.get(head[1], set())))
            elif head[:1] == ['vrrp_instance'] and len(head) > 1:
                spans.append(('vrid', s, e, vrids[head[1]]))
            elif head[:1] == ['vrrp_sync_group']:
                members = set()
                for ln in lines[s:e - 1]:
                    for w in strip(ln).split():
                        members |= vrids.get(w, set())
                spans.append(('vrid', s, e, members))
            elif head[:1] == ['global_defs']:
                spans.append(('global', s, e, set()))
        idx[f] = spans
    return idx


def diff_subject(line):
    """What a diff line is about: ('svc', KEY) or ('vrid', N), else None."""
    m = re.search(r'-[AaEe] (?:-[tu]|--sctp-service) (\S+)', line)
    if m:
        return ('svc', m.group(1))
    m = re.search(r'-[AaEe] -f (\d+)', line)
    if m:
        return ('svc', 'fwmark ' + m.group(1))
    m = re.search(r'vrid (\d+)', line)
    if m:
        return ('vrid', m.group(1))
    return None


# Reported keywords that change neither the table nor the wire.
IDLE = re.compile(r"(smtp_|notification_email|notify|snmp|enable_snmp|enable_traps|"
                  r"router_id|script_user|log_|debug|virtual_ipaddress \S+: 'label)")


def explain(diff, report, srcdir):
    reps = []
    for r in open(report, errors='replace'):
        m = re.match(r'(.+?):(\d+): not converted: (.*)', r.rstrip('\n'))
        if m:
            reps.append((m.group(1), int(m.group(2)), m.group(3)))
    idx = source_index(srcdir, {f for f, _, _ in reps})
    ok = True
    for line in open(diff):
        if not line[:1] in '+-' or line[:3] in ('+++', '---'):
            continue
        subj = diff_subject(line[1:])
        why = []
        for f, ln, what in reps:
            for kind, s, e, keys in idx.get(f, []):
                if not s <= ln <= e:
                    continue
                if IDLE.match(what):
                    continue
                if subj and kind == subj[0] and subj[1] in keys:
                    why.append('%s:%d: %s' % (f, ln, what))
                elif subj and kind == 'global' and what.startswith(
                        'vrrp_' if subj[0] == 'vrid' else 'lvs_'):
                    # a global VRRP (or LVS) keyword: every instance (service)
                    why.append('%s:%d: %s' % (f, ln, what))
        if why:
            print('  explained: %s\n      by %s' % (line.rstrip(), '\n      by '.join(sorted(set(why)))))
        else:
            print('  UNEXPLAINED: %s' % line.rstrip())
            ok = False
    return 0 if ok else 1


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'timing':
        for conv in args:
            timing(conv)
    elif cmd == 'settled':
        return settled(args[0])
    elif cmd == 'adverts':
        for i in range(0, len(args) - 2, 3):
            adverts(*args[i:i + 3])
    elif cmd == 'explain':
        return explain(*args)
    else:
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
