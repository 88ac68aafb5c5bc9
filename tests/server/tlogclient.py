"""An independent C2SP tlog-tiles client, written for the tests from the
specifications alone and sharing no code with rareledger:

  - Ed25519 verification: RFC 8032 section 5.1 (the reference algorithm of
    section 6, in pure Python);
  - signed notes and checkpoints: https://c2sp.org/signed-note and
    https://c2sp.org/tlog-checkpoint;
  - tiles and entry bundles: https://c2sp.org/tlog-tiles;
  - Merkle tree hashing and proofs: RFC 6962 section 2.1 / RFC 9162 2.1.

`fetch(path) -> bytes` is any function that GETs a path (relative to the
log's prefix, e.g. "checkpoint" or "tile/0/000.p/5"); it raises on errors.
"""
import base64
import hashlib

# --- Ed25519 (RFC 8032) -----------------------------------------------------
_P = 2 ** 255 - 19
_Q = 2 ** 252 + 27742317777372353535851937790883648493  # the group order L
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _add(a, b):  # extended twisted Edwards coordinates (X, Y, Z, T)
    A = (a[1] - a[0]) * (b[1] - b[0]) % _P
    B = (a[1] + a[0]) * (b[1] + b[0]) % _P
    C = 2 * a[3] * b[3] * _D % _P
    D = 2 * a[2] * b[2] % _P
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F % _P, G * H % _P, F * G % _P, E * H % _P)


def _mul(s, pt):
    acc = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            acc = _add(acc, pt)
        pt = _add(pt, pt)
        s >>= 1
    return acc


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y, sign):
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0)
_G = (_GX, _GY, 1, _GX * _GY % _P)


def _compress(pt):
    zinv = pow(pt[2], _P - 2, _P)
    x, y = pt[0] * zinv % _P, pt[1] * zinv % _P
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


def _h_modq(data):
    return int.from_bytes(hashlib.sha512(data).digest(), "little") % _Q


def ed25519_public_key(seed):
    h = hashlib.sha512(seed).digest()
    a = (int.from_bytes(h[:32], "little") & ((1 << 254) - 8)) | (1 << 254)
    return _compress(_mul(a, _G))


def ed25519_sign(seed, msg):
    """Only to check this implementation against RFC 8032's vectors."""
    h = hashlib.sha512(seed).digest()
    a = (int.from_bytes(h[:32], "little") & ((1 << 254) - 8)) | (1 << 254)
    pub = _compress(_mul(a, _G))
    r = _h_modq(h[32:] + msg)
    rs = _compress(_mul(r, _G))
    s = (r + _h_modq(rs + pub + msg) * a) % _Q
    return rs + int.to_bytes(s, 32, "little")


