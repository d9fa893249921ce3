#!/usr/bin/env python3
"""lab_shell: the host's end of `./lab.sh shell`.

  lab_shell.py SOCKET

Connects the terminal, in raw mode, to the lab VM's console port (a unix
socket qemu serves; the guest runs a root bash on /dev/hvc0 behind it)
and relays bytes both ways until Ctrl-] is typed or the VM goes away.
The bash in the VM outlives a detach: the next `./lab.sh shell` finds it
as it was left."""
import os
import select
import socket
import sys
import termios
import tty

DETACH = b"\x1d"   # Ctrl-]


def relay(s, fd_in, fd_out):
    while True:
        r, _, _ = select.select([s, fd_in], [], [])
        if s in r:
            data = s.recv(65536)
            if not data:
                return "the lab's VM closed the console"
            os.write(fd_out, data)
        if fd_in in r:
            data = os.read(fd_in, 4096)
            if not data:
                return None
            if DETACH in data:
                s.sendall(data.split(DETACH, 1)[0])
                return None
            s.sendall(data)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: lab_shell.py SOCKET")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(sys.argv[1])
    except OSError as e:
        sys.exit("lab shell: %s: %s (is the lab running? ./lab.sh status)" % (sys.argv[1], e))
    fd_in, fd_out = sys.stdin.fileno(), sys.stdout.fileno()
    old = termios.tcgetattr(fd_in) if os.isatty(fd_in) else None
    if old:
        tty.setraw(fd_in)
    try:
        s.sendall(b"\n")   # a fresh prompt
        why = relay(s, fd_in, fd_out)
    finally:
        if old:
            termios.tcsetattr(fd_in, termios.TCSADRAIN, old)
    print()
    if why:
        print("lab shell: " + why)


if __name__ == "__main__":
    main()
