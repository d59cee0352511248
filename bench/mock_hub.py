#!/usr/bin/env python3
"""A tiny stand-in for the Hub's whoami-v2, for bench/verify.sh only (never the real Hub).

Listens on 127.0.0.1 (port 0 = any free one), answers every GET /api/whoami-v2 after
--latency-ms with a valid read token, and GET /count with how many whoami requests it got.
Prints the port on its first line of standard output, then serves until killed.
"""
import argparse
import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNT = 0
LOCK = threading.Lock()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency-ms", type=int, default=200)
    args = ap.parse_args()
    latency = args.latency_ms / 1000

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_GET(self):
            global COUNT
            if self.path == "/count":
                with LOCK:
                    body = str(COUNT).encode()
            elif self.path == "/api/whoami-v2":
                with LOCK:
                    COUNT += 1
                time.sleep(latency)
                auth = self.headers.get("Authorization", "")
                # A name per token that never contains the token itself.
                name = "bench-" + hashlib.sha256(auth.encode()).hexdigest()[:8]
                body = json.dumps({
                    "type": "user", "name": "bench", "orgs": [],
                    "auth": {"type": "access_token",
                             "accessToken": {"displayName": name, "role": "read"}},
                }).encode()
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
