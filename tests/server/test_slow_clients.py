"""Abusive clients are bounded by the server's timeouts and limits and never
stall other clients' submissions: a header sent one byte a second, 2,000 idle
connections, clients that never read their (large) responses, and bodies
that stop mid-way (which append nothing)."""
import resource
import socket
import threading
import time

from rlharness import Fixture, Seconds, Server, check, lot_payload, main

HEADER_TIMEOUT_MS = 2000
BODY_TIMEOUT_MS = 1500
WRITE_TIMEOUT_MS = 2000
IDLE = 2000


class Submitter:
    """Submits one party's pre-signed entries one per POST, timing each."""

    def __init__(self, srv, lines):
        self.srv, self.lines, self.next, self.worst = srv, lines, 0, 0.0

    def submit(self, count):
        for _ in range(count):
            t0 = time.monotonic()
            st, _, b = self.srv.post_lines([self.lines[self.next]])
            took = time.monotonic() - t0
            check(st == 200 and b["appended"] == 1, "a submission failed: %d %s" % (st, b))
            self.worst = max(self.worst, took)
            check(took < 1.5, "a submission took %.2fs" % took)
            self.next += 1


def slow_header(srv, sub):
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.settimeout(0.05)
    start, closed_at = time.monotonic(), None
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"y" * 100
    for i, byte in enumerate(request):
        try:
            s.send(bytes([byte]))
            if s.recv(100) == b"":
                closed_at = time.monotonic()
                break
        except socket.timeout:
            pass
        except OSError:
            closed_at = time.monotonic()
            break
        sub.submit(1)  # others keep succeeding meanwhile (about one a second)
        time.sleep(max(0.0, start + i + 1 - time.monotonic()))  # one byte a second
    s.close()
    check(closed_at is not None, "a header trickled in slowly was never cut off")
    took = closed_at - start
    check(took < HEADER_TIMEOUT_MS / 1000 + 1.5, "the slow header was cut off after %.1fs" % took)


def idle_connections(srv, sub):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    check(hard >= IDLE + 200, "RLIMIT_NOFILE hard limit %d is below %d" % (hard, IDLE + 200))
    socks = []
    try:
        for _ in range(IDLE):
            socks.append(socket.create_connection(("127.0.0.1", srv.port)))
        t0 = time.monotonic()
        sub.submit(3)
        check(time.monotonic() - t0 < 2, "submits stalled behind %d idle connections" % IDLE)
        metrics = srv.request("GET", "/metrics")[2].decode()
        held = [l for l in metrics.splitlines() if l.startswith("rareledger_http_connections ")]
        check(held and int(held[0].split()[1]) >= IDLE, "the server holds %s, want >= %d" % (held, IDLE))
    finally:
        for s in socks:
            s.close()


def never_read(srv, sub):
    """Connections that pipeline big GETs and never read the answers."""
    hogs = []
    request = b"GET /tile/entries/000 HTTP/1.1\r\nHost: x\r\n\r\n" * 400
    for _ in range(16):
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setblocking(False)
        try:
            s.send(request)
        except BlockingIOError:
            pass
        hogs.append(s)
    t0 = time.monotonic()
    sub.submit(5)
    check(time.monotonic() - t0 < 3, "submits stalled behind clients that never read")
    check(srv.request("GET", "/healthz")[0] == 200, "/healthz failed behind clients that never read")
    # Past the write timeout the server has dropped them: reading finds the end.
    time.sleep(WRITE_TIMEOUT_MS / 1000 + 1.0)
    dropped = 0
    for s in hogs:
        s.setblocking(True)
        s.settimeout(3)
        try:
            while True:
                chunk = s.recv(1 << 20)
                if not chunk:
                    dropped += 1
                    break
        except ConnectionResetError:
            dropped += 1
        except socket.timeout:  # still held open by the server
            pass
        s.close()
    check(dropped == len(hogs), "only %d of %d non-reading clients were dropped" % (dropped, len(hogs)))


