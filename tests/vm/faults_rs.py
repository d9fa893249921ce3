#!/usr/bin/env python3
"""faults_rs: one real server for the t_faults_*.sh tests.

  faults_rs.py NAME ADDR

serves, on ADDR, HTTP on port 80 (every GET answers NAME) and a TCP echo
on port 7 (the first line sent is NAME, then every byte received is sent
back), each connection in a thread of its own, in one process: python
starts slowly under qemu TCG, so one interpreter per server, not two."""
import http.server
import socketserver
import sys
import threading


class Web(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        body = (self.server.name + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        try:
            s.sendall((self.server.name + "\n").encode())
            while True:
                b = s.recv(4096)
                if not b:
                    return
                s.sendall(b)
        except OSError:
            return   # a health check that connects and closes at once


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    name, addr = sys.argv[1], sys.argv[2]
    web = Server((addr, 80), Web)
    echo = Server((addr, 7), Echo)
    for s in (web, echo):
        s.name = name
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    web.serve_forever()


if __name__ == "__main__":
    main()
