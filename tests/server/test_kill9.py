"""kill -9 under load, twice: client threads each submit their own party's
consecutive entries one per POST; the server is killed mid-way and
restarted. Every entry answered 200 is in the log at the index it was given,
each client's entries in the log are an exact prefix of what it sent, in
order, `verify` passes, and the restarted server takes the rest."""
import signal
import time

import load
from rlharness import Fixture, Server, check, main, run

PARTIES = ["k1", "k2", "k3", "k4", "k5", "k6"]


def test():
    fx = Fixture("kill9")
    try:
        for p in PARTIES:
            fx.add_party(p)
        lines = {c.party: c.lines for c in load.start_clients(fx, 0, PARTIES, 1500)}
        done = {p: 0 for p in PARTIES}
        total = 0
        for round_no in range(2):
            srv = Server(fx.db, fx.op_key)
            clients = [load.Client(srv.port, p, lines[p], done[p]) for p in PARTIES]
            try:
                for c in clients:
                    c.start()
                deadline = time.monotonic() + 10
                while not all(len(c.acked) >= 5 for c in clients) and time.monotonic() < deadline:
                    time.sleep(0.02)
                check(all(c.acked for c in clients), "not every client got in before the kill")
                time.sleep(0.3 + 0.4 * round_no)
                srv.proc.send_signal(signal.SIGKILL)
                srv.proc.wait(10)
                unfinished = 0
                for c in clients:
                    c.join(15)
                    check(not c.is_alive(), "client %s hung after kill -9" % c.party)
                    # On a fast machine a client may finish before the kill;
                    # every one that had not must have seen the server die.
                    if done[c.party] + len(c.acked) < len(lines[c.party]):
                        unfinished += 1
                        check(c.errors, "client %s saw no error from a killed server" % c.party)
                check(unfinished > 0, "the kill came after every client had finished: not under load")
            finally:
                srv.kill()
            run(["--db", fx.db, "verify"])
            srv = Server(fx.db, fx.op_key)
            try:
                total = load.check_log(srv, clients)
                acked = sum(len(c.acked) for c in clients)
                print("round %d: %d acknowledged, %d entries in the log" % (round_no, acked, total))
                for p in PARTIES:
                    done[p] = srv.get_json("/v1/parties/" + p)["next_seq"] - 1
            finally:
                srv.kill()
        check(total == sum(done.values()), "the parties' seqs do not add up to the log")
    finally:
        fx.cleanup()


if __name__ == "__main__":
    main(test)
