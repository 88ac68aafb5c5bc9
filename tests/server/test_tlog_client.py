"""An independent tlog-tiles client (tlogclient.py, written from C2SP and
RFC 8032/9162, no project code) checked against published vectors, then
pointed at a running server: it verifies the checkpoint's Ed25519 note
signature, recomputes the root from hash tiles and from entry bundles,
verifies the server's inclusion and consistency proofs and builds the same
proofs itself from tiles."""
import base64
import json
import os
import random

import tlogclient as tc
from rlharness import TESTDATA, Failed, Fixture, Server, check, lot_payload, main


def self_test():
    v = json.load(open(os.path.join(TESTDATA, "server-client-vectors.json"), encoding="utf-8"))
    for t in v["ed25519_rfc8032"]["vectors"]:
        seed, pub = bytes.fromhex(t["secret_key"]), bytes.fromhex(t["public_key"])
        msg, sig = bytes.fromhex(t["message"]), bytes.fromhex(t["signature"])
        check(tc.ed25519_public_key(seed) == pub, "RFC 8032 %s: public key" % t["name"])
        check(tc.ed25519_sign(seed, msg) == sig, "RFC 8032 %s: signature" % t["name"])
        check(tc.ed25519_verify(pub, msg, sig), "RFC 8032 %s: verify" % t["name"])
        bad = bytearray(sig)
        bad[5] ^= 1
        check(not tc.ed25519_verify(pub, msg, bytes(bad)), "RFC 8032 %s: a flipped bit verifies" % t["name"])
        check(not tc.ed25519_verify(pub, msg + b"x", sig), "RFC 8032 %s: another message verifies" % t["name"])
    for n in v["signed_note_examples"]:
        name, pub = tc.parse_vkey(n["verifier_key"]["vkey"])
        check(tc.open_note(n["signed_note"], name, pub) == n["note_text"], "signed-note example %s" % name)
        forged = n["signed_note"].replace(n["note_text"][:4], n["note_text"][:3] + "X", 1)
        try:
            tc.open_note(forged, name, pub)
            raise Failed("a forged note opened")
        except tc.Invalid:
            pass
    m = v["rfc6962_merkle_tree"]
    leaves = [bytes.fromhex(x) for x in m["leaf_inputs"]]
    check([tc.leaf_hash(l).hex() for l in leaves] == m["leaf_hashes"], "RFC 6962 leaf hashes")
    store = tile_store(leaves)
    for size, root in m["roots_by_tree_size"].items():
        log = tc.TiledLog(store.get, int(size))
        check(log.root().hex() == root, "RFC 6962 root of %s from tiles" % size)
        check(tc.mth([tc.leaf_hash(l) for l in leaves[:int(size)]]).hex() == root, "MTH %s" % size)
    for p in m["inclusion_proofs"]:
        proof = [bytes.fromhex(x) for x in p["proof"]]
        check(tc.verify_inclusion(p["leaf_index"], p["tree_size"], bytes.fromhex(p["leaf_hash"]), proof,
                                  bytes.fromhex(p["root"])), "RFC 6962 inclusion vector %s" % p["file"])
        check(tc.TiledLog(store.get, p["tree_size"]).inclusion_proof(p["leaf_index"], p["tree_size"]) == proof,
              "built inclusion proof %s" % p["file"])
    for p in m["consistency_proofs"]:
        proof = [bytes.fromhex(x) for x in p["proof"]]
        check(tc.verify_consistency(p["size1"], p["size2"], bytes.fromhex(p["root1"]), bytes.fromhex(p["root2"]),
                                    proof), "RFC 6962 consistency vector %s" % p["file"])
        if p["size1"] > 0:
            built = tc.TiledLog(store.get, p["size2"]).consistency_proof(p["size1"], p["size2"])
            check(built == proof, "built consistency proof %s" % p["file"])
        if proof:
            check(not tc.verify_consistency(p["size1"], p["size2"], bytes.fromhex(p["root1"]),
                                            bytes.fromhex(p["root2"]), proof[:-1]), "a short proof verifies")


def tile_store(leaves):
    """Hash tiles of a tiny tree (< 256 leaves), as tlog-tiles lays them out."""
    out = {}
    hashes = [tc.leaf_hash(l) for l in leaves]
    for size in range(1, len(leaves) + 1):
        out[tc.tile_path(0, 0, size)] = b"".join(hashes[:size])
    return out


def operator_pub(pem_path):
    """The raw Ed25519 key: the last 32 bytes of the SPKI DER."""
    text = open(pem_path).read()
    der = base64.b64decode("".join(l for l in text.splitlines() if l and not l.startswith("-----")))
    check(len(der) == 44, "op.pub is not an Ed25519 SPKI")
    return der[-32:]


def fetcher(srv, seen):
    def fetch(path):
        st, h, b = srv.request("GET", "/" + path)
        if st != 200:
            raise Failed("GET /%s: %d %s" % (path, st, b[:200]))
        seen.append(path)
        return b
    return fetch