def cut_bodies(srv, fx):
    """A POST whose body stops mid-way appends nothing (valid lines included)."""
    lines = fx.sign("p2", [lot_payload("CUT-%d" % i) for i in range(1, 4)], server=srv.url)
    body = ("\n".join(lines) + "\n").encode()
    before = srv.size()
    head = (b"POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Type: application/jsonl\r\n"
            b"Content-Length: %d\r\n\r\n" % (len(body) + 500))
    # 1: the client stops sending and waits; the body timeout closes it.
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(head + body)
    s.settimeout(BODY_TIMEOUT_MS / 1000 + 3)
    t0 = time.monotonic()
    try:
        got = s.recv(1000)
    except (ConnectionResetError, socket.timeout):
        got = None
    took = time.monotonic() - t0
    s.close()
    check(got is not None and (got == b"" or got.startswith(b"HTTP/1.1 4")),
          "a stalled body got %r" % got)
    check(took < BODY_TIMEOUT_MS / 1000 + 1.5, "a stalled body was cut off after %.1fs" % took)
    # 2: the client goes away mid-body.
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(head + body[: len(body) // 2])
    s.close()
    # 3: a chunked body whose first chunk holds whole valid lines, then stops.
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Type: application/jsonl\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(body) + body + b"\r\n")
    time.sleep(0.2)
    s.close()
    time.sleep(0.3)
    check(srv.size() == before, "a cut body appended %d entries" % (srv.size() - before))
    check(srv.get_json("/v1/parties/p2")["next_seq"] == 1, "p2's seq moved")
    st, _, b = srv.post_lines(lines)
    check(st == 200 and b["appended"] == 3, "the same lines, sent whole: %d %s" % (st, b))


def max_connections(fx):
    """Past --max-connections new connections are closed at once; once
    some go away the server answers again."""
    srv = Server(fx.db, fx.op_key, "--max-connections", "20", "--header-timeout", "20")
    try:
        held = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(20)]
        time.sleep(0.2)
        extra = socket.create_connection(("127.0.0.1", srv.port))
        extra.settimeout(3)
        try:
            extra.sendall(b"GET /healthz HTTP/1.1\r\n\r\n")
            got = extra.recv(100)
        except (ConnectionResetError, BrokenPipeError):
            got = b""
        except socket.timeout:
            got = None
        extra.close()
        check(got == b"" or (got or b"").startswith(b"HTTP/1.1 503"),
              "connection 21 of at most 20 got %r" % got)
        for s in held[:5]:
            s.close()
        time.sleep(0.2)
        check(srv.request("GET", "/healthz")[0] == 200, "no answer once connections were freed")
        for s in held[5:]:
            s.close()
    finally:
        srv.kill()


def test():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))  # the server inherits it
    fx = Fixture("slow")
    try:
        fx.add_party("p1")
        fx.add_party("p2")
        fx.submit_local(fx.sign("p1", [lot_payload("L-%d" % i) for i in range(1, 300)]))
        pending = fx.sign("p1", [lot_payload("S-%d" % i) for i in range(1, 60)])
        srv = Server(fx.db, fx.op_key, "--header-timeout", Seconds(HEADER_TIMEOUT_MS), "--body-timeout",
                     Seconds(BODY_TIMEOUT_MS), "--write-timeout", Seconds(WRITE_TIMEOUT_MS))
        try:
            sub = Submitter(srv, pending)
            slow_header(srv, sub)
            idle_connections(srv, sub)
            never_read(srv, sub)
            cut_bodies(srv, fx)
            check(srv.alive(), "the server died")
            check(srv.get_json("/v1/parties/p1")["next_seq"] == 300 + sub.next,
                  "p1's entries: next_seq %s, want %d" % (srv.get_json("/v1/parties/p1")["next_seq"], 300 + sub.next))
            print("worst submission latency %.3fs over %d" % (sub.worst, sub.next))
        finally:
            srv.kill()
        max_connections(fx)
    finally:
        fx.cleanup()


if __name__ == "__main__":
    main(test)
