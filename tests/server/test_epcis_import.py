"""`epcis import --server` against a running server, beside the same import
with --db into a twin ledger (same ledger id, parties in the same order, so
the same entry indices): the four-company chain (tests/testdata/epcis/chain)
gives the same --json reports, dry runs and the same assessment of the
magnet; a second import appends nothing (already_imported); a document
refused at a later event appends nothing; a later line the server's rules
refuse (the log moved on between the context read and the submit, made to
happen by a proxy) appends nothing and says to run again, and a rerun then
imports; the same import winning the race meanwhile makes this one report
already_imported. Also GET /v1/epcis/context read with urllib, and the failure paths
of that route and of POST /v1/entries?atomic=true."""
import hashlib
import http.client
import http.server
import json
import os
import threading
import urllib.error
import urllib.request

from rlharness import TESTDATA, Fixture, Server, check, main, run

CHAIN = os.path.join(TESTDATA, "epcis", "chain")
PARTIES = [("cn-sep", "CN", "9521101000009", "1-cn-separator.jsonld"),
           ("au-ndpr", "AU", "9521102000008", "2-au-ndpr.jsonld"),
           ("jp-mag", "JP", "9521103000007", "3-jp-magnets.jsonld"),
           ("de-motor", "DE", "9521104000006", "4-de-motors.jsonld"),
           ("us-car", "US", "9521105000005", "5-us-vehicles.jsonld")]
MAGNET = "https://id.gs1.org/01/09521103200018/10/MAG-2604-7"
DYOX = "https://id.gs1.org/01/09521101100013/10/DYOX-2603-A"
SHIPPING_EVENT = "urn:uuid:0b7c1d52-3f0e-4c8a-9a41-5d2e8f000003"  # document 1's partial shipment
ASSESS = "/v1/lots/%s/assessment?policy=CN-MOFCOM-2025-61&as_of=2026-12-01" % urllib.request.quote(MAGNET, safe="")
BINDING = ("ledger", "size", "root", "checkpoint", "tool", "bound_to", "binding")


def chain_fixture(name, keys_from=None):
    """A ledger "epcis-test" with the chain's parties and their GLNs; the
    keys copied from `keys_from` when given (the twin signs the same bytes
    for the same payloads)."""
    fx = Fixture(name, ledger_id="epcis-test")
    for pid, country, gln, _ in PARTIES:
        if keys_from:
            for ext in (".key", ".pub"):
                with open(keys_from.path(pid + ext), "rb") as src, open(fx.path(pid + ext), "wb") as dst:
                    dst.write(src.read())
            os.chmod(fx.path(pid + ".key"), 0o600)
        else:
            run(["keygen", "--out", fx.path(pid)])
        run(["--db", fx.db, "party", "add", "--key", fx.op_key, "--id", pid, "--name", pid + " Ltd",
             "--country", country, "--roles", "producer,processor,manufacturer",
             "--pubkey", fx.path(pid + ".pub"), "--gln", gln])
    return fx


def doc(name):
    return os.path.join(CHAIN, name)


def import_args(fx, pid, document, where, *extra):
    return ["epcis", "import", document, "--key", fx.path(pid + ".key")] + where + list(extra)


def assessment(srv):
    a = srv.get_json(ASSESS)
    for k in BINDING:
        a.pop(k, None)
    return a


def same_imports(fx, db_fx, srv):
    """Each document through --server and through --db: the same reports."""
    for pid, _, _, name in PARTIES:
        server_where, db_where = ["--server", srv.url], ["--db", db_fx.db]
        _, dry_s, err_s = run(import_args(fx, pid, doc(name), server_where, "--dry-run"))
        _, dry_d, err_d = run(import_args(db_fx, pid, doc(name), db_where, "--dry-run"))
        check(dry_s == dry_d and err_s == err_d, "%s --dry-run differs:\n%s\n%s\n%s\n%s" %
              (name, dry_s, dry_d, err_s, err_d))
        size = srv.size()
        check(size == json.loads(run(["--db", db_fx.db, "status", "--json"])[1])["size"],
              "a dry run appended")
        _, out_s, _ = run(import_args(fx, pid, doc(name), server_where, "--json"))
        _, out_d, _ = run(import_args(db_fx, pid, doc(name), db_where, "--json"))
        check(out_s == out_d, "%s --json differs:\n%s\n%s" % (name, out_s, out_d))
        report = json.loads(out_s)
        check(report["appended"] > 0 and srv.size() == size + report["appended"],
              "%s: appended %s, size %d -> %d" % (name, report["appended"], size, srv.size()))


def second_import(fx, srv):
    size = srv.size()
    _, out, _ = run(import_args(fx, "jp-mag", doc("3-jp-magnets.jsonld"), ["--server", srv.url], "--json"))
    r = json.loads(out)
    check(r["appended"] == 0 and srv.size() == size, "a second import appended: %s" % out)
    results = [e["result"] for e in r["events"]]
    check("already_imported" in results and "mapped" not in results, "second import: %s" % results)
    _, text, _ = run(import_args(fx, "jp-mag", doc("3-jp-magnets.jsonld"), ["--server", srv.url]))
    check("already_imported (entries" in text and "appended 0 entries as jp-mag" in text, text)


