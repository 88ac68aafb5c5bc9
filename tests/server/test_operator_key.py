"""The operator key must be the operator's alone: serve refuses a key file
that group or others can read (exit 1, naming the file) and changes nothing;
with mode 0600 it serves, and nothing it prints (stdout, stderr, through
good and bad requests and a SIGTERM) holds the private key's PEM, base64 or
raw seed."""
import base64
import os
import subprocess

from rlharness import BIN, Fixture, Server, check, lot_payload, main, raw_exchange, run


def key_material(pem_path):
    text = open(pem_path).read()
    b64_lines = [l for l in text.splitlines() if l and not l.startswith("-----")]
    der = base64.b64decode("".join(b64_lines))
    check(len(der) == 48, "op.key is not a PKCS#8 Ed25519 key (%d bytes)" % len(der))
    seed = der[-32:]
    return ["".join(b64_lines), base64.b64encode(seed).decode(), base64.b64encode(seed).decode().rstrip("="),
            seed.hex(), seed.hex().upper(), base64.urlsafe_b64encode(seed).decode().rstrip("=")] + b64_lines


def test():
    fx = Fixture("opkey")
    try:
        fx.add_party("p1")
        fx.submit_local(fx.sign("p1", [lot_payload("L-1")]))
        _, before, _ = run(["--db", fx.db, "status", "--json"])
        for mode in (0o644, 0o640, 0o604, 0o660):
            os.chmod(fx.op_key, mode)
            p = subprocess.run([BIN, "--db", fx.db, "serve", "--operator-key", fx.op_key, "--listen",
                                "127.0.0.1:0"], capture_output=True, timeout=20)
            err = p.stderr.decode()
            check(p.returncode == 1, "mode %o: serve exit %d (want 1): %s" % (mode, p.returncode, err))
            check(fx.op_key in err and "%04o" % mode in err, "mode %o: the refusal does not name the file: %s" % (mode, err))
            check(b"listening" not in p.stdout, "mode %o: it listened anyway" % mode)
        os.chmod(fx.op_key, 0o600)
        _, after, _ = run(["--db", fx.db, "status", "--json"])
        check(before == after, "a refused serve changed the ledger")
        secrets = key_material(fx.op_key)
        srv = Server(fx.db, fx.op_key)
        try:
            srv.post_lines(fx.sign("p1", [lot_payload("L-2")], server=srv.url))
            srv.post_lines(["{bad json"])
            raw_exchange(srv.port, b"GARBAGE\r\n\r\n", timeout=2)
            srv.request("GET", "/v1/status")
            srv.request("GET", "/metrics")
            srv.wait_checkpoint(4)
            check(srv.stop() == 0, "serve did not exit 0")
        finally:
            srv.kill()
        out = srv.output()
        check("listening on" in out and "SIGTERM" in out, "the server printed nothing to check: %r" % out)
        for s in secrets:
            check(s not in out, "the server printed key material %r..." % s[:6])
        # A public key in place of the private one: refused, and nothing leaks either.
        os.chmod(fx.op_pub, 0o600)
        rc, _, err = run(["--db", fx.db, "serve", "--operator-key", fx.op_pub, "--listen", "127.0.0.1:0"], check_rc=None)
        check(rc == 1, "serve with op.pub as --operator-key: exit %d" % rc)
    finally:
        fx.cleanup()


if __name__ == "__main__":
    main(test)
