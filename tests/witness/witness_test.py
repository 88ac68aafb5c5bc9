#!/usr/bin/env python3
"""Witnesses on loopback: two `rareledger witness` processes, a log served
with --witness-quorum 2, an independent cosignature/v1 implementation
(written from C2SP tlog-cosignature, on ed25519_ref.py, sharing no code
with rareledger) that checks the witnesses' cosignatures and makes one the
project accepts, a split view, bad input, and witness restarts and kill -9.

Usage: witness_test.py RAREBIN TESTDATA_DIR
"""
import base64
import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ed25519_ref  # noqa: E402

BIN = sys.argv[1]
TESTDATA = sys.argv[2]
DASH = "\u2014 "
FAILURES = []
PROCS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def run(*args, ok=True, stdin=None):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, input=stdin, timeout=60)
    if ok and p.returncode != 0:
        raise RuntimeError(f"{args}: exit {p.returncode}: {p.stderr}")
    return p


def start(*args):
    """Starts a server process; returns (proc, url) once it prints its port."""
    p = subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    PROCS.append(p)
    line = p.stdout.readline()
    m = re.search(r"http://([0-9.]+):(\d+)", line)
    if not m:
        raise RuntimeError(f"{args}: no listening line: {line!r} {p.stderr.read()}")
    return p, f"http://{m.group(1)}:{m.group(2)}"