def check_log(srv, origin, pub, want_size):
    note = srv.wait_checkpoint(want_size)
    body = tc.open_note(note, origin, pub)
    _, size, root = tc.parse_checkpoint(body, origin)
    check(size >= want_size, "checkpoint size %d < %d" % (size, want_size))
    seen = []
    log = tc.TiledLog(fetcher(srv, seen), size)
    check(log.root() == root, "the root from the hash tiles differs from the checkpoint's")
    check(log.tiles_consistent(), "a full hash tile does not hash to its parent's entry")
    leaves = log.leaves()
    hashes = [tc.leaf_hash(l) for l in leaves]
    check(tc.mth(hashes) == root, "the root from the entry bundles differs from the checkpoint's")
    for i in range(size):
        check(log.tile(0, i // 256)[i % 256] == hashes[i], "level-0 tile hash %d is not the leaf's" % i)
    for i in range(0, size, 97):
        check(json.loads(leaves[i])["payload"]["ledger"] == origin, "leaf %d is not an envelope" % i)
    check(any(p.startswith("tile/1/") for p in seen), "the tree never needed a level-1 tile")
    return log, size, root, hashes, note


def test():
    self_test()
    fx = Fixture("tlog")
    try:
        fx.add_party("p1")
        fx.submit_local(fx.sign("p1", [lot_payload("L-%d" % i) for i in range(1, 700)]))
        srv = Server(fx.db, fx.op_key)
        try:
            pub = operator_pub(fx.op_pub)
            origin = "test.example"
            log1, n1, root1, hashes1, note1 = check_log(srv, origin, pub, 701)
            bad_note = note1.replace(b"\n%d\n" % n1, b"\n%d\n" % (n1 + 1))
            try:
                tc.open_note(bad_note, origin, pub)
                raise Failed("a checkpoint with a changed size verified")
            except tc.Invalid:
                pass
            rng = random.Random(7)
            for i in sorted({0, 1, 255, 256, 511, 512, n1 - 1} | {rng.randrange(n1) for _ in range(8)}):
                p = srv.get_json("/v1/proofs/inclusion?index=%d&size=%d" % (i, n1))
                path = [bytes.fromhex(x) for x in p["path"]]
                check(bytes.fromhex(p["leaf_hash"]) == hashes1[i], "inclusion %d: leaf_hash" % i)
                check(tc.verify_inclusion(i, n1, hashes1[i], path, root1), "the server's inclusion proof %d fails" % i)
                check(log1.inclusion_proof(i, n1) == path, "inclusion %d: the tiles give another proof" % i)
                if len(path) > 1:
                    check(not tc.verify_inclusion(i, n1, hashes1[i], path[:-1], root1), "a short proof verifies")
                check(not tc.verify_inclusion(i, n1, hashes1[(i + 1) % n1], path, root1), "a wrong leaf verifies")
            # Grow the log past a tile boundary, then prove the two checkpoints consistent.
            st, _, b = srv.post_lines(fx.sign("p1", [lot_payload("M-%d" % i) for i in range(1, 400)], server=srv.url))
            check(st == 200 and b["appended"] == 399, "growing the log: %d %s" % (st, b))
            log2, n2, root2, hashes2, _ = check_log(srv, origin, pub, n1 + 399)
            check(hashes2[:n1] == hashes1, "the grown log rewrote old leaves")
            for old in sorted({1, 2, 255, 256, 257, 512, n1, n1 - 1, rng.randrange(1, n2)}):
                old_root = log2.root(old)
                if old == n1:
                    check(old_root == root1, "the grown tiles give another root at the old size")
                p = srv.get_json("/v1/proofs/consistency?old=%d&new=%d" % (old, n2))
                path = [bytes.fromhex(x) for x in p["path"]]
                check(bytes.fromhex(p["old_root"]) == old_root and bytes.fromhex(p["new_root"]) == root2,
                      "consistency %d->%d: roots" % (old, n2))
                check(tc.verify_consistency(old, n2, old_root, root2, path),
                      "the server's consistency proof %d->%d fails" % (old, n2))
                check(log2.consistency_proof(old, n2) == path, "consistency %d: the tiles give another proof" % old)
                check(not tc.verify_consistency(old, n2, root2, root2, path) or old == n2,
                      "consistency against the wrong old root verifies")
            tampered_tiles_fail(srv, n2, root2)
        finally:
            srv.kill()
    finally:
        fx.cleanup()


def tampered_tiles_fail(srv, size, root):
    """The client notices one changed byte in a hash tile or a bundle."""
    for victim in ["tile/0/001", "tile/1/000.p/%d" % (size >> 8), "tile/0/%03d.p/%d" % (size // 256, size % 256)]:
        def fetch(path, victim=victim):
            st, _, b = srv.request("GET", "/" + path)
            check(st == 200, "GET /%s: %d" % (path, st))
            return b[:40] + bytes([b[40] ^ 1]) + b[41:] if path == victim else b
        log = tc.TiledLog(fetch, size)
        check(log.root() != root or not log.tiles_consistent(), "a changed byte in %s went unnoticed" % victim)
    def fetch_bundle(path):
        b = srv.request("GET", "/" + path)[2]
        return b[:50] + bytes([b[50] ^ 1]) + b[51:] if path == "tile/entries/002" else b
    leaves = tc.TiledLog(fetch_bundle, size).leaves()
    check(tc.mth([tc.leaf_hash(l) for l in leaves]) != root, "a changed byte in a bundle went unnoticed")


if __name__ == "__main__":
    main(test)
