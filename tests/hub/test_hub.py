"""test_hub.py — the Hub client against fake_hub.py: cache layout, resume, checksums, offline,
tokens, path escapes, retries, locks. Usage: test_hub.py ATTNSCOPE_CLI TEST_DATA_DIR"""
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_hub import FakeHub, Repo, git_blob_sha1  # noqa: E402

CLI, DATA = sys.argv[1], sys.argv[2]
MODELS = os.path.join(DATA, "models")
TOKEN = "hf_SECRETtoken1234567890"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


hub = FakeHub([
    Repo.from_folder("test-org/bert-tiny", os.path.join(MODELS, "bert-tiny")),
    Repo.from_folder("bert-tiny-bin", os.path.join(MODELS, "bert-tiny-bin")),
    Repo.from_folder("test-org/distil-sharded", os.path.join(MODELS, "distilbert-tiny-sharded")),
    Repo.from_folder("test-org/gated", os.path.join(MODELS, "bert-tiny"), gated_token=TOKEN),
    Repo("test-org/evil-index", {
        "config.json": open(os.path.join(MODELS, "bert-tiny", "config.json"), "rb").read(),
        "model.safetensors.index.json": b'{"weight_map": {"a": "../../../../escaped.safetensors"}}',
    }),
], renamed={"old-org/bert-tiny": "test-org/bert-tiny"})


