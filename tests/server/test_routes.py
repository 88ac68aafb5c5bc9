"""Every route of `rareledger serve` answers as SPEC "Server" says, and every
bad request (malformed, oversized, wrong type, traversal, bad tile paths,
invalid or rule-breaking lines) gets a clear error and changes nothing;
afterwards the ledger verifies beside the running server."""
import base64
import json
import re

from rlharness import Failed, Fixture, Server, check, lot_payload, main, raw_exchange, run, status_of

N_LOTS = 600  # entries 2..601: two full level-0 tiles, a partial one, a level-1 tile


def expect(srv, method, path, want, body=None, headers=None, ctype=None):
    st, h, b = srv.request(method, path, body, headers)
    check(st == want, "%s %s: %d (want %d): %s" % (method, path, st, want, b[:300]))
    if ctype is not None:
        check(h.get("content-type", "").startswith(ctype),
              "%s %s: content type %r (want %s)" % (method, path, h.get("content-type"), ctype))
    if st >= 400 and h.get("content-type", "").startswith("application/json"):
        err = json.loads(b)["error"]
        check(err.get("code") and err.get("message"), "%s %s: error without code/message: %s" % (method, path, b))
    return h, b


def reads(srv, fx, size):
    expect(srv, "GET", "/healthz", 200, ctype="text/plain")
    _, m = expect(srv, "GET", "/metrics", 200, ctype="text/plain")
    check(b"rareledger_log_entries %d" % size in m, "metrics lack the entry count: %s" % m[:400])
    status = srv.get_json("/v1/status")
    check(status["size"] == size and status["ledger"] == "test.example", "status: %s" % status)
    lots = srv.get_json("/v1/lots?holder=p1&limit=5")
    check(len(lots["lots"]) == 5 and lots["truncated"], "lots?limit=5: %s" % lots)
    check(lots.get("next_after") == lots["lots"][-1]["lot"], "next_after %r" % lots.get("next_after"))
    more = srv.get_json("/v1/lots?holder=p1&limit=5&after=" + lots["next_after"])
    check(more["lots"][0]["lot"] > lots["next_after"], "after=: %s" % str(more)[:200])
    check([l["lot"] for l in srv.get_json("/v1/lots?holder=p2")["lots"]] == ["L-1"], "L-1 should be p2's")
    lot = srv.get_json("/v1/lots/L-1")
    check(lot["lot"] == "L-1" and lot["holder"] == "p2", "lot L-1: %s" % str(lot)[:300])
    expect(srv, "GET", "/v1/lots/NO-SUCH-LOT", 404, ctype="application/json")
    expect(srv, "GET", "/v1/lots?limit=0", 400, ctype="application/json")
    trace = srv.get_json("/v1/lots/L-1/trace?direction=up&format=json")
    check("L-1" in json.dumps(trace), "trace json lacks the lot: %s" % str(trace)[:300])
    _, dot = expect(srv, "GET", "/v1/lots/L-1/trace?format=dot", 200, ctype="text/vnd.graphviz")
    check(dot.lstrip().startswith(b"digraph"), "dot: %s" % dot[:100])
    _, svg = expect(srv, "GET", "/v1/lots/L-1/trace?format=svg&direction=down", 200, ctype="image/svg+xml")
    check(b"<svg" in svg, "svg: %s" % svg[:200])
    expect(srv, "GET", "/v1/lots/L-1/trace?format=png", 400, ctype="application/json")
    expect(srv, "GET", "/v1/lots/L-1/trace?direction=sideways", 400, ctype="application/json")
    a = srv.get_json("/v1/lots/L-2/assessment?policy=CN-MOFCOM-2025-61&as_of=2026-12-01")
    check(a.get("lot") == "L-2" and a.get("as_of") == "2026-12-01", "assessment: %s" % str(a)[:300])
    check(isinstance(srv.get_json("/v1/lots/L-2/assessment?as_of=2026-12-01"), list),
          "assessment without policy= lists every served policy")
    expect(srv, "GET", "/v1/lots/L-2/assessment?policy=NO-SUCH", 404, ctype="application/json")
    expect(srv, "GET", "/v1/lots/L-2/assessment?as_of=2026-13-45", 400, ctype="application/json")
    e = srv.get_json("/v1/entries/3")
    check(e["index"] == 3 and e["payload"]["lot"] == "L-1", "entry 3: %s" % e)
    expect(srv, "GET", "/v1/entries/%d" % size, 404, ctype="application/json")
    expect(srv, "GET", "/v1/entries/abc", 400, ctype="application/json")
    parties = srv.get_json("/v1/parties")["parties"]
    check(sorted(p["id"] for p in parties) == ["operator", "p1", "p2"], "parties: %s" % parties)
    p1 = srv.get_json("/v1/parties/p1")
    check(p1["next_seq"] == N_LOTS + 2, "p1 next_seq %s (want %d)" % (p1.get("next_seq"), N_LOTS + 2))
    check(srv.get_json("/v1/parties/p2")["next_seq"] == 1, "p2 next_seq should be 1")
    expect(srv, "GET", "/v1/parties/nobody", 404, ctype="application/json")
    raw = base64.b64decode(p1["keys"][0]["pubkey"])
    k = srv.get_json("/v1/keys/" + raw.hex())
    check(k["party"] == "p1" and k["next_seq"] == N_LOTS + 2, "keys: %s" % k)
    expect(srv, "GET", "/v1/keys/zz", 400, ctype="application/json")
    st, _, b = srv.request("GET", "/v1/keys/" + "00" * 31 + "01")
    check(st in (404, 422) and b"no party holds or ever held this key" in b, "an unknown key: %d %s" % (st, b[:200]))
    inc = srv.get_json("/v1/proofs/inclusion?index=5&size=%d" % size)
    check(inc["index"] == 5 and inc["size"] == size and inc["path"], "inclusion: %s" % inc)
    expect(srv, "GET", "/v1/proofs/inclusion?index=%d&size=%d" % (size, size), 400)
    expect(srv, "GET", "/v1/proofs/inclusion?index=1&size=%d" % (size + 1), 404)
    expect(srv, "GET", "/v1/proofs/inclusion", 400)
    con = srv.get_json("/v1/proofs/consistency?old=10&new=%d" % size)
    check(con["old"] == 10 and con["new"] == size and con["path"], "consistency: %s" % con)
    expect(srv, "GET", "/v1/proofs/consistency?old=%d&new=10" % size, 400)
    _, doc = expect(srv, "GET", "/v1/epcis?lot=L-1&direction=up", 200, ctype="application/ld+json")
    events = json.loads(doc)["epcisBody"]["eventList"]
    check(events and all("rl:entry" in ev for ev in events), "epcis: events with rl:entry: %s" % doc[:300])
    check(b"rl:value" not in doc, "epcis: no values unless with_values=true")
    expect(srv, "GET", "/v1/epcis?with_values=maybe", 400, ctype="application/json")
    expect(srv, "GET", "/v1/epcis?lot=NO-SUCH-LOT", 404, ctype="application/json")


