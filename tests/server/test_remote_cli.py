"""The project's own clients against a running server: submit --server, a
shortcut's --server, sign --server (seq from next_seq), verify --server (ok
on the server and on a static copy of `tiles DIR`; fails on a copy with one
byte changed), and mirror --server (a replica that verify, show and assess
work on; --follow takes new entries; an inconsistent checkpoint -- another
ledger with the same operator key and origin -- stops it with exit 1 and
both notes kept in DIR/evidence/)."""
import functools
import http.server
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from rlharness import BIN, Fixture, Server, check, lot_payload, main, run


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def static_server(directory):
    """Python's http.server on a loopback port serving `directory`."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=directory))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, "http://127.0.0.1:%d" % httpd.server_address[1]


def flip_byte(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x01]))


def clients(fx, srv):
    # sign --server fills ledger, party and seq from the server.
    src = fx.path("one.json")
    with open(src, "w") as f:
        json.dump({"type": "create_lot", "lot": "R-1", "material": "x", "category": "re_oxide",
                   "mass_g": 10, "value": 1, "origin": "CN"}, f)
    want_seq = srv.get_json("/v1/parties/p1")["next_seq"]
    _, env, _ = run(["sign", "--server", srv.url, "--key", fx.path("p1.key"), src])
    got = json.loads(env)["payload"]
    check(got["seq"] == want_seq and got["party"] == "p1" and got["ledger"] == "test.example",
          "sign --server: %s (want seq %d)" % (got, want_seq))
    envs = fx.path("env.jsonl")
    with open(envs, "w") as f:
        f.write(env)
    size = srv.size()
    rc, out, err = run(["submit", "--server", srv.url, envs])
    check(srv.size() == size + 1 and "1" in out, "submit --server: %s %s" % (out, err))
    rc, out, err = run(["submit", "--server", srv.url, envs])  # again: a duplicate
    check(srv.size() == size + 1, "a resubmitted envelope was appended twice")
    tampered = json.loads(fx.sign("p1", [lot_payload("R-9")], server=srv.url)[0])
    tampered["payload"]["mass_g"] += 1
    with open(fx.path("bad.jsonl"), "w") as f:
        f.write(json.dumps(tampered) + "\n")
    _, _, err = run(["submit", "--server", srv.url, fx.path("bad.jsonl")], check_rc=1)
    check("line 1" in err or "signature" in err, "a rejected remote submit says %r" % err)
    check(srv.size() == size + 1, "a rejected remote submit appended")
    # The shortcuts with --server.
    run(["lot", "create", "--server", srv.url, "--key", fx.path("p2.key"), "--lot", "SC-1", "--material",
         "Dy oxide", "--category", "re_oxide", "--mass-g", "1000", "--value", "5", "--origin", "CN",
         "--element", "Dy=100"])
    run(["transfer", "--server", srv.url, "--key", fx.path("p2.key"), "--lot", "SC-1", "--to", "p1"])
    lot = srv.get_json("/v1/lots/SC-1")
    check(lot["holder"] == "p1" and lot["creator"] == "p2", "shortcuts --server: %s" % lot)
    check(srv.get_json("/v1/parties/p2")["next_seq"] == 3, "p2 signed two entries")


def verify_remote(fx, srv, work):
    srv.wait_checkpoint(srv.size())
    _, out, _ = run(["verify", "--server", srv.url, "--operator-key", fx.op_pub])
    run(["verify", "--server", srv.url, "--operator-key", fx.path("p1.pub")], check_rc=1)
    tiles = os.path.join(work, "tiles")
    run(["--db", fx.db, "tiles", tiles])
    httpd, url = static_server(tiles)
    try:
        run(["verify", "--server", url, "--operator-key", fx.op_pub])  # the untouched copy passes
        n = srv.size()
        check(512 < n < 768, "the fixture has two full tiles and a partial one (%d)" % n)
        for victim, offset in [("tile/entries/000", 40), ("tile/entries/002.p/%d" % (n - 512), 1),
                               ("tile/0/000", 33), ("tile/0/002.p/%d" % (n - 512), 70),
                               ("tile/1/000.p/2", 3), ("checkpoint", 20)]:
            paths = [os.path.join(tiles, victim)]
            check(os.path.exists(paths[0]), "no %s in %s" % (victim, tiles))
            shutil.copy(paths[0], paths[0] + ".orig")
            flip_byte(paths[0], offset)
            rc, out, err = run(["verify", "--server", url, "--operator-key", fx.op_pub], check_rc=None)
            check(rc == 1, "verify --server passed with byte %d of %s changed: %s %s" % (offset, victim, out, err))
            os.replace(paths[0] + ".orig", paths[0])
        run(["verify", "--server", url, "--operator-key", fx.op_pub])
    finally:
        httpd.shutdown()


def mirror(fx, srv, work):
    m = os.path.join(work, "mirror")
    run(["mirror", "--server", srv.url, "--db", m, "--operator-key", fx.op_pub])
    run(["--db", m, "verify"])
    _, out, _ = run(["--db", m, "show", "lot", "SC-1", "--json"])
    check(json.loads(out)["holder"] == "p1", "show on the mirror: %s" % out)
    _, out, _ = run(["--db", m, "assess", "SC-1", "--policy", "cn-mofcom-2025-61", "--as-of", "2026-12-01"])
    check("SC-1" in out, "assess on the mirror: %s" % out)
    _, out, _ = run(["--db", m, "trace", "SC-1", "--up"])
    # --follow takes new entries as they come.
    follow = subprocess.Popen([BIN, "mirror", "--server", srv.url, "--db", m, "--operator-key", fx.op_pub,
                               "--follow", "--interval", "0.1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        run(["lot", "create", "--server", srv.url, "--key", fx.path("p2.key"), "--lot", "FOLLOW-1", "--material",
             "x", "--category", "re_oxide", "--mass-g", "5", "--value", "1", "--origin", "CN"])
        deadline, seen = time.time() + 15, False
        while time.time() < deadline and not seen:
            rc, out, _ = run(["--db", m, "show", "lot", "FOLLOW-1", "--json"], check_rc=None)
            seen = rc == 0
            time.sleep(0.1)
        check(seen, "mirror --follow did not take the new entry within 15 s")
        check(follow.poll() is None, "mirror --follow exited with %s" % follow.returncode)
    finally:
        follow.send_signal(signal.SIGTERM)
        try:
            rc = follow.wait(15)
        except subprocess.TimeoutExpired:
            follow.kill()
            follow.wait()
            rc = "hung"
        follow.stdout.close()
        follow.stderr.close()
    check(rc == 0, "mirror --follow after SIGTERM: %s" % rc)
    run(["--db", m, "verify"])
    return m


def inconsistent(fx, m, work):
    """Another ledger, same operator key and origin, longer: a fork."""
    bdir = os.path.join(work, "fork")
    os.makedirs(bdir)
    for f in ("op.key", "op.pub"):
        shutil.copy2(fx.path(f), os.path.join(bdir, f))
    b = Fixture("fork", ledger_id="test.example", keep_dir=bdir)
    b.add_party("q1")
    b.submit_local(b.sign("q1", [lot_payload("Q-%d" % i) for i in range(1, 40)]))
    run(["--db", b.db, "checkpoint", "--operator-key", b.op_key])
    run(["--db", b.db, "tiles", os.path.join(bdir, "tiles")])
    httpd, url = static_server(os.path.join(bdir, "tiles"))
    try:
        _, before, _ = run(["--db", m, "status", "--json"])
        _, notes, _ = run(["--db", m, "checkpoint", "--list", "--json"])
        accepted = json.loads(notes.strip().split("\n")[-1])["note"]
        rc, out, err = run(["mirror", "--server", url, "--db", m, "--operator-key", fx.op_pub,
                            "--currency", "USD"], check_rc=1)
        ev = os.path.join(m, "evidence")
        files = sorted(os.listdir(ev)) if os.path.isdir(ev) else []
        check(len(files) == 2, "evidence/ holds %s" % files)
        for f in files:
            check(os.path.join(ev, f) in err or f in err, "stderr does not name %s: %s" % (f, err))
        notes = {open(os.path.join(ev, f)).read() for f in files}
        offered = open(os.path.join(bdir, "tiles", "checkpoint")).read()
        check(offered in notes, "the offered note is not in evidence/")
        check(accepted in notes, "the note the mirror accepted last is not in evidence/")
        check(len(notes) == 2 and all(n.startswith("test.example\n") for n in notes), "evidence: %s" % notes)
        _, after, _ = run(["--db", m, "status", "--json"])
        check(json.loads(before)["size"] == json.loads(after)["size"], "the fork changed the mirror")
        run(["--db", m, "verify"])
    finally:
        httpd.shutdown()


def test():
    fx = Fixture("remote")
    work = tempfile.mkdtemp(prefix="rl-srv-remote-work-")
    try:
        fx.add_party("p1")
        fx.add_party("p2")
        fx.submit_local(fx.sign("p1", [lot_payload("L-%d" % i) for i in range(1, 600)]))
        srv = Server(fx.db, fx.op_key)
        try:
            t0 = time.monotonic()
            clients(fx, srv)
            t1 = time.monotonic()
            verify_remote(fx, srv, work)
            t2 = time.monotonic()
            m = mirror(fx, srv, work)
            t3 = time.monotonic()
            inconsistent(fx, m, work)
            print("clients %.1fs, verify %.1fs, mirror %.1fs, fork %.1fs" %
                  (t1 - t0, t2 - t1, t3 - t2, time.monotonic() - t3))
        finally:
            srv.kill()
    finally:
        fx.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(test)
