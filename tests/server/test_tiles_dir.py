"""`rareledger tiles DIR` writes exactly the bytes `serve` answers for the
same paths, and a re-run after more entries writes only the new files: the
full tiles already there keep their inode and mtime."""
import os
import time

from rlharness import Fixture, Server, check, lot_payload, main, run


def files_under(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            st = os.stat(p)
            out[os.path.relpath(p, root)] = (st.st_ino, st.st_mtime_ns)
    return out


def compare(srv, tiles):
    files = files_under(tiles)
    check("checkpoint" in files and any(f.startswith("tile/entries/") for f in files),
          "tiles wrote no checkpoint or bundles: %s" % sorted(files)[:5])
    check(not any(f.endswith(".tmp") for f in files), "a temporary file was left")
    for rel in sorted(files):
        st, _, body = srv.request("GET", "/" + rel)
        check(st == 200, "GET /%s: %d" % (rel, st))
        with open(os.path.join(tiles, rel), "rb") as f:
            check(f.read() == body, "%s differs from GET /%s" % (rel, rel))
    return files


def test():
    fx = Fixture("tiles")
    try:
        fx.add_party("p1")
        fx.submit_local(fx.sign("p1", [lot_payload("L-%d" % i) for i in range(1, 600)]))
        tiles = fx.path("tiles")
        srv = Server(fx.db, fx.op_key)
        try:
            srv.wait_checkpoint(601)
            rc, out, _ = run(["--db", fx.db, "tiles", tiles])  # a reader beside the server
            first = compare(srv, tiles)
            want = {"checkpoint", "tile/0/000", "tile/0/001", "tile/0/002.p/89", "tile/1/000.p/2",
                    "tile/entries/000", "tile/entries/001", "tile/entries/002.p/89"}
            check(set(first) == want, "first run wrote %s, want %s" % (sorted(first), sorted(want)))
            # Again at the same size: nothing but the checkpoint may change.
            time.sleep(0.02)
            run(["--db", fx.db, "tiles", tiles])
            again = files_under(tiles)
            changed = {f for f in again if again[f] != first.get(f)} - {"checkpoint"}
            check(not changed, "a re-run at the same size rewrote %s" % sorted(changed))
            # Grow past the next full tile.
            st, _, b = srv.post_lines(fx.sign("p1", [lot_payload("M-%d" % i) for i in range(1, 300)],
                                              server=srv.url))
            check(st == 200 and b["appended"] == 299, "grow: %d %s" % (st, b))
            srv.wait_checkpoint(900)
            time.sleep(0.02)
            run(["--db", fx.db, "tiles", tiles])
            second = compare(srv, tiles)
            new = set(second) - set(first)
            check(new == {"tile/0/002", "tile/0/003.p/132", "tile/1/000.p/3", "tile/entries/002",
                          "tile/entries/003.p/132"}, "the re-run added %s" % sorted(new))
            for f, ident in first.items():
                if f == "checkpoint":
                    continue
                check(second.get(f) == ident, "%s was rewritten (inode/mtime %s -> %s)" % (f, ident, second.get(f)))
            check(second["checkpoint"] != first["checkpoint"], "the checkpoint was not replaced")
        finally:
            srv.kill()
        # Another ledger's directory is refused, and changes nothing.
        other = Fixture("tiles-other", ledger_id="other.example")
        try:
            run(["--db", other.db, "checkpoint", "--operator-key", other.op_key])
            before = files_under(tiles)
            rc, _, err = run(["--db", other.db, "tiles", tiles], check_rc=1)
            check("other.example" in err or "test.example" in err, "refusal names no ledger: %s" % err)
            check(files_under(tiles) == before, "a refused run changed the directory")
        finally:
            other.cleanup()
    finally:
        fx.cleanup()


if __name__ == "__main__":
    main(test)