def tiles_and_methods(srv, size):
    h, _ = expect(srv, "GET", "/checkpoint", 200, ctype="text/plain; charset=utf-8")
    check("max-age" in h.get("cache-control", "") and "immutable" not in h["cache-control"],
          "/checkpoint Cache-Control %r" % h.get("cache-control"))
    h, b = expect(srv, "GET", "/tile/0/000", 200)
    check(h.get("cache-control") == "public, max-age=31536000, immutable" and len(b) == 256 * 32,
          "full tile: %r, %d bytes" % (h.get("cache-control"), len(b)))
    w = size - 512
    h, b = expect(srv, "GET", "/tile/0/002.p/%d" % w, 200)
    check("immutable" not in h.get("cache-control", "x immutable") and "max-age" in h["cache-control"]
          and len(b) == 32 * w, "partial tile: %r, %d bytes" % (h.get("cache-control"), len(b)))
    h, b = expect(srv, "GET", "/tile/entries/001", 200)
    check("immutable" in h.get("cache-control", ""), "full bundle cache %r" % h.get("cache-control"))
    expect(srv, "GET", "/tile/1/000.p/2", 200)
    for bad in ["/tile/0/x1/000", "/tile/0/001.p/0", "/tile/0/000.p/256", "/tile/0/000.p/007",
                "/tile/0/0", "/tile/0/x000/001", "/tile/-1/000", "/tile/entries/000.p/",
                "/tile/0/000.p/1/2", "/tile/abc/000", "/tile/64/000"]:
        expect(srv, "GET", bad, 400, ctype="application/json")
    for past in ["/tile/2/000", "/tile/1/000", "/tile/0/003", "/tile/0/002",
                 "/tile/0/002.p/%d" % (w + 1), "/tile/entries/002", "/tile/5/000.p/1"]:
        expect(srv, "GET", past, 404, ctype="application/json")
    h, _ = expect(srv, "GET", "/v1/entries", 405)
    check(h.get("allow") == "POST", "405 on GET /v1/entries: Allow %r" % h.get("allow"))
    for path in ["/checkpoint", "/v1/status", "/tile/0/000", "/healthz"]:
        h, _ = expect(srv, "POST", path, 405, body=b"x", headers={"Content-Type": "application/json"})
        check(h.get("allow") == "GET", "405 on POST %s: Allow %r" % (path, h.get("allow")))
    h, _ = expect(srv, "DELETE", "/v1/lots/L-1", 405)
    check(h.get("allow") == "GET", "405 DELETE: Allow %r" % h.get("allow"))
    for path in ["/nope", "/v1", "/v1/entries/1/2", "/v2/status", "/checkpoint/x", "/ui", "/ui/lots/"]:
        expect(srv, "GET", path, 404, ctype="application/json")
    expect(srv, "GET", "/", 200, ctype="text/html")  # the web viewer (docs/web.md)


