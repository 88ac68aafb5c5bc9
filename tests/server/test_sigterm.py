"""SIGTERM while clients submit: the server drains and exits 0; every entry
answered 200 is in the log, each client's entries are an exact prefix of what
it sent; requests during the drain get 503 with Retry-After or a closed or
refused connection, never a 200 for an entry that is not there."""
import json
import signal
import socket
import time

import load
from rlharness import Fixture, Server, check, main, run, status_of

PARTIES = ["c1", "c2", "c3", "c4"]


def test():
    fx = Fixture("sigterm")
    try:
        for p in PARTIES:
            fx.add_party(p)
        clients = load.start_clients(fx, 0, PARTIES, 400)
        srv = Server(fx.db, fx.op_key)
        try:
            for c in clients:
                c.port = srv.port
                c.start()
            deadline = time.monotonic() + 10
            while not all(len(c.acked) >= 5 for c in clients) and time.monotonic() < deadline:
                time.sleep(0.05)
            check(all(c.acked for c in clients), "not every client got an entry in within 10 s")
            time.sleep(0.3)
            # An idle keep-alive connection, to ask during the drain.
            idle = socket.create_connection(("127.0.0.1", srv.port))
            term_at = time.monotonic()
            srv.proc.send_signal(signal.SIGTERM)
            time.sleep(0.02)
            drain = b""
            try:
                idle.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
                idle.settimeout(5)
                drain = idle.recv(4096)
            except OSError:
                pass
            idle.close()
            rc = srv.stop(timeout=40)
            check(rc == 0, "serve exit %d after SIGTERM" % rc)
            for c in clients:
                c.join(15)
                check(not c.is_alive(), "client %s hung" % c.party)
            check(drain == b"" or (status_of(drain) == 503 and b"Retry-After:" in drain),
                  "a request during the drain got %r" % drain[:200])
            late = 0
            for c in clients:
                for t, st, headers, body in c.answers:
                    check(st in (200, 503), "%s got %d: %s" % (c.party, st, body[:200]))
                    if st == 503:
                        late += 1
                        check(t >= term_at and "Retry-After" in headers, "503 without Retry-After or before SIGTERM")
            print("acknowledged %d; 503s %d; connection errors %d; drain answer %r" %
                  (sum(len(c.acked) for c in clients), late, sum(len(c.errors) for c in clients), drain[:12]))
            check(any(c.errors or late for c in clients) or not any(len(c.acked) < 400 for c in clients),
                  "clients neither finished nor saw the shutdown")
        finally:
            srv.kill()
        run(["--db", fx.db, "verify"])
        _, status, _ = run(["--db", fx.db, "status", "--json"])
        _, notes, _ = run(["--db", fx.db, "checkpoint", "--list", "--json"])
        last = json.loads(notes.strip().split("\n")[-1])
        check(last["size"] == json.loads(status)["size"], "no checkpoint of the final size was signed at exit")
        srv = Server(fx.db, fx.op_key)
        try:
            n = load.check_log(srv, clients)
            check(n >= sum(len(c.acked) for c in clients), "fewer entries than acknowledged")
            check(srv.stop(signal.SIGINT) == 0, "serve did not exit 0 on SIGINT")
        finally:
            srv.kill()
    finally:
        fx.cleanup()


if __name__ == "__main__":
    main(test)