class Env:
    """A fresh temporary HF_HOME / HF_HUB_CACHE for one scenario."""

    def __init__(self, name):
        self.root = tempfile.mkdtemp(prefix="attn-hub-%s-" % name)
        self.cache = os.path.join(self.root, "hub")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
        self.env.update(HF_HOME=os.path.join(self.root, "home"), HF_HUB_CACHE=self.cache, HF_ENDPOINT=hub.endpoint,
                        ATTN_HUB_BACKOFF_MS="20", HF_HUB_DOWNLOAD_TIMEOUT="2", HF_HUB_ETAG_TIMEOUT="5",
                        HOME=os.path.join(self.root, "home"))

    def run(self, *args, **env):
        e = dict(self.env)
        e.update(env)
        p = subprocess.run([CLI] + list(args), env=e, capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout.strip(), p.stderr

    def repo(self, repo_id):
        return os.path.join(self.cache, "models--" + repo_id.replace("/", "--"))

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


def files_under(root):
    out = []
    for d, dirs, files in os.walk(root):
        for f in dirs + files:
            out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def repo_of(repo_id):
    return hub.repos[repo_id]


def test_layout():
    e = Env("layout")
    hub.reset()
    rc, out, err = e.run("download", "test-org/bert-tiny")
    check(rc == 0, "download succeeds: " + err)
    repo = repo_of("test-org/bert-tiny")
    rdir = e.repo("test-org/bert-tiny")
    check(out == os.path.join(rdir, "snapshots", repo.commit), "prints the snapshot folder: " + out)
    check(open(os.path.join(rdir, "refs", "main")).read() == repo.commit, "refs/main holds the commit, no newline")
    for name, data in repo.files.items():
        link = os.path.join(rdir, "snapshots", repo.commit, name)
        lfs = name.endswith(".safetensors")
        etag = hashlib.sha256(data).hexdigest() if lfs else git_blob_sha1(data)
        check(os.path.islink(link), name + " is a symlink")
        check(os.readlink(link) == "../../blobs/" + etag, name + " -> ../../blobs/<etag>: " + str(os.readlink(link) if os.path.islink(link) else None))
        check(open(link, "rb").read() == data, name + " has the right bytes")
    for missing in ("vocab.txt", "vocab.json", "merges.txt", "special_tokens_map.json"):
        check(os.path.isfile(os.path.join(rdir, ".no_exist", repo.commit, missing)), ".no_exist for " + missing)
    sha = hashlib.sha256(repo.files["model.safetensors"]).hexdigest()
    check(os.path.isfile(os.path.join(e.cache, ".locks", "models--test-org--bert-tiny", sha + ".lock")), "lock file in .locks")
    check(not [f for f in files_under(e.cache) if f.endswith(".incomplete")], "no .incomplete left")
    check("downloading model.safetensors" in err and "downloaded model.safetensors" in err, "plain progress lines: " + err)
    # the CDN gets no token and the hub no Range
    hub.reset()
    rc, out2, err = e.run("download", "test-org/bert-tiny")
    check(rc == 0 and out2 == out, "second download finds the cache")
    check([(r["method"], r["path"]) for r in hub.log] == [("HEAD", "/test-org/bert-tiny/resolve/main/config.json")],
          "second download makes only the config.json HEAD: %s" % hub.log)
    # every other command resolves ids the same way, quietly with --quiet
    hub.reset()
    rc, out3, err = e.run("inspect", "--quiet", "test-org/bert-tiny")
    check(rc == 0 and "bert" in out3 and err == "", "inspect takes a Hub id: " + err)
    # @revision writes its own ref
    rc, out4, err = e.run("download", "test-org/bert-tiny@v1", "--quiet")
    check(rc == 0 and out4 == out and open(os.path.join(rdir, "refs", "v1")).read() == repo.commit, "@v1: " + err)
    rc, out5, err = e.run("download", "test-org/bert-tiny", "--revision", repo.commit, "--quiet")
    check(rc == 0 and out5 == out, "--revision <commit>: " + err)
    check(not os.path.exists(os.path.join(rdir, "refs", repo.commit)), "no ref named after a commit")
    e.close()


def test_python_written_cache_is_used():
    """A cache laid out by huggingface_hub (built by hand here) is used offline without a download."""
    e = Env("pycache")
    repo = repo_of("test-org/bert-tiny")
    rdir = e.repo("test-org/bert-tiny")
    os.makedirs(os.path.join(rdir, "blobs"))
    os.makedirs(os.path.join(rdir, "refs"))
    os.makedirs(os.path.join(rdir, "snapshots", repo.commit))
    with open(os.path.join(rdir, "refs", "main"), "w") as f:
        f.write(repo.commit)
    for name, data in repo.files.items():
        etag = hashlib.sha256(data).hexdigest() if name.endswith(".safetensors") else git_blob_sha1(data)
        with open(os.path.join(rdir, "blobs", etag), "wb") as f:
            f.write(data)
        os.symlink("../../blobs/" + etag, os.path.join(rdir, "snapshots", repo.commit, name))
    hub.reset()
    rc, out, err = e.run("inspect", "--quiet", "test-org/bert-tiny", HF_HUB_OFFLINE="1")
    check(rc == 0 and "bert" in out, "offline use of a Python-made cache: " + err)
    check(hub.log == [], "offline makes no request")
    # online: HEADs only (config.json, and the optional files Python did not record as missing)
    rc, out, err = e.run("download", "test-org/bert-tiny")
    check(rc == 0 and [r["method"] for r in hub.log] == ["HEAD"] * 5, "online with a full cache: %s %s" % (err, hub.log))
    e.close()


def test_offline_and_unreachable():
    e = Env("offline")
    hub.reset()
    rc, out, err = e.run("download", "test-org/bert-tiny", HF_HUB_OFFLINE="1")
    check(rc != 0 and "HF_HUB_OFFLINE" in err and hub.log == [], "offline with an empty cache is a clear error: " + err)
    check(not os.path.exists(e.repo("test-org/bert-tiny")) or not os.listdir(os.path.join(e.repo("test-org/bert-tiny"), "snapshots")) if os.path.exists(os.path.join(e.repo("test-org/bert-tiny"), "snapshots")) else True, "offline writes nothing")
    rc, snap, err = e.run("download", "test-org/bert-tiny", "--quiet")
    check(rc == 0, "download: " + err)
    rc, out, err = e.run("download", "test-org/bert-tiny", HF_HUB_OFFLINE="1")
    check(rc == 0 and out == snap, "offline after download: " + err)
    rc, out, err = e.run("download", "test-org/distil-sharded", HF_HUB_OFFLINE="true")
    check(rc != 0 and "HF_HUB_OFFLINE" in err, "offline, other repo not cached: " + err)
    # the Hub unreachable: a closed port, the cache still answers
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    rc, out, err = e.run("download", "test-org/bert-tiny", HF_ENDPOINT="http://127.0.0.1:%d" % port)
    check(rc == 0 and out == snap, "unreachable hub falls back to the cache: " + err)
    rc, out, err = e.run("download", "test-org/distil-sharded", HF_ENDPOINT="http://127.0.0.1:%d" % port)
    check(rc != 0 and "127.0.0.1" in err, "unreachable hub, nothing cached: network error: " + err)
    e.close()


def test_resume():
    e = Env("resume")
    repo = repo_of("test-org/bert-tiny")
    data = repo.files["model.safetensors"]
    hub.reset()
    hub.faults["model.safetensors"] = {"drop_after": 100000, "times": 1}
    rc, out, err = e.run("download", "test-org/bert-tiny")
    check(rc == 0, "download survives a dropped connection: " + err)
    ranges = [r["range"] for r in hub.log if r["server"] == "cdn"]
    check(ranges == [None, "bytes=100000-"], "resumed with a Range request: %s" % ranges)
    check(open(os.path.join(out, "model.safetensors"), "rb").read() == data, "resumed file is intact")
    # an .incomplete left by an interrupted process is resumed too
    e2 = Env("resume2")
    sha = hashlib.sha256(data).hexdigest()
    blobs = os.path.join(e2.repo("test-org/bert-tiny"), "blobs")
    os.makedirs(blobs)
    with open(os.path.join(blobs, sha + ".incomplete"), "wb") as f:
        f.write(data[:123456])
    hub.reset()
    rc, out, err = e2.run("download", "test-org/bert-tiny")
    check(rc == 0 and open(os.path.join(out, "model.safetensors"), "rb").read() == data, "resume of a left .incomplete: " + err)
    check([r["range"] for r in hub.log if r["server"] == "cdn"] == ["bytes=123456-"], "one Range request: %s" % hub.log)
    check("resuming" in err, "progress says resuming")
    # a stalled server: the read timeout fires, then the download resumes
    e3 = Env("stall")
    hub.reset()
    hub.faults["model.safetensors"] = {"stall": 4, "times": 1}
    rc, out, err = e3.run("download", "test-org/bert-tiny", HF_HUB_DOWNLOAD_TIMEOUT="1")
    check(rc == 0 and open(os.path.join(out, "model.safetensors"), "rb").read() == data, "stall then resume: " + err)
    for x in (e, e2, e3):
        x.close()


def test_checksum():
    e = Env("checksum")
    hub.reset()
    hub.faults["model.safetensors"] = {"corrupt": True}
    rc, out, err = e.run("download", "test-org/bert-tiny")
    check(rc != 0 and "checksum" in err, "wrong bytes are an error: " + err)
    rdir = e.repo("test-org/bert-tiny")
    sha = hashlib.sha256(repo_of("test-org/bert-tiny").files["model.safetensors"]).hexdigest()
    left = files_under(os.path.join(rdir, "blobs"))
    check(sha not in left and sha + ".incomplete" not in left, "nothing cached for the bad file: %s" % left)
    snap = os.path.join(rdir, "snapshots", repo_of("test-org/bert-tiny").commit)
    check(not os.path.lexists(os.path.join(snap, "model.safetensors")), "no snapshot link for the bad file")
    # small (non-LFS) files are checked against their git blob id
    hub.reset()
    hub.faults["config.json"] = {"corrupt": True}
    e2 = Env("checksum2")
    rc, out, err = e2.run("download", "test-org/bert-tiny")
    check(rc != 0 and "checksum" in err, "wrong bytes in a small file: " + err)
    for x in (e, e2):
        x.close()


def test_errors_and_retries():
    e = Env("errors")
    hub.reset()
    rc, out, err = e.run("download", "test-org/nope")
    check(rc != 0 and "no such repository" in err, "unknown repo: " + err)
    rc, out, err = e.run("download", "test-org/bert-tiny@nope")
    check(rc != 0 and "no such revision" in err, "unknown revision: " + err)
    hub.reset()
    hub.faults["config.json"] = {"status": 500, "times": 2}
    rc, out, err = e.run("download", "test-org/bert-tiny", "--quiet")
    check(rc == 0, "two 500s are retried: " + err)
    heads = [r["path"] for r in hub.log if r["path"].endswith("/config.json") and r["method"] == "HEAD"]
    check(len(heads) == 3, "three HEADs of config.json: %s" % heads)
    e2 = Env("errors2")
    hub.reset()
    hub.faults["config.json"] = {"status": 503}
    rc, out, err = e2.run("download", "test-org/bert-tiny", "--quiet")
    check(rc != 0 and "server error" in err and "503" in err, "a persistent 503: " + err)
    hub.reset()
    hub.faults["model.safetensors"] = {"cdn_status": 502, "times": 1}
    rc, out, err = e2.run("download", "test-org/bert-tiny", "--quiet")
    check(rc == 0, "a CDN 502 is retried: " + err)
    # a renamed repository answers with a relative redirect, followed for the metadata
    hub.reset()
    rc, out, err = e2.run("download", "old-org/bert-tiny", "--quiet")
    check(rc == 0 and "models--old-org--bert-tiny" in out, "relative redirect of a renamed repo: " + err)
    # a .bin-only repository and a sharded one
    rc, out, err = e2.run("download", "bert-tiny-bin", "--quiet")
    check(rc == 0 and os.path.isfile(os.path.join(out, "pytorch_model.bin")), "pytorch_model.bin repo: " + err)
    check(os.path.isfile(os.path.join(e2.repo("bert-tiny-bin"), ".no_exist", repo_of("bert-tiny-bin").commit, "model.safetensors")),
          "model.safetensors recorded as missing")
    rc, out2, err = e2.run("inspect", "--quiet", "bert-tiny-bin")
    check(rc == 0 and "pytorch_model.bin" in out2, ".bin repo inspect: " + err)
    rc, out, err = e2.run("download", "test-org/distil-sharded", "--quiet")
    check(rc == 0 and all(os.path.isfile(os.path.join(out, n)) for n in repo_of("test-org/distil-sharded").files),
          "sharded repo: " + err)
    for x in (e, e2):
        x.close()


def test_token():
    e = Env("token")
    hub.reset()
    rc, out, err = e.run("download", "test-org/gated")
    check(rc != 0 and "HF_TOKEN" in err and "licence" in err, "gated without token: " + err)
    rc, out, err = e.run("download", "test-org/gated", HF_TOKEN="hf_wrong")
    check(rc != 0 and "HF_TOKEN" in err and "hf_wrong" not in err, "gated with a wrong token: " + err)
    hub.reset()
    rc, out, err = e.run("download", "test-org/gated", HF_TOKEN=TOKEN)
    check(rc == 0, "gated with HF_TOKEN: " + err)
    check(TOKEN not in err and TOKEN not in out, "the token is never printed")
    hub_auth = {r["authorization"] for r in hub.log if r["server"] == "hub"}
    cdn_auth = {r["authorization"] for r in hub.log if r["server"] == "cdn"}
    check(hub_auth == {"Bearer " + TOKEN}, "the token goes to the endpoint: %s" % hub_auth)
    check(cdn_auth == {None}, "the token does not follow the redirect to the CDN: %s" % cdn_auth)
    # the saved token file: HF_TOKEN_PATH, then HF_HOME/token
    e2 = Env("tokenfile")
    os.makedirs(e2.env["HF_HOME"], exist_ok=True)
    with open(os.path.join(e2.env["HF_HOME"], "token"), "w") as f:
        f.write(TOKEN + "\n")
    rc, out, err = e2.run("download", "test-org/gated", "--quiet")
    check(rc == 0, "token from HF_HOME/token: " + err)
    e3 = Env("tokenpath")
    path = os.path.join(e3.root, "my-token")
    with open(path, "w") as f:
        f.write(TOKEN)
    rc, out, err = e3.run("download", "test-org/gated", "--quiet", HF_TOKEN_PATH=path)
    check(rc == 0, "token from HF_TOKEN_PATH: " + err)
    # a failing download with a token set: still not printed
    hub.reset()
    hub.faults["model.safetensors"] = {"cdn_status": 500}
    e4 = Env("tokenerr")
    rc, out, err = e4.run("download", "test-org/bert-tiny", HF_TOKEN=TOKEN)
    check(rc != 0 and TOKEN not in err, "token absent from error output: " + err)
    for x in (e, e2, e3, e4):
        x.close()


def test_escapes():
    e = Env("escapes")
    for bad in ("../etc", "org/../x", "a/b/c", "org/name--x", "-bad", "x@../../../y", "x@refs/../../y", "x@/abs"):
        rc, out, err = e.run("download", bad, "--quiet")
        check(rc != 0, "rejected id %r: %s" % (bad, err))
    rc, out, err = e.run("download", "test-org/bert-tiny", "--revision", "../../x", "--quiet")
    check(rc != 0 and "revision" in err, "rejected --revision ../../x: " + err)
    hub.reset()
    hub.faults["config.json"] = {"commit": "../../../../escaped"}
    rc, out, err = e.run("download", "test-org/bert-tiny", "--quiet")
    check(rc != 0 and "X-Repo-Commit" in err, "server commit with ../ is rejected: " + err)
    hub.reset()
    hub.faults["config.json"] = {"etag": "../../../escaped"}
    rc, out, err = e.run("download", "test-org/bert-tiny", "--quiet")
    check(rc != 0 and "ETag" in err, "server etag with ../ is rejected: " + err)
    hub.reset()
    rc, out, err = e.run("download", "test-org/evil-index", "--quiet")
    check(rc != 0 and "shard" in err, "index naming ../ shards is rejected: " + err)
    escaped = [f for f in files_under(e.root) if "escaped" in f]
    check(escaped == [], "nothing written outside the cache: %s" % escaped)
    e.close()


def test_concurrent():
    e = Env("concurrent")
    hub.reset()
    hub.faults["model.safetensors"] = {"slow": 0.05}
    results = []

    def one():
        results.append(e.run("download", "test-org/bert-tiny", "--quiet"))

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    check(len(results) == 3 and all(r[0] == 0 for r in results), "three concurrent downloads succeed: %s" % [r[2] for r in results])
    data = repo_of("test-org/bert-tiny").files["model.safetensors"]
    check(len({r[1] for r in results}) == 1 and open(os.path.join(results[0][1], "model.safetensors"), "rb").read() == data,
          "the shared blob is intact")
    gets = [r for r in hub.log if r["server"] == "cdn"]
    check(len(gets) == 1, "the lock lets one process download, the others wait: %d GETs" % len(gets))
    e.close()


def main():
    tests = [test_layout, test_python_written_cache_is_used, test_offline_and_unreachable, test_resume, test_checksum,
             test_errors_and_retries, test_token, test_escapes, test_concurrent]
    only = os.environ.get("HUB_TEST_ONLY")
    try:
        for t in tests:
            if only and only not in t.__name__:
                continue
            print("--", t.__name__, flush=True)
            t()
    finally:
        hub.stop()
    print("hub tests: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