def request(url, method, path, body=None, ctype="text/plain"):
    host, port = url[len("http://"):].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    if isinstance(body, str):
        body = body.encode("utf-8")
    c.request(method, path, body=body, headers={"Content-Type": ctype} if body is not None else {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data


# ---- the independent cosignature implementation -------------------------

def key_id(name, key_type, pub):
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + pub).digest()[:4]


def parse_vkey(vkey, want_type):
    name, kid, b64 = vkey.split("+", 2)
    raw = base64.b64decode(b64)
    assert raw[0] == want_type and len(raw) == 33, vkey
    assert key_id(name, want_type, raw[1:]).hex() == kid, vkey
    return name, raw[1:]


def note_text(note):
    text, _, sigs = note.rpartition("\n\n")
    return text + "\n", [s for s in sigs.split("\n") if s]


def cosignature_ok(note, vkey):
    """The timestamp of a valid cosignature/v1 by vkey on note, else None."""
    name, pub = parse_vkey(vkey, 0x04)
    text, sigs = note_text(note)
    for line in sigs:
        if not line.startswith(DASH):
            continue
        lname, _, b64 = line[len(DASH):].partition(" ")
        blob = base64.b64decode(b64)
        if lname != name or blob[:4] != key_id(name, 0x04, pub) or len(blob) != 76:
            continue
        ts = int.from_bytes(blob[4:12], "big")
        msg = b"cosignature/v1\ntime " + str(ts).encode() + b"\n" + text.encode()
        return ts if ed25519_ref.verify(pub, msg, blob[12:]) else None
    return None


def cosign(note, name, seed, ts):
    pub = ed25519_ref.public_key(seed)
    text, _ = note_text(note)
    msg = b"cosignature/v1\ntime " + str(ts).encode() + b"\n" + text.encode()
    blob = key_id(name, 0x04, pub) + ts.to_bytes(8, "big") + ed25519_ref.sign(seed, msg)
    vkey = f"{name}+{key_id(name, 0x04, pub).hex()}+" + base64.b64encode(bytes([4]) + pub).decode()
    return DASH + name + " " + base64.b64encode(blob).decode() + "\n", vkey


def checkpoint_size(note):
    return int(note.split("\n")[1])


def wait_for(fn, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    check(False, what + " (timed out)")
    return None


def main():
    vectors = json.load(open(os.path.join(TESTDATA, "published-vectors.json")))
    ed25519_ref.self_test(vectors["ed25519_rfc8032"]["vectors"])
    check(True, "the test's own Ed25519 reproduces RFC 8032 section 7.1")

    work = tempfile.mkdtemp(prefix="rl-witness-")
    os.chdir(work)
    db = os.path.join(work, "ledger")
    run("keygen", "--out", "op")
    run("init", "--db", db, "--ledger-id", "witness.example/log", "--operator-key", "op.key")
    op_vkey = run("checkpoint", "--vkey", "--db", db).stdout.strip()
    wkeys = {}
    for w in ("w1", "w2"):
        run("keygen", "--out", w)
        wkeys[w] = run("witness", "--key", f"{w}.key", "--name", f"{w}.example/w", "--vkey").stdout.strip()
    check(all(parse_vkey(v, 0x04) for v in wkeys.values()), "witness --vkey prints type 0x04 keys")

    def start_witness(w):
        return start("witness", "--db", os.path.join(work, w + "-state"), "--key", f"{w}.key",
                     "--name", f"{w}.example/w", "--listen", "127.0.0.1:0",
                     "--log", f"witness.example/log={op_vkey}")

    witnesses = {w: start_witness(w) for w in ("w1", "w2")}
    serve, url = start("serve", "--db", db, "--operator-key", "op.key", "--listen", "127.0.0.1:0",
                       "--checkpoint-every", "200", "--witness-quorum", "2",
                       *sum([["--witness", f"{w}.example/w={witnesses[w][1]}={wkeys[w]}"]
                             for w in ("w1", "w2")], []))

    def served():
        st, _, body = request(url, "GET", "/checkpoint")
        return body.decode() if st == 200 else None

    for i in range(3):
        run("keygen", "--out", f"p{i}")
        run("party", "add", "--server", url, "--key", "op.key", "--id", f"p{i}", "--name", f"P{i}",
            "--country", "DE", "--roles", "producer", "--pubkey", f"p{i}.pub")
    note = wait_for(lambda: (lambda n: n if n and checkpoint_size(n) == 4 else None)(served()),
                    "the log serves a checkpoint of size 4 with the quorum")
    if note is None:
        return
    check(all(cosignature_ok(note, wkeys[w]) for w in ("w1", "w2")),
          "the independent implementation verifies both witnesses' cosignatures")
    ts = cosignature_ok(note, wkeys["w1"])
    check(ts is not None and abs(ts - time.time()) < 120, "the cosignature's timestamp is now")

    # The project's verifiers: quorum 2 of the two keys passes, a third key
    # nobody cosigned with fails quorum 3.
    _, stranger = cosign(note, "py.example/w", bytes(range(32)), 1700000000)
    args = ["verify", "--server", url, "--vkey", op_vkey,
            "--witness-vkey", wkeys["w1"], "--witness-vkey", wkeys["w2"]]
    check(run(*args, "--witness-quorum", "2", ok=False).returncode == 0,
          "verify --server passes with quorum 2 of the witnesses")
    p = run(*args, "--witness-vkey", stranger, "--witness-quorum", "3", ok=False)
    check(p.returncode == 1 and "quorum is 3" in p.stderr and "no cosignature by py.example/w" in p.stderr,
          "verify --server fails naming the missing cosignature: " + p.stderr.strip()[:200])
    check(run("verify", "--db", db, "--witness-vkey", wkeys["w1"], "--witness-vkey", wkeys["w2"],
              ok=False).returncode == 0, "verify --db sees the cosigned checkpoint stored in the ledger")
    run("export", "--db", db, os.path.join(work, "bundle"))
    check(run("verify-bundle", os.path.join(work, "bundle"), "--witness-vkey", wkeys["w1"],
              "--witness-vkey", wkeys["w2"], ok=False).returncode == 0,
          "the bundle keeps the cosigned notes")

    # A cosignature made here is accepted by the project; a forged one is not.
    line, py_vkey = cosign(note, "py.example/w", bytes(range(32)), int(time.time()))
    with open("cosigned.note", "w") as f:
        f.write(note + line)
    proof = run("prove", "inclusion", "--db", db, "--index", "1", "--size", str(checkpoint_size(note))).stdout
    with open("proof.json", "w") as f:
        f.write(proof)
    leaf_hash = json.loads(proof)["leaf_hash"]
    base = ["verify-proof", "inclusion", "proof.json", "--checkpoint", "cosigned.note", "--vkey", op_vkey,
            "--leaf-hash", leaf_hash, "--index", "1"]
    check(run(*base, "--witness-vkey", py_vkey, ok=False).returncode == 0,
          "verify-proof accepts the independent implementation's cosignature")
    forged = line[:-10] + ("A" if line[-10] != "A" else "B") + line[-9:]
    with open("forged.note", "w") as f:
        f.write(note + forged)
    p = run(*base[:4], "forged.note", *base[5:], "--witness-vkey", py_vkey, ok=False)
    check(p.returncode == 1 and "does not verify" in p.stderr, "a forged cosignature fails: " + p.stderr.strip()[:120])

    # Split view: the same operator key signs a second, inconsistent history.
    other = os.path.join(work, "other")
    run("init", "--db", other, "--ledger-id", "witness.example/log", "--operator-key", "op.key",
        "--country", "JP")
    def add_other(i):
        run("keygen", "--out", f"q{i}")
        run("party", "add", "--db", other, "--key", "op.key", "--id", f"q{i}", "--name", "Q",
            "--country", "JP", "--roles", "producer", "--pubkey", f"q{i}.pub")
    for i in range(3):
        add_other(i)
    same_size = run("checkpoint", "--db", other, "--operator-key", "op.key").stdout
    w1 = witnesses["w1"][1]
    size = checkpoint_size(note)
    check(checkpoint_size(same_size) == size, "the other history has the same size")
    st, hdr, body = request(w1, "POST", "/add-checkpoint", f"old {size}\n\n" + same_size)
    check(st == 409 and body.decode() == f"{size}\n",
          f"the witness refuses the split view's same-size checkpoint (409 with its size): {st} {body[:60]!r}")
    add_other(3)
    split = run("checkpoint", "--db", other, "--operator-key", "op.key").stdout
    proof5 = run("prove", "consistency", "--db", other, "--old", "4").stdout
    lines = "".join(base64.b64encode(bytes.fromhex(h)).decode() + "\n" for h in json.loads(proof5)["path"])
    st, _, body = request(w1, "POST", "/add-checkpoint", "old 4\n" + lines + "\n" + split)
    check(st in (409, 422), f"the witness refuses a proof from the other history: {st}")
    s2, url2 = start("serve", "--db", other, "--operator-key", "op.key", "--listen", "127.0.0.1:0")
    p = run("verify", "--server", url2, "--vkey", op_vkey, "--witness-vkey", wkeys["w1"],
            "--witness-vkey", wkeys["w2"], ok=False)
    check(p.returncode == 1 and "witness cosignature" in p.stderr,
          "verify --server with the witness requirement refuses the split view")
    mirror = os.path.join(work, "mirror")
    check(run("mirror", "--server", url, "--db", mirror, "--vkey", op_vkey, "--witness-vkey", wkeys["w1"],
              "--witness-vkey", wkeys["w2"], ok=False).returncode == 0, "mirror follows the witnessed log")
    p = run("mirror", "--server", url2, "--db", mirror, "--vkey", op_vkey, "--witness-vkey", wkeys["w1"],
            "--witness-vkey", wkeys["w2"], ok=False)
    check(p.returncode == 1, "mirror with the witness requirement refuses the split view: " + p.stderr.strip()[:150])
    s2.send_signal(signal.SIGTERM)
    s2.wait(timeout=20)

    # Bad input to a witness: nothing is cosigned, its state is unchanged.
    cases = [
        ("not a body", 400),
        ("old 01\n\n" + note, 400),
        ("old 99999999999999999999999\n\n" + note, 400),
        (f"old {size}\n" + "".join(base64.b64encode(b"\0" * 32).decode() + "\n" for _ in range(64)) + "\n" + note, 400),
        (f"old {size}\nnot base64!\n\n" + note, 400),
        (f"old {size + 5}\n\n" + note, 400),
        ("old 0\n\n" + note.replace("witness.example/log", "other.example/log", 1), 404),
        ("old 0\n\n" + note.split("\n\n")[0] + "\n\n" + DASH + "witness.example/log AAAAAAAA\n", 403),
    ]
    for body, want in cases:
        st, _, _ = request(w1, "POST", "/add-checkpoint", body)
        check(st == want, f"witness answers {want} to {body[:40]!r}: got {st}")
    held = checkpoint_size(served())
    st, hdr, body = request(w1, "POST", "/add-checkpoint", "old 1\n\n" + note)
    check(st == 409 and hdr.get("Content-Type") == "text/x.tlog.size",
          "a replayed old size gets 409 text/x.tlog.size with the size it holds")
    st, _, _ = request(w1, "GET", "/add-checkpoint")
    check(st == 405, "GET /add-checkpoint is 405")

    # kill -9 of a witness: the log keeps accepting entries and never serves a
    # quorum it does not have; after a restart from its state it catches up.
    witnesses["w1"][0].kill()
    witnesses["w1"][0].wait()
    t0 = time.time()
    run("keygen", "--out", "late")
    run("party", "add", "--server", url, "--key", "op.key", "--id", "late", "--name", "Late",
        "--country", "DE", "--roles", "producer", "--pubkey", "late.pub")
    check(time.time() - t0 < 10, "a submit goes through while a witness is down")
    time.sleep(1.0)
    n = served()
    check(n is not None and checkpoint_size(n) < held + 1 and all(cosignature_ok(n, wkeys[w]) for w in ("w1", "w2")),
          "while a witness is down the served checkpoint stays the last one with the quorum")
    # Restart on a new port; the log only knows the old URL, so restart on it.
    port = witnesses["w1"][1].rsplit(":", 1)[1]
    p1, _ = start("witness", "--db", os.path.join(work, "w1-state"), "--key", "w1.key",
                  "--name", "w1.example/w", "--listen", f"127.0.0.1:{port}",
                  "--log", f"witness.example/log={op_vkey}")
    witnesses["w1"] = (p1, witnesses["w1"][1])
    n = wait_for(lambda: (lambda m: m if m and checkpoint_size(m) == held + 1 else None)(served()),
                 "after the witness restarts the log's newest checkpoint gets the quorum")
    check(n is not None and all(cosignature_ok(n, wkeys[w]) for w in ("w1", "w2")),
          "the restarted witness cosigns consistently with its saved state")
    st, _, _ = request(witnesses["w1"][1], "POST", "/add-checkpoint", f"old {held + 1}\n\n" + split)
    check(st in (400, 409, 422), "the restarted witness still refuses the other history")

    serve.send_signal(signal.SIGTERM)
    check(serve.wait(timeout=30) == 0, "serve drains and exits 0")


if __name__ == "__main__":
    try:
        main()
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill()
                p.wait()
    print(f"witness_test: {len(FAILURES)} failed")
    sys.exit(1 if FAILURES else 0)
