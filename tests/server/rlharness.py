"""Shared plumbing of the server tests: fixture ledgers built with the real
binary, a `rareledger serve` process on a loopback port, and a plain
http.client / socket client. Standard library only; no project code.

Every test script is run as `python3 SCRIPT.py RARELEDGER_BINARY` (ctest
passes the binary) and exits 0 only when every check held.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.environ.get("RL_BINARY") or (sys.argv[1] if len(sys.argv) > 1 else "")
SRC = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(os.path.dirname(SRC), "testdata")


class Failed(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failed(message)


def run(args, check_rc=0, stdin=None, timeout=60, env=None):
    """Runs the binary; fails the test unless it exits `check_rc` (None: any)."""
    p = subprocess.run([BIN] + list(args), input=stdin, capture_output=True, timeout=timeout,
                       env=env)
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    if check_rc is not None and p.returncode != check_rc:
        raise Failed("rareledger %s: exit %d (want %d)\nstdout: %s\nstderr: %s" %
                     (" ".join(args), p.returncode, check_rc, out[-2000:], err[-2000:]))
    return p.returncode, out, err


def lot_payload(lot):
    return {"type": "create_lot", "lot": lot, "material": "test oxide", "category": "re_oxide",
            "mass_g": 1000, "value": 500, "origin": "CN", "elements": {"Dy": 100}}


class Fixture:
    """A fresh ledger in a temporary directory: operator key op, parties."""

    def __init__(self, name="fx", ledger_id="test.example", keep_dir=None):
        self.dir = keep_dir or tempfile.mkdtemp(prefix="rl-srv-%s-" % name)
        self.db = os.path.join(self.dir, "db")
        self.ledger_id = ledger_id
        self.op_key = self.path("op.key")
        self.op_pub = self.path("op.pub")
        if not os.path.exists(self.op_key):
            run(["keygen", "--out", self.path("op")])
        run(["--db", self.db, "init", "--ledger-id", ledger_id, "--operator-key", self.op_key])

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def add_party(self, pid, roles="producer,manufacturer"):
        run(["keygen", "--out", self.path(pid)])
        run(["--db", self.db, "party", "add", "--key", self.op_key, "--id", pid, "--name",
             "Party " + pid, "--country", "JP", "--roles", roles, "--pubkey", self.path(pid + ".pub")])
        return self.path(pid + ".key")

    def sign(self, pid, payloads, server=None):
        """Signs payloads as party `pid` with consecutive seqs after what the
        ledger (or `server`) holds; returns the envelope lines (str)."""
        src = self.path("payloads-%s-%d.jsonl" % (pid, time.monotonic_ns()))
        with open(src, "w") as f:
            for p in payloads:
                f.write(json.dumps(p) + "\n")
        where = ["sign", "--server", server] if server else ["--db", self.db, "sign"]
        _, out, _ = run(where + ["--key", self.path(pid + ".key"), src])
        lines = [l for l in out.split("\n") if l.strip()]
        check(len(lines) == len(payloads), "sign printed %d envelopes for %d payloads" %
              (len(lines), len(payloads)))
        return lines

    def submit_local(self, lines):
        run(["--db", self.db, "submit", "-", "--quiet"], stdin=("\n".join(lines) + "\n").encode())

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def Seconds(ms):
    """The CLI's durations are seconds as decimal text: 100 ms -> "0.1"."""
    return f"{ms // 1000}.{ms % 1000:03d}"


class Server:
    """`rareledger serve` on 127.0.0.1, port 0; parses the printed port."""

    def __init__(self, db, op_key, *extra, checkpoint_ms=100, start_timeout=15):
        self.args = ["--db", db, "serve", "--operator-key", op_key, "--listen", "127.0.0.1:0",
                     "--checkpoint-every", Seconds(checkpoint_ms)] + list(extra)
        self.proc = subprocess.Popen([BIN] + self.args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.out_lines, self.err_lines = [], []
        first = []
        ready = threading.Event()

        def pump(stream, sink, is_out):
            for raw in iter(stream.readline, b""):
                line = raw.decode(errors="replace")
                sink.append(line)
                if is_out and not first:
                    first.append(line)
                    ready.set()
            if is_out:
                ready.set()

        self.threads = [threading.Thread(target=pump, args=(self.proc.stdout, self.out_lines, True), daemon=True),
                        threading.Thread(target=pump, args=(self.proc.stderr, self.err_lines, False), daemon=True)]
        for t in self.threads:
            t.start()
        ready.wait(start_timeout)
        if not first or "listening on http://" not in first[0]:
            self.kill()
            raise Failed("serve did not start: stdout %r stderr %r" % (self.out_lines, self.err_lines))
        url = first[0].split("listening on ")[1].split()[0]
        check(url.startswith("http://127.0.0.1:"), "first line names %r" % url)
        self.url = url
        self.port = int(url.rsplit(":", 1)[1])

    def conn(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=10):
        """One request on a fresh connection: (status, headers (lower-case), body bytes)."""
        c = self.conn(timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def get_json(self, path, want=200):
        st, h, b = self.request("GET", path)
        check(st == want, "GET %s: %d (want %d): %s" % (path, st, want, b[:300]))
        check(h.get("content-type", "").startswith("application/json"),
              "GET %s: content type %r" % (path, h.get("content-type")))
        return json.loads(b)

    def post_lines(self, lines, ctype="application/jsonl"):
        body = ("\n".join(lines) + "\n").encode()
        st, h, b = self.request("POST", "/v1/entries", body, {"Content-Type": ctype})
        return st, h, (json.loads(b) if b[:1] == b"{" else b)

    def size(self):
        return self.get_json("/v1/status")["size"]

    def wait_checkpoint(self, size, timeout=10):
        """Waits until /checkpoint covers `size` entries; returns the note."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            st, _, b = self.request("GET", "/checkpoint")
            if st == 200 and int(b.decode().split("\n")[1]) >= size:
                return b
            time.sleep(0.05)
        raise Failed("no checkpoint of size %d within %ds" % (size, timeout))

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=40):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failed("serve did not exit within %ds of signal %d" % (timeout, sig))
        for t in self.threads:
            t.join(5)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for t in self.threads:
            t.join(5)

    def output(self):
        return "".join(self.out_lines) + "".join(self.err_lines)


def raw_exchange(port, data, timeout=5.0, shut=False, until_close=False):
    """Sends raw bytes; returns what the server answered until its first
    response is complete (or, with until_close, it closed the connection),
    or `timeout` passed (b"" if it closed at once)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        got = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            got += chunk
            if b"\r\n\r\n" in got and not until_close:
                head, _, rest = got.partition(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        if len(rest) >= int(line.split(b":")[1]):
                            return got
        return got
    finally:
        s.close()


def status_of(raw):
    """The status code of a raw HTTP response, or None for no response."""
    if not raw.startswith(b"HTTP/1."):
        return None
    return int(raw.split(b" ", 2)[1])


def main(test):
    """Runs `test()`; prints FAIL and exits 1 on a failed check or error."""
    check(BIN and os.access(BIN, os.X_OK), "usage: %s RARELEDGER_BINARY" % sys.argv[0])
    started = time.time()
    try:
        test()
    except Failed as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    print("ok: %s (%.1fs)" % (os.path.basename(sys.argv[0]), time.time() - started))
