#!/usr/bin/env python3
"""A stand-in for the Hub's API, for bench/hub.sh only (127.0.0.1, never the real Hub).

Serves one organisation `bench` of --repos models with --files files each: the model list
(Link-paginated, 100 a page), each repo's tree, refs (no pull requests), an empty discussion
list, and each file's bytes (one in ten holds a fake token made at start). Every request waits
--latency-ms first. GET /count answers how many requests were served. Prints the port on its
first line of standard output, then serves until killed.
"""
import argparse
import json
import secrets
import string
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

COUNT = 0
LOCK = threading.Lock()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", type=int, default=200)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--latency-ms", type=int, default=50)
    args = ap.parse_args()
    latency = args.latency_ms / 1000
    alnum = string.ascii_letters + string.digits
    repos = [f"bench/model-{i:04}" for i in range(args.repos)]

    def content(repo, n):
        if n % 10 == 0:
            body = "".join(secrets.choice(alnum) for _ in range(33)) + secrets.choice(string.digits)
            return f'from huggingface_hub import login\nlogin(token="hf_{body}")\n'.encode()
        return (f"# {repo} file {n}\n" + "x = 1\n" * 40).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, Nagle and delayed ACKs add
        # 40 ms to every keep-alive answer and the benchmark measures the mock.
        disable_nagle_algorithm = True

        def log_message(self, *_):
            pass

        def reply(self, status, body, headers=()):
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            global COUNT
            url = urlparse(self.path)
            q = parse_qs(url.query)
            p = url.path
            if p == "/count":
                with LOCK:
                    return self.reply(200, str(COUNT).encode())
            with LOCK:
                COUNT += 1
            time.sleep(latency)
            host = f"http://{self.headers.get('Host')}"
            if p in ("/api/models", "/api/datasets", "/api/spaces"):
                items = repos if p == "/api/models" else []
                start = int(q.get("cursor", ["0"])[0])
                page = items[start:start + 100]
                headers = []
                if start + 100 < len(items):
                    headers.append(("Link", f'<{host}{p}?author=bench&cursor={start + 100}>; rel="next"'))
                return self.reply(200, json.dumps([{"id": r} for r in page]).encode(), headers)
            parts = p.strip("/").split("/")
            if p.startswith("/api/models/") and len(parts) >= 5 and parts[4] == "tree":
                repo = "/".join(parts[2:4])
                tree = [{"type": "file", "oid": f"{repo}:{n}", "size": len(content(repo, 1)),
                         "path": f"src/file{n:02}.py"} for n in range(args.files)]
                return self.reply(200, json.dumps(tree).encode())
            if p.startswith("/api/models/") and p.endswith("/refs"):
                return self.reply(200, b'{"branches": [], "tags": [], "pullRequests": []}')
            if p.startswith("/api/models/") and p.endswith("/discussions"):
                return self.reply(200, b'{"discussions": [], "count": 0, "start": 0}')
            if len(parts) >= 6 and parts[2] == "resolve":
                repo = "/".join(parts[0:2])
                n = int(parts[-1][4:6])
                return self.reply(200, content(repo, n))
            return self.reply(404, b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