def traversal_and_garbage(srv):
    for target in [b"/tile/../checkpoint", b"/tile/%2e%2e/checkpoint", b"/tile/0/../../etc/passwd",
                   b"/../../../etc/passwd", b"/tile/%2E%2E/%2E%2E/etc/passwd", b"/tile/entries/..%2f000",
                   b"/v1/lots/..%2f..%2fetc%2fpasswd", b"/tile/0/%30%30%30"]:
        got = raw_exchange(srv.port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        st = status_of(got)
        check(st in (400, 404), "GET %s: %r (want 400 or 404)" % (target, got[:200]))
        check(b"root:" not in got, "traversal leaked a file")
    for junk in [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET\r\n\r\n", b"\x00\x01\x02\xff\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nBad Header Line\r\n\r\n", b"GET /healthz  HTTP/1.1 x\r\n\r\n",
                 b"POST /v1/entries HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                 b"POST /v1/entries HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n",
                 b"POST /v1/entries HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]:
        got = raw_exchange(srv.port, junk, timeout=3, shut=True)
        st = status_of(got)
        check(st is None or 400 <= st < 500, "junk %r: %r" % (junk, got[:200]))
    # Pipelined requests are answered in order; odd but valid targets parse.
    got = raw_exchange(srv.port, b"GET /healthz HTTP/1.1\r\n\r\nGET /v1/entries/99999999999999999999 HTTP/1.1"
                       b"\r\n\r\nGET /v1/lots/L%2D1 HTTP/1.1\r\nConnection: close\r\n\r\n", until_close=True)
    statuses = [int(m) for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", got)]
    check(statuses == [200, 400, 200] and b'"lot":"L-1"' in got, "pipelined: %s" % statuses)
    for target in [b"http://evil/v1/status", b"/v1/status?%zz", b"/v1/lots/%zz", b"/v1/lots/%00"]:
        st = status_of(raw_exchange(srv.port, b"GET " + target + b" HTTP/1.1\r\nConnection: close\r\n\r\n"))
        check(st in (400, 404), "GET %s: %s" % (target, st))
    huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n"
    st = status_of(raw_exchange(srv.port, huge))
    check(st == 431, "40 kB header: %s (want 431)" % st)
    many = b"GET /healthz HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(4000)) + b"\r\n"
    check(status_of(raw_exchange(srv.port, many)) == 431, "4000 headers: want 431")
    check(srv.alive(), "the server died on malformed input")


def bad_writes(srv, fx, max_body):
    size = srv.size()
    fresh = fx.sign("p2", [lot_payload("W-%d" % i) for i in range(1, 4)], server=srv.url)
    expect(srv, "POST", "/v1/entries", 415, fresh[0].encode(), {"Content-Type": "text/plain"}, "application/json")
    expect(srv, "POST", "/v1/entries", 415, fresh[0].encode(), {}, "application/json")
    expect(srv, "POST", "/v1/entries", 400, b"{\"payload\": ", {"Content-Type": "application/json"}, "application/json")
    expect(srv, "POST", "/v1/entries", 400, b"", {"Content-Type": "application/json"}, "application/json")
    expect(srv, "POST", "/v1/entries", 400, b"\n \n", {"Content-Type": "application/jsonl"}, "application/json")
    expect(srv, "POST", "/v1/entries", 400, (fresh[0] + "\n" + fresh[1]).encode(),
           {"Content-Type": "application/json"}, "application/json")
    big = (fresh[0] + "\n") * (max_body // len(fresh[0]) + 2)
    expect(srv, "POST", "/v1/entries", 413, big.encode(), {"Content-Type": "application/jsonl"})
    # Far over the limit, sent whole before reading (as http.client does):
    # the client still reads the 413, not a reset connection.
    for n in (1 << 20, 8 << 20, 8 << 20):
        try:
            st, h, _ = srv.request("POST", "/v1/entries", b"x" * n, {"Content-Type": "application/jsonl"})
        except OSError as e:
            raise Failed("a %d-byte body over --max-body: %r instead of 413" % (n, e))
        check(st == 413 and h.get("connection", "").lower() == "close", "a %d-byte body: %d" % (n, st))
    # Invalid JSON and non-envelopes as JSON Lines: the line is named, nothing appended.
    for body, line in [("{\"payload\":\n", 1), ("[1,2]\n", 1), ("{}\n", 1), ("\"x\"\n", 1),
                       (fresh[0][:-3] + "\n", 1), ("\n\n" + fresh[0].replace("W-1", "W-9") + "\n", 3)]:
        st, _, b = srv.post_lines([body.rstrip("\n")])
        check(st in (400, 422), "invalid line %r: %d" % (body[:60], st))
        if st == 422:
            check(b["error"]["line"] == line and b["appended"] == 0, "invalid line %r: %s" % (body[:60], b))
        check(srv.size() == size, "invalid line %r appended something" % body[:60])
    # A rule-breaking line: what came before it is appended, nothing after.
    tampered = json.loads(fresh[1])
    tampered["payload"]["mass_g"] = 999  # the signature no longer covers it
    st, _, b = srv.post_lines([fresh[0], json.dumps(tampered), fresh[2]])
    check(st == 422, "rule-breaking line 2: %d %s" % (st, b))
    check(b["error"]["line"] == 2 and b["error"]["code"] and b["error"]["message"], "422 body: %s" % b)
    check(b["appended"] == 1 and [e["line"] for e in b["entries"]] == [1], "422 listing: %s" % b)
    check(srv.size() == size + 1, "after the 422 the log holds %d (want %d)" % (srv.size(), size + 1))
    check(srv.get_json("/v1/parties/p2")["next_seq"] == 2, "p2's line 3 must not be appended")
    # A seq gap (line 3 skips 2): 422 naming it, nothing from it.
    st, _, b = srv.post_lines([fresh[2]])
    check(st == 422 and b["error"]["line"] == 1 and b["appended"] == 0, "seq gap: %d %s" % (st, b))
    st, _, b = srv.post_lines([fresh[1], fresh[2]], ctype="application/x-ndjson")
    check(st == 200 and b["appended"] == 2, "the rest, as x-ndjson: %d %s" % (st, b))
    st, _, b = srv.post_lines([fresh[0]], ctype="application/json; charset=utf-8")
    check(st == 200 and b["duplicates"] == 1 and b["appended"] == 0, "a duplicate: %d %s" % (st, b))
    check(srv.size() == size + 3, "size %d, want %d" % (srv.size(), size + 3))
    srv.wait_checkpoint(size + 3, timeout=1.5)  # signed within --checkpoint-every (100 ms) and slack
    return size + 3


def test():
    fx = Fixture("routes")
    try:
        fx.add_party("p1")
        fx.add_party("p2")
        lines = fx.sign("p1", [lot_payload("L-%d" % i) for i in range(1, N_LOTS + 1)] +
                        [{"type": "transfer", "lot": "L-1", "to": "p2"}])
        fx.submit_local(lines)
        size = N_LOTS + 4  # entry 0 (operator), 1 (p1), 2 (p2), then p1's 601
        max_body = 64 << 10
        srv = Server(fx.db, fx.op_key, "--max-body", str(max_body))
        try:
            check(srv.size() == size, "fixture size %d, want %d" % (srv.size(), size))
            srv.wait_checkpoint(size)
            reads(srv, fx, size)
            tiles_and_methods(srv, size)
            traversal_and_garbage(srv)
            final = bad_writes(srv, fx, max_body)
            traversal_and_garbage(srv)  # and again after the writes
            run(["--db", fx.db, "verify"])  # a reader beside the running server
            check(srv.size() == final, "bad requests changed the log")
            rc = srv.stop()
            check(rc == 0, "serve exit %d after SIGTERM" % rc)
        finally:
            srv.kill()
        _, out, _ = run(["--db", fx.db, "status", "--json"])
        check(json.loads(out)["size"] == final, "after stop: %s" % out)
    finally:
        fx.cleanup()


if __name__ == "__main__":
    main(test)