def refused_later_event(fx, srv):
    """Document 1 with its last event's unit spoiled: refused, nothing appended."""
    with open(doc("1-cn-separator.jsonld")) as f:  # new event ids and lot: nothing imported yet
        d = json.loads(f.read().replace("5d2e8f", "5d2e8e").replace("DYOX-2603-A", "DYOX-2603-B"))
    d["epcisBody"]["eventList"][-1]["quantityList"][0]["uom"] = "KG"
    bad = fx.path("bad-later.jsonld")
    with open(bad, "w") as f:
        json.dump(d, f)
    size = srv.size()
    rc, out, err = run(import_args(fx, "cn-sep", bad, ["--server", srv.url]), check_rc=1)
    check("unknown_uom" in err and "nothing appended" in err and srv.size() == size,
          "refused later event: %s %s (size %d -> %d)" % (out, err, size, srv.size()))


class Interposer(http.server.BaseHTTPRequestHandler):
    """Forwards to the real server; once the context has been read, runs
    `on_context` (which changes the log) before answering it."""
    protocol_version = "HTTP/1.1"
    target_port = 0
    on_context = None

    def log_message(self, *args):
        pass

    def forward(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        c = http.client.HTTPConnection("127.0.0.1", self.target_port, timeout=30)
        headers = {"Content-Type": self.headers.get("Content-Type", "application/json")} if body else {}
        c.request(method, self.path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        if self.path.startswith("/v1/epcis/context") and Interposer.on_context:
            hook, Interposer.on_context = Interposer.on_context, None
            hook()
        self.send_response(r.status)
        self.send_header("Content-Type", r.getheader("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.forward("GET")

    def do_POST(self):
        self.forward("POST")


def moved_on(fx, srv):
    """The log changes between the context read and the atomic submit."""
    Interposer.target_port = srv.port
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Interposer)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    via = "http://127.0.0.1:%d" % proxy.server_address[1]
    with open(doc("1-cn-separator.jsonld")) as f:  # document 1 with new event ids and lot
        text = f.read().replace("5d2e8f", "5d2e8d").replace("DYOX-2603-A", "DYOX-2603-M")
    moved = fx.path("moved.jsonld")
    with open(moved, "w") as f:
        f.write(text)
    # 1. Another party creates the part lot the document's shipment will
    # split off: the import's later line (the split) is refused.
    part = DYOX.replace("DYOX-2603-A", "DYOX-2603-M") + "#" + \
        hashlib.sha256(SHIPPING_EVENT.replace("5d2e8f", "5d2e8d").encode()).hexdigest()[:16]
    clash = {"type": "create_lot", "lot": part, "material": "x", "category": "re_oxide",
             "mass_g": 5, "value": 1, "origin": "AU"}
    Interposer.on_context = lambda: check(srv.post_lines(fx.sign("au-ndpr", [clash], srv.url))[0] == 200,
                                          "the clash was not appended")
    size = srv.size()
    rc, out, err = run(import_args(fx, "cn-sep", moved, ["--server", via]), check_rc=1)
    check(srv.size() == size + 1, "a refused atomic import appended: %d -> %d" % (size, srv.size()))
    check(len(err.strip().split("\n")) == 1 and "nothing appended: envelope 2:" in err and
          "already exists" in err and "run the import again" in err, "later line refused: %r" % err)
    lot_st = srv.request("GET", "/v1/lots/" + urllib.request.quote(part, safe=""))[0]
    check(lot_st == 200, "the clashing lot: %d" % lot_st)
    # 2. The signer's own seq is taken meanwhile: refused; a rerun imports.
    d = json.loads(text)
    d["epcisBody"]["eventList"] = d["epcisBody"]["eventList"][:1]  # only the commissioning
    with open(moved, "w") as f:
        json.dump(d, f)
    own = {"type": "create_lot", "lot": "SEQ-TAKER", "material": "x", "category": "re_oxide",
           "mass_g": 5, "value": 1, "origin": "CN"}
    Interposer.on_context = lambda: check(srv.post_lines(fx.sign("cn-sep", [own], srv.url))[0] == 200,
                                          "the seq taker was not appended")
    size = srv.size()
    rc, out, err = run(import_args(fx, "cn-sep", moved, ["--server", via]), check_rc=1)
    check(srv.size() == size + 1 and "envelope 1:" in err and "seq" in err and
          "run the import again" in err, "seq taken: %r (size %d -> %d)" % (err, size, srv.size()))
    _, out, _ = run(import_args(fx, "cn-sep", moved, ["--server", via], "--json"))
    check(json.loads(out)["appended"] == 1 and srv.size() == size + 2, "the rerun: %s" % out)
    # 3. The same import runs meanwhile (straight to the server) and wins:
    # this one's identical envelopes are in the log, reported as a second
    # import reports them.
    twice = fx.path("twice.jsonld")
    with open(twice, "w") as f:
        f.write(json.dumps(d).replace("5d2e8d", "5d2e8c").replace("DYOX-2603-M", "DYOX-2603-T"))
    won = []
    Interposer.on_context = lambda: won.append(
        run(import_args(fx, "cn-sep", twice, ["--server", srv.url], "--json"))[1])
    size = srv.size()
    _, out, _ = run(import_args(fx, "cn-sep", twice, ["--server", via], "--json"))
    first, second = json.loads(won[0]), json.loads(out)
    check(first["appended"] == 1 and first["events"][0]["result"] == "mapped", "the winner: %s" % first)
    check(second["appended"] == 0 and second["events"][0]["result"] == "already_imported" and
          second["events"][0]["entries"] == first["events"][0]["entries"] and srv.size() == size + 1,
          "the loser: %s" % second)
    proxy.shutdown()


def context_route(fx, srv):
    """urllib reads the context; the route's and the atomic flag's failures."""
    with urllib.request.urlopen(srv.url + "/v1/epcis/context?party=jp-mag", timeout=10) as r:
        check(r.status == 200 and r.headers["Content-Type"].startswith("application/json"), "context")
        ctx = json.load(r)
    check(ctx["party"] == "jp-mag" and ctx["ledger"] == "epcis-test" and ctx["currency"] == "USD" and
          ctx["size"] == srv.size() and ctx["next_seq"] == srv.get_json("/v1/parties/jp-mag")["next_seq"],
          "context header: %s" % {k: ctx[k] for k in ("party", "ledger", "size", "next_seq")})
    check(ctx["parties"]["9521103000007"] == "jp-mag" and len(ctx["parties"]) == 5, "parties by GLN")
    check(MAGNET in ctx["lots"] and ctx["lots"][MAGNET]["holder"] == "de-motor", "lots")
    check("urn:uuid:0b7c1d52-3f0e-4c8a-9a41-5d2e8f000001" in ctx["imported"], "imported ids")
    for path, want, code in [("/v1/epcis/context", 400, "invalid_argument"),
                             ("/v1/epcis/context?party=nobody", 404, "not_found"),
                             ("/v1/epcis/context?key=zz", 400, "invalid_argument"),
                             ("/v1/epcis/context?key=" + "00" * 32, 404, "not_found")]:
        st, h, b = srv.request("GET", path)
        body = json.loads(b)
        check(st == want and body["error"]["code"] == code and body["error"]["message"],
              "GET %s: %d %s" % (path, st, b[:200]))
    st, h, _ = srv.request("POST", "/v1/epcis/context")
    check(st == 405 and h.get("allow") == "GET", "POST context: %d" % st)
    size = srv.size()
    lines = fx.sign("au-ndpr", [{"type": "create_lot", "lot": "ATOM-%d" % i, "material": "x",
                                 "category": "re_oxide", "mass_g": 5, "value": 1, "origin": "AU"}
                                for i in range(3)], srv.url)
    cases = [("?atomic=yes", "\n".join(lines), 400, "invalid_argument"),
             ("?atomic=true", lines[0] + "\n{not json\n" + lines[2], 422, None),
             ("?atomic=true", "\n \n", 400, "invalid_argument")]
    for query, body, want, code in cases:
        st, h, b = srv.request("POST", "/v1/entries" + query, body.encode(),
                               {"Content-Type": "application/jsonl"})
        r = json.loads(b)
        check(st == want and "error" in r and (code is None or r["error"]["code"] == code),
              "POST %s: %d %s" % (query, st, b[:300]))
        if want == 422:
            check(r["error"]["line"] == 2 and r["appended"] == 0 and r["entries"] == [],
                  "malformed line 2: %s" % r)
    check(srv.size() == size, "bad atomic bodies appended")
    st, _, b = srv.request("POST", "/v1/entries?atomic=true", ("\n".join(lines) + "\n").encode(),
                           {"Content-Type": "application/x-ndjson"})
    r = json.loads(b)
    check(st == 200 and r["appended"] == 3 and [e["index"] for e in r["entries"]] == [size, size + 1, size + 2],
          "atomic ok: %d %s" % (st, r))


def test():
    fx = chain_fixture("epcis-srv")
    db_fx = chain_fixture("epcis-db", keys_from=fx)
    db_srv = None
    try:
        srv = Server(fx.db, fx.op_key)
        try:
            same_imports(fx, db_fx, srv)
            db_srv = Server(db_fx.db, db_fx.op_key)
            want = assessment(db_srv)
            got = assessment(srv)
            check(got == want, "assessments differ:\n%s\n%s" % (got, want))
            check(got.get("ratio") == "5/93", "the magnet's ratio: %s" % got.get("ratio"))
            second_import(fx, srv)
            refused_later_event(fx, srv)
            moved_on(fx, srv)
            context_route(fx, srv)
            check(srv.stop() == 0, "serve did not stop cleanly")
        finally:
            srv.kill()
            if db_srv:
                db_srv.kill()
        run(["--db", fx.db, "verify"])
    finally:
        fx.cleanup()
        db_fx.cleanup()


if __name__ == "__main__":
    main(test)
