#!/usr/bin/env python3
"""Requests PATH from the status endpoint N times back to back (or for
SECONDS when N is 0) and prints, per request, the wall time (ms) and the
body size; with PID, the parent's CPU time (utime + stime, ms) over all
the requests.

   status-scrape.py URL N [SECONDS] [PID]
"""
import os, sys, time, urllib.request

url, n = sys.argv[1], int(sys.argv[2])
secs = float(sys.argv[3]) if len(sys.argv) > 3 else 0
pid = sys.argv[4] if len(sys.argv) > 4 else None
tick = os.sysconf("SC_CLK_TCK")


def cpu_ms():
    if not pid:
        return 0.0
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1000.0 / tick


c0, t_end, times, size = cpu_ms(), time.time() + secs, [], 0
while (n and len(times) < n) or (not n and time.time() < t_end):
    t = time.time()
    size = len(urllib.request.urlopen(url, timeout=60).read())
    times.append((time.time() - t) * 1e3)
c1 = cpu_ms()
times.sort()
print("requests %d bytes %d median_ms %.1f max_ms %.1f cpu_ms_per_request %.1f"
      % (len(times), size, times[len(times) // 2], times[-1], (c1 - c0) / len(times)))
