#!/usr/bin/env python3
"""A stand-in for the Hub, for bench/hub.sh only (127.0.0.1, never the real Hub).

Serves one organisation `bench` of --repos models with --files files each (one in ten holds a
fake token made at start), over the API (the model list, Link-paginated 100 a page, with each
repository's commit when asked `expand=sha`; each tree; refs with their commits; an empty
discussion list; each file's bytes through `resolve`) and over git: each repository is a bare
repository under --dir, served as git's dumb HTTP protocol (a static folder after
`git update-server-info`) or, with --git smart, through `git http-backend`. Every request waits
--latency-ms first.

GET /count answers the requests served so far by class, as JSON: api, resolve, git.
POST /push?repo=bench/model-0007 adds a commit with one more file holding a new fake token.
Prints the port on its first line of standard output (once the repositories are made), then
serves until killed.
"""
import argparse
import json
import os
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

COUNTS = {"api": 0, "resolve": 0, "git": 0}
LOCK = threading.Lock()
ALNUM = string.ascii_letters + string.digits
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
}


def fake_token():
    return "hf_" + "".join(secrets.choice(ALNUM) for _ in range(33)) + secrets.choice(string.digits)


def git(*args, cwd=None, data=None):
    return subprocess.run(["git", *args], cwd=cwd, input=data, env=GIT_ENV,
                          check=True, capture_output=True).stdout


