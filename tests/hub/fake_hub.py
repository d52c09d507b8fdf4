"""fake_hub.py — a small imitation of the Hugging Face Hub's resolve endpoint, for tests.

Two servers on 127.0.0.1 (standard library only):
  hub: HEAD/GET /{repo_id}/resolve/{revision}/{filename}
       headers X-Repo-Commit, ETag (git blob sha1) and Content-Length for small files;
       a 302 to the CDN with X-Linked-Etag (sha256) and X-Linked-Size for LFS files;
       404 + X-Error-Code EntryNotFound / RevisionNotFound, 401 RepoNotFound / GatedRepo, 403 GatedRepo;
       repos listed in `renamed` answer with a relative 307 to their new name.
  cdn: GET /lfs/{sha256} with Range support.
Faults (hub.faults, set by the test): per file name,
  {"drop_after": n, "times": k}   close the connection after n bytes (k times)
  {"corrupt": True}               flip one byte of the body
  {"status": 500, "times": k}     answer this status instead (k times; HEAD and GET of the hub)
  {"stall": seconds, "times": k}  send half of the body, then stall
  {"slow": seconds}               pause between 64 kB chunks
  {"commit": "..."} / {"etag": "..."}   announce this X-Repo-Commit / ETag instead
Every request is logged in hub.log as dicts (server, method, path, authorization, range).
All sockets time out; servers are daemon threads and stop with stop() or the process."""
import hashlib
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LFS_SUFFIXES = (".safetensors", ".bin")


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Repo:
    def __init__(self, repo_id, files, gated_token=None, revisions=("main", "v1")):
        self.repo_id = repo_id
        self.files = dict(files)  # name -> bytes
        self.commit = hashlib.sha1(repo_id.encode()).hexdigest()
        self.revisions = {r: self.commit for r in revisions}
        self.revisions[self.commit] = self.commit
        self.gated_token = gated_token

    @staticmethod
    def from_folder(repo_id, folder, skip=("expected.safetensors", "inputs.jsonl"), **kw):
        files = {}
        for name in sorted(os.listdir(folder)):
            if name not in skip:
                with open(os.path.join(folder, name), "rb") as f:
                    files[name] = f.read()
        return Repo(repo_id, files, **kw)


class FakeHub:
    def __init__(self, repos, renamed=None):
        self.repos = {r.repo_id: r for r in repos}
        self.renamed = dict(renamed or {})
        self.faults = {}
        self.log = []
        self.lock = threading.Lock()
        self.hub = ThreadingHTTPServer(("127.0.0.1", 0), self._handler("hub"))
        self.cdn = ThreadingHTTPServer(("127.0.0.1", 0), self._handler("cdn"))
        for s in (self.hub, self.cdn):
            s.daemon_threads = True
            s.timeout = 5
            threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.endpoint = "http://127.0.0.1:%d" % self.hub.server_address[1]
        self.cdn_url = "http://127.0.0.1:%d" % self.cdn.server_address[1]
        self.blobs = {}

    def stop(self):
        for s in (self.hub, self.cdn):
            s.shutdown()
            s.server_close()

    def reset(self):
        with self.lock:
            self.faults.clear()
            self.log.clear()

    def take_fault(self, filename, key):
        """The fault `key` for this file if still active (counting down 'times')."""
        with self.lock:
            f = self.faults.get(filename)
            if not f or key not in f:
                return None
            times = f.get("times")
            if times is not None:
                if times <= 0:
                    return None
                f["times"] = times - 1
            return f[key]

    def _handler(self, server_name):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10

            def log_message(self, *args):
                pass

            def record(self):
                with hub.lock:
                    hub.log.append({
                        "server": server_name, "method": self.command, "path": self.path,
                        "authorization": self.headers.get("Authorization"), "range": self.headers.get("Range"),
                    })

            def do_HEAD(self):
                self.record()
                self.route(head=True)

            def do_GET(self):
                self.record()
                self.route(head=False)

            def reply(self, status, headers=(), body=b""):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def route(self, head):
                if server_name == "cdn":
                    return self.serve_cdn()
                path = urllib.parse.urlsplit(self.path).path
                if "/resolve/" not in path:
                    return self.reply(404)
                repo_id, rest = path[1:].split("/resolve/", 1)
                repo_id = urllib.parse.unquote(repo_id)
                if repo_id in hub.renamed:
                    return self.reply(307, [("Location", "/%s/resolve/%s" % (hub.renamed[repo_id], rest))])
                rev, _, filename = rest.partition("/")
                rev, filename = urllib.parse.unquote(rev), urllib.parse.unquote(filename)
                repo = hub.repos.get(repo_id)
                if repo is None:
                    return self.reply(401, [("X-Error-Code", "RepoNotFound")], b"Repository not found")
                if repo.gated_token is not None:
                    auth = self.headers.get("Authorization")
                    if auth is None:
                        return self.reply(401, [("X-Error-Code", "GatedRepo")], b"gated")
                    if auth != "Bearer " + repo.gated_token:
                        return self.reply(403, [("X-Error-Code", "GatedRepo")], b"gated")
                status = hub.take_fault(filename, "status")
                if status:
                    return self.reply(status, [], b"fault")
                commit = repo.revisions.get(rev)
                if commit is None:
                    return self.reply(404, [("X-Error-Code", "RevisionNotFound")], b"no revision")
                commit = hub.take_fault(filename, "commit") or commit
                data = repo.files.get(filename)
                if data is None:
                    return self.reply(404, [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", commit)], b"no entry")
                if filename.endswith(LFS_SUFFIXES):
                    sha = hashlib.sha256(data).hexdigest()
                    hub.blobs[sha] = (filename, data)
                    etag = hub.take_fault(filename, "etag") or sha
                    return self.reply(302, [
                        ("Location", "%s/lfs/%s" % (hub.cdn_url, sha)), ("X-Repo-Commit", commit),
                        ("X-Linked-Etag", '"%s"' % etag), ("X-Linked-Size", str(len(data))),
                        ("ETag", 'W/"%s"' % git_blob_sha1(b"pointer")),
                    ])
                etag = hub.take_fault(filename, "etag") or git_blob_sha1(data)
                self.send_body(filename, data, [("X-Repo-Commit", commit), ("ETag", '"%s"' % etag)])

            def serve_cdn(self):
                sha = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1]
                if sha not in hub.blobs:
                    return self.reply(404)
                filename, data = hub.blobs[sha]
                status = hub.take_fault(filename, "cdn_status")
                if status:
                    return self.reply(status, [], b"fault")
                self.send_body(filename, data, [])

            def send_body(self, filename, data, headers):
                start = 0
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes=") and rng.endswith("-"):
                    start = int(rng[6:-1])
                    if start >= len(data):
                        return self.reply(416, [("Content-Range", "bytes */%d" % len(data))])
                body = data[start:]
                if hub.take_fault(filename, "corrupt") and body:
                    body = bytes([body[0] ^ 0xFF]) + body[1:]
                self.send_response(206 if start else 200)
                for k, v in headers:
                    self.send_header(k, v)
                if start:
                    self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                if self.command == "HEAD":
                    return
                drop = hub.take_fault(filename, "drop_after")
                stall = hub.take_fault(filename, "stall")
                slow = hub.take_fault(filename, "slow")
                if drop is not None:
                    self.wfile.write(body[:drop])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if stall:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    time.sleep(stall)
                    self.close_connection = True
                    return
                for i in range(0, len(body), 65536):
                    self.wfile.write(body[i:i + 65536])
                    if slow:
                        self.wfile.flush()
                        time.sleep(slow)

        return Handler