def ed25519_verify(pub, msg, sig):
    if len(pub) != 32 or len(sig) != 64:
        return False
    a = _decompress(pub)
    r = _decompress(sig[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= _Q:
        return False
    k = _h_modq(sig[:32] + pub + msg)
    return _equal(_mul(s, _G), _add(r, _mul(k, a)))


# --- signed notes and checkpoints ---------------------------------------------
class Invalid(Exception):
    pass


def key_id(name, pub):
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + pub).digest()[:4]


def parse_vkey(vkey):
    """<name>+<hex key id>+<base64(0x01 || pubkey)>."""
    name, kid, b64 = vkey.split("+")
    raw = base64.b64decode(b64)
    if raw[0] != 1 or len(raw) != 33:
        raise Invalid("not an Ed25519 verifier key")
    pub = raw[1:]
    if key_id(name, pub).hex() != kid:
        raise Invalid("verifier key id does not match")
    return name, pub


def open_note(note, name, pub):
    """Returns the note's text when a signature line by (name, pub) verifies
    over it; raises Invalid otherwise."""
    text = note.decode("utf-8") if isinstance(note, bytes) else note
    sep = text.rfind("\n\n")
    if sep < 0 or not text.endswith("\n"):
        raise Invalid("no signature block")
    body, sigs = text[:sep + 1], text[sep + 2:]
    want = key_id(name, pub)
    found = False
    for line in sigs.split("\n")[:-1]:
        if not line.startswith("\u2014 "):
            raise Invalid("bad signature line %r" % line)
        who, b64 = line[2:].split(" ")
        raw = base64.b64decode(b64, validate=True)
        if who != name or raw[:4] != want:
            continue  # another signer's: ignored, as the spec says
        if not ed25519_verify(pub, body.encode(), raw[4:]):
            raise Invalid("the signature of %s does not verify" % name)
        found = True
    if not found:
        raise Invalid("no signature by %s" % name)
    return body


def parse_checkpoint(body, origin=None):
    lines = body.split("\n")
    if len(lines) < 4:
        raise Invalid("a checkpoint has three lines")
    if origin is not None and lines[0] != origin:
        raise Invalid("origin %r, want %r" % (lines[0], origin))
    size_s = lines[1]
    if not size_s.isdigit() or (size_s != "0" and size_s[0] == "0"):
        raise Invalid("bad tree size %r" % size_s)
    root = base64.b64decode(lines[2], validate=True)
    if len(root) != 32:
        raise Invalid("bad root")
    return lines[0], int(size_s), root


# --- RFC 6962 hashing ------------------------------------------------------------
def leaf_hash(leaf):
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n):  # the largest power of two smaller than n
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(hashes):
    """RFC 6962 MTH over leaf hashes (list)."""
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not (fn & 1 or fn == 0):
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 2.1.4.2."""
    if first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not (fn & 1 or fn == 0):
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


# --- tlog-tiles -------------------------------------------------------------------
TILE_H = 8
WIDTH = 256


def encode_index(n):
    groups = []
    while True:
        groups.append(n % 1000)
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join(("x%03d" % g) for g in groups[:-1]) + ("/" if len(groups) > 1 else "") + "%03d" % groups[-1]


def tile_path(level, index, width, entries=False):
    p = "tile/%s/%s" % ("entries" if entries else level, encode_index(index))
    return p if width == WIDTH else p + ".p/%d" % width


def tile_width(level, index, size):
    """Width of hash tile (level, index) in a tree of `size`; 0: absent."""
    nodes = size >> (TILE_H * level)
    return max(0, min(WIDTH, nodes - index * WIDTH))


def parse_bundle(data, count):
    leaves, i = [], 0
    while i < len(data):
        if i + 2 > len(data):
            raise Invalid("truncated bundle")
        n = int.from_bytes(data[i:i + 2], "big")
        if i + 2 + n > len(data):
            raise Invalid("truncated bundle entry")
        leaves.append(data[i + 2:i + 2 + n])
        i += 2 + n
    if len(leaves) != count:
        raise Invalid("bundle holds %d entries, want %d" % (len(leaves), count))
    return leaves


class TiledLog:
    """A log of `size` leaves read through hash tiles (and bundles)."""

    def __init__(self, fetch, size):
        self.fetch, self.size, self.tiles = fetch, size, {}

    def tile(self, level, index):
        key = (level, index)
        if key not in self.tiles:
            w = tile_width(level, index, self.size)
            if w == 0:
                raise Invalid("tile %d/%d is not in a tree of %d" % (level, index, self.size))
            data = self.fetch(tile_path(level, index, w))
            if len(data) != 32 * w:
                raise Invalid("%s: %d bytes, want %d" % (tile_path(level, index, w), len(data), 32 * w))
            self.tiles[key] = [data[i:i + 32] for i in range(0, len(data), 32)]
        return self.tiles[key]

    def node(self, height, index):
        """Hash of the complete subtree of 2^height leaves starting at leaf
        index * 2^height, from the tiles (hashing up within a tile)."""
        level, rest = divmod(height, TILE_H)
        first = index << rest  # the first of 2^rest nodes at tile level `level`
        hashes = []
        for n in range(first, first + (1 << rest)):
            hashes.append(self.tile(level, n // WIDTH)[n % WIDTH])
        return mth(hashes)

    def range_hash(self, lo, hi):
        """MTH of leaves [lo, hi), lo aligned as RFC 6962's recursion makes it."""
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return self.node(n.bit_length() - 1, lo // n)
        k = _split(n)
        return node_hash(self.range_hash(lo, lo + k), self.range_hash(lo + k, hi))

    def root(self, size=None):
        size = self.size if size is None else size
        return hashlib.sha256(b"").digest() if size == 0 else self.range_hash(0, size)

    def inclusion_proof(self, m, size, lo=0):
        """RFC 6962 PATH(m, D[lo:lo+size])."""
        if size <= 1:
            return []
        k = _split(size)
        if m < k:
            return self.inclusion_proof(m, k, lo) + [self.range_hash(lo + k, lo + size)]
        return self.inclusion_proof(m - k, size - k, lo + k) + [self.range_hash(lo, lo + k)]

    def consistency_proof(self, m, n, lo=0, complete=True):
        """RFC 6962 SUBPROOF(m, D[lo:lo+n], complete)."""
        if m == n:
            return [] if complete else [self.range_hash(lo, lo + m)]
        k = _split(n)
        if m <= k:
            return self.consistency_proof(m, k, lo, complete) + [self.range_hash(lo + k, lo + n)]
        return self.consistency_proof(m - k, n - k, lo + k, False) + [self.range_hash(lo, lo + k)]

    def tiles_consistent(self):
        """Every full hash tile hashes to its entry in the tile above (the
        root only reaches the highest tiles; this reaches all of them)."""
        level = 0
        while (self.size >> (TILE_H * (level + 1))) > 0:
            for t in range((self.size >> (TILE_H * level)) // WIDTH):
                if mth(self.tile(level, t)) != self.tile(level + 1, t // WIDTH)[t % WIDTH]:
                    return False
            level += 1
        return True

    def leaves(self):
        out = []
        for b in range((self.size + WIDTH - 1) // WIDTH):
            w = min(WIDTH, self.size - b * WIDTH)
            out += parse_bundle(self.fetch(tile_path(0, b, w, entries=True)), w)
        return out