class Repo:
    """A bare repository and the files of its `main`."""

    def __init__(self, root, name, files):
        self.name = name
        self.path = os.path.join(root, name)
        self.files = files  # path -> bytes
        self.lock = threading.Lock()
        os.makedirs(self.path)
        git("init", "-q", "--bare", "-b", "main", self.path)
        self.commit("first", files, parent=None)

    def commit(self, message, files, parent):
        """One commit of `files` on main (after `parent`), imported in one process."""
        script = [b"commit refs/heads/main\n",
                  b"committer Bench <bench@example.invalid> 1700000000 +0000\n",
                  b"data %d\n%s\n" % (len(message), message.encode())]
        if parent:
            script.append(b"from %s\n" % parent.encode())
        for path, body in files.items():
            script.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(body), body))
        # One pack, as a served repository after `git gc` (fewer objects would go loose).
        git("-c", "fastimport.unpackLimit=1", "fast-import", "--quiet", cwd=self.path,
            data=b"".join(script))
        git("update-server-info", cwd=self.path)

    def sha(self):
        return git("rev-parse", "refs/heads/main", cwd=self.path).decode().strip()

    def push(self):
        """A new file holding a new fake token, in a new commit."""
        with self.lock:
            n = len(self.files)
            body = f'HF_TOKEN = "{fake_token()}"\n'.encode()
            path = f"src/pushed{n:02}.py"
            self.files[path] = body
            self.commit("push", {path: body}, parent=self.sha())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", type=int, default=200)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--git", choices=["dumb", "smart"], default="dumb")
    ap.add_argument("--dir", help="where the bare repositories are made (default: a temporary folder)")
    args = ap.parse_args()
    latency = args.latency_ms / 1000
    root = args.dir or tempfile.mkdtemp(prefix="hfaudit-bench-git-")
    made = args.dir is None

    def content(name, n):
        if n % 10 == 0:
            return f'from huggingface_hub import login\nlogin(token="{fake_token()}")\n'.encode()
        return (f"# {name} file {n}\n" + "x = 1\n" * 40).encode()

    repos = {}
    for i in range(args.repos):
        name = f"bench/model-{i:04}"
        files = {f"src/file{n:02}.py": content(name, n) for n in range(args.files)}
        repos[name] = Repo(root, name, files)
    order = sorted(repos)

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

        def count(self, cls):
            with LOCK:
                COUNTS[cls] += 1
            time.sleep(latency)

        def do_POST(self):
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if url.path == "/push":
                repo = repos.get(parse_qs(url.query).get("repo", [""])[0])
                if repo is None:
                    return self.reply(404, b"{}")
                repo.push()
                return self.reply(200, repo.sha().encode())
            if url.path.endswith("/git-upload-pack") and args.git == "smart":
                self.count("git")
                if self.headers.get("Content-Encoding") == "gzip":
                    import gzip
                    body = gzip.decompress(body)
                return self.cgi(url, body)
            return self.reply(404, b"{}")

        def cgi(self, url, body):
            env = dict(GIT_ENV, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1",
                       PATH_INFO=url.path, QUERY_STRING=url.query, REQUEST_METHOD=self.command,
                       CONTENT_TYPE=self.headers.get("Content-Type", ""),
                       CONTENT_LENGTH=str(len(body)),
                       GIT_PROTOCOL=self.headers.get("Git-Protocol", ""))
            out = subprocess.run(["git", "http-backend"], input=body, env=env,
                                 capture_output=True).stdout
            head, _, payload = out.partition(b"\r\n\r\n")
            status, headers = 200, []
            for line in head.split(b"\r\n"):
                k, _, v = line.decode("latin-1").partition(":")
                if k.lower() == "status":
                    status = int(v.split()[0])
                elif k:
                    headers.append((k, v.strip()))
            return self.reply(status, payload, headers)

        def do_GET(self):
            url = urlparse(self.path)
            q = parse_qs(url.query)
            p = url.path
            if p == "/count":
                with LOCK:
                    return self.reply(200, json.dumps(COUNTS).encode())
            host = f"http://{self.headers.get('Host')}"
            parts = p.strip("/").split("/")
            if p.startswith("/api/"):
                self.count("api")
            elif len(parts) >= 3 and parts[2] == "resolve":
                self.count("resolve")
            else:
                self.count("git")
            if p in ("/api/models", "/api/datasets", "/api/spaces"):
                items = order if p == "/api/models" else []
                start = int(q.get("cursor", ["0"])[0])
                page = items[start:start + 100]
                headers = []
                if start + 100 < len(items):
                    more = f"{host}{p}?author=bench&cursor={start + 100}"
                    if "expand" in q:
                        more += "&expand=sha"
                    headers.append(("Link", f'<{more}>; rel="next"'))
                listed = [dict({"id": r}, **({"sha": repos[r].sha()} if "expand" in q else {}))
                          for r in page]
                return self.reply(200, json.dumps(listed).encode(), headers)
            if p.startswith("/api/models/") and len(parts) >= 5:
                repo = repos.get("/".join(parts[2:4]))
                if repo is None:
                    return self.reply(404, b"{}")
                if parts[4] == "tree":
                    with repo.lock:
                        tree = [{"type": "file", "oid": f"{repo.name}:{path}:{len(body)}",
                                 "size": len(body), "path": path}
                                for path, body in sorted(repo.files.items())]
                    return self.reply(200, json.dumps(tree).encode())
                if parts[4] == "refs":
                    main = {"name": "main", "ref": "refs/heads/main", "targetCommit": repo.sha()}
                    return self.reply(200, json.dumps(
                        {"branches": [main], "tags": [], "converts": [], "pullRequests": []}).encode())
                if parts[4] == "discussions":
                    return self.reply(200, b'{"discussions": [], "count": 0, "start": 0}')
                return self.reply(404, b"{}")
            if len(parts) >= 3 and parts[2] == "resolve":
                repo = repos.get("/".join(parts[0:2]))
                body = repo and repo.files.get("/".join(parts[4:]))
                if body is None:
                    return self.reply(404, b"{}")
                return self.reply(200, body)
            # git: the bare repositories under `root`
            name = "/".join(parts[0:2])
            if name not in repos:
                return self.reply(404, b"")
            if args.git == "smart":
                return self.cgi(url, b"")
            rel = os.path.normpath(os.path.join(root, *parts))
            if not rel.startswith(root + os.sep) or not os.path.isfile(rel):
                return self.reply(404, b"")
            with open(rel, "rb") as f:
                return self.reply(200, f.read())

    class Server(ThreadingHTTPServer):
        # socketserver's backlog of 5 drops connections when dozens open at once (three
        # shards of eight git fetches): a dropped SYN costs the client a one-second retry.
        request_queue_size = 1024

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    finally:
        if made:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
