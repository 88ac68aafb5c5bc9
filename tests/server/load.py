"""Client threads that each submit one party's consecutive pre-signed
entries, one per POST on a keep-alive connection, and record every answer;
and the checks the SIGTERM and kill -9 tests make of the log afterwards."""
import http.client
import json
import threading
import time

from rlharness import check, lot_payload


class Client(threading.Thread):
    def __init__(self, port, party, lines, start=0):
        """Sends lines[start:]; the lines before are in the log already."""
        super().__init__(daemon=True)
        self.port, self.party, self.lines, self.start_at = port, party, lines, start
        self.acked = []      # (seq index into lines, log index) answered 200
        self.answers = []    # (time, status, headers, body) of every answer
        self.errors = []     # (time, exception text): no answer
        self.stop = False

    def run(self):
        conn = None
        for i in range(self.start_at, len(self.lines)):
            line = self.lines[i]
            if self.stop:
                break
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("POST", "/v1/entries", body=line.encode() + b"\n",
                             headers={"Content-Type": "application/jsonl"})
                r = conn.getresponse()
                body = r.read()
                self.answers.append((time.monotonic(), r.status, dict(r.getheaders()), body))
                if r.status == 200:
                    got = json.loads(body)
                    check(got["appended"] == 1, "%s line %d: %s" % (self.party, i, body))
                    self.acked.append((i, got["entries"][0]["index"]))
                else:
                    # A refused line must not leave a gap: stop, as a real client would.
                    break
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                self.errors.append((time.monotonic(), repr(e)))
                if conn is not None:
                    conn.close()
                break


def start_clients(fx, port, parties, per_client):
    clients = []
    for p in parties:
        lines = fx.sign(p, [lot_payload("%s-%d" % (p, i)) for i in range(1, per_client + 1)])
        clients.append(Client(port, p, lines))
    return clients


def check_log(srv, clients):
    """Every 200-acknowledged entry is in the log at the index it was given,
    and each client's entries in the log are an exact prefix of its lines."""
    for c in clients:
        party = srv.get_json("/v1/parties/" + c.party)
        in_log = party["next_seq"] - 1
        last = c.start_at + len(c.acked)
        check(in_log >= last, "%s: %d acknowledged, %d in the log" % (c.party, last, in_log))
        check([i for i, _ in c.acked] == list(range(c.start_at, last)), "%s: acks out of order" % c.party)
        for i, index in c.acked:
            e = srv.get_json("/v1/entries/%d" % index)
            sent = json.loads(c.lines[i])
            check(e["payload"] == sent["payload"] and e["sig"] == sent["sig"],
                  "%s: acknowledged line %d is not entry %d" % (c.party, i, index))
    # The whole log: each party's entries are its lines 0..k-1, in order.
    size = srv.size()
    seen = {c.party: 0 for c in clients}
    by_party = {c.party: c for c in clients}
    for index in range(1 + len(clients), size):
        e = srv.get_json("/v1/entries/%d" % index)
        p = e["payload"]["party"]
        check(p in by_party, "entry %d by unexpected party %s" % (index, p))
        sent = json.loads(by_party[p].lines[seen[p]])
        check(e["payload"] == sent["payload"], "entry %d is not %s's line %d" % (index, p, seen[p]))
        seen[p] += 1
    return sum(seen.values())
