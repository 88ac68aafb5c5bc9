// Verification in the browser (docs/web.md): the checkpoint's Ed25519
// signature and the inclusion of entries, from /checkpoint, the hash tiles
// and the entry bundles (C2SP signed-note, tlog-checkpoint, tlog-tiles;
// RFC 9162 hashing), with WebCrypto only. It trusts the operator key it is
// given and nothing the server says in JSON.

const enc = new TextEncoder();

export class VerifyError extends Error {}

function fail(message) {
  throw new VerifyError(message);
}

export function base64Decode(text) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) fail(`not base64: "${text.slice(0, 20)}"`);
  const bin = atob(text);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

const leafHash = (leaf) => sha256(concat(Uint8Array.of(0), leaf));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

// ---- keys and notes ----

// SHA-256(name || "\n" || 0x01 || pubkey)[0:4].
async function keyId(name, pub) {
  return (await sha256(concat(enc.encode(name + "\n"), Uint8Array.of(1), pub))).slice(0, 4);
}

// The Go sumdb/note verifier key NAME+hex8(keyid)+BASE64(0x01 || pubkey).
export async function verifierKey(name, pub) {
  return `${name}+${hex(await keyId(name, pub))}+${btoa(String.fromCharCode(1, ...pub))}`;
}

// {name, keyId, pub, fingerprint} from a verifier key, its key id checked.
export async function parseVerifierKey(vkey) {
  const m = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (!m) fail(`the operator key "${vkey.slice(0, 60)}" is not a verifier key NAME+KEYID+KEY`);
  const raw = base64Decode(m[3]);
  if (raw.length !== 33 || raw[0] !== 1) fail("the operator key is not an Ed25519 verifier key");
  const pub = raw.slice(1);
  if (hex(await keyId(m[1], pub)) !== m[2]) fail("the operator key's key id does not match its key");
  return { name: m[1], keyId: m[2], pub, fingerprint: hex(await sha256(pub)) };
}

// Checks `note` against the parsed verifier key; returns {origin, size, root}.
export async function verifyCheckpoint(note, key) {
  const split = note.lastIndexOf("\n\n");
  if (!note.endsWith("\n") || split < 0) fail("the checkpoint is not a signed note");
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) fail("the checkpoint has fewer than three lines");
  const [origin, sizeText, rootText] = lines;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) fail(`the checkpoint size "${sizeText}" is not a number`);
  const root = base64Decode(rootText);
  if (root.length !== 32) fail("the checkpoint root is not 32 bytes");
  if (origin !== key.name) fail(`the checkpoint is for "${origin}", the key for "${key.name}"`);
  let signature = null;
  for (const line of note.slice(split + 2, -1).split("\n")) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) fail("a signature line of the checkpoint is malformed");
    const bytes = base64Decode(m[2]);
    if (m[1] === key.name && bytes.length === 68 && hex(bytes.slice(0, 4)) === key.keyId) signature = bytes.slice(4);
  }
  if (!signature) fail(`the checkpoint carries no signature by ${key.name}+${key.keyId}`);
  const publicKey = await crypto.subtle.importKey("raw", key.pub, { name: "Ed25519" }, false, ["verify"]);
  if (!(await crypto.subtle.verify({ name: "Ed25519" }, publicKey, signature, enc.encode(text))))
    fail(`the checkpoint's signature by ${key.name}+${key.keyId} does not verify`);
  return { origin, size: Number(sizeText), root };
}

// ---- tiles ----

// "x001/x234/067" for 1234067.
export function tileIndexPath(n) {
  const groups = [];
  do {
    groups.unshift(String(n % 1000).padStart(3, "0"));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? "x" + g : g)).join("/");
}

// Reads a tree of `size` leaves through `fetchBytes(path)` (a Uint8Array),
// each tile once, at the width that tree gives it, its length checked.
export class TileReader {
  constructor(size, fetchBytes) {
    this.size = size;
    this.fetchBytes = fetchBytes;
    this.tiles = new Map();
    this.nodes = new Map();  // "h/k" -> hash, for hashes computed inside a tile
  }

  async tile(kind, index, width, check) {
    const path = `tile/${kind}/${tileIndexPath(index)}${width === 256 ? "" : ".p/" + width}`;
    if (!this.tiles.has(path)) this.tiles.set(path, this.fetchBytes(path).then((b) => check(b, path)));
    return this.tiles.get(path);
  }

  // Hash tile `index` at level `level`: its W hashes.
  hashTile(level, index) {
    const complete = Math.floor(this.size / 256 ** level);
    const width = Math.min(256, complete - index * 256);
    if (width <= 0) fail(`tile ${level}/${index} is not in a tree of ${this.size}`);
    return this.tile(level, index, width, (b, path) => {
      if (b.length !== width * 32) fail(`${path} has ${b.length} bytes, not ${width * 32}`);
      return Array.from({ length: width }, (_, i) => b.slice(i * 32, i * 32 + 32));
    });
  }

  // The hash of the complete subtree of 2^h leaves at index k.
  async node(h, k) {
    const level = Math.floor(h / 8), up = h % 8;
    if (up === 0) return (await this.hashTile(level, Math.floor(k / 256)))[k % 256];
    const memo = `${h}/${k}`;
    if (!this.nodes.has(memo)) this.nodes.set(memo, this.hashUp(level, up, k));
    return this.nodes.get(memo);
  }

  async hashUp(level, up, k) {
    let hashes = [];
    for (let j = k * 2 ** up; j < (k + 1) * 2 ** up; ++j)
      hashes.push((await this.hashTile(level, Math.floor(j / 256)))[j % 256]);
    while (hashes.length > 1) {
      const next = [];
      for (let j = 0; j < hashes.length; j += 2) next.push(await nodeHash(hashes[j], hashes[j + 1]));
      hashes = next;
    }
    return hashes[0];
  }

  // The leaves of entry bundle `index`, each checked against the level-0
  // hash tile (so any forged byte of the bundle or that tile fails).
  bundle(index) {
    const width = Math.min(256, this.size - index * 256);
    return this.tile("entries", index, width, async (b, path) => {
      const leaves = [];
      let at = 0;
      while (at < b.length && leaves.length < width) {
        if (at + 2 > b.length) fail(`${path} is cut short`);
        const n = (b[at] << 8) | b[at + 1];
        if (at + 2 + n > b.length) fail(`${path} is cut short`);
        leaves.push(b.slice(at + 2, at + 2 + n));
        at += 2 + n;
      }
      if (leaves.length !== width || at !== b.length) fail(`${path} does not hold exactly ${width} entries`);
      const hashes = await this.hashTile(0, index);
      for (let i = 0; i < width; ++i)
        if (!equal(await leafHash(leaves[i]), hashes[i]))
          fail(`entry ${index * 256 + i} in ${path} does not match its hash in the level-0 hash tile`);
      return leaves;
    });
  }

  // MTH of leaves [lo, hi) from the tiles.
  async subtree(lo, hi) {
    const n = hi - lo;
    if ((n & (n - 1)) === 0 && lo % n === 0) return this.node(Math.log2(n), lo / n);
    const k = 2 ** Math.floor(Math.log2(n - 1));
    return nodeHash(await this.subtree(lo, lo + k), await this.subtree(lo + k, hi));
  }

  // The root of [lo, hi) with leaf i's hash given, the rest from the tiles:
  // the RFC 9162 inclusion path, recomputed.
  async rootWith(lo, hi, i, hash) {
    if (hi - lo === 1) return hash;
    const k = 2 ** Math.floor(Math.log2(hi - lo - 1));
    if (i < lo + k) return nodeHash(await this.rootWith(lo, lo + k, i, hash), await this.subtree(lo + k, hi));
    return nodeHash(await this.subtree(lo, lo + k), await this.rootWith(lo + k, hi, i, hash));
  }

  // Entry i's leaf bytes, after checking the path from its hash to `root`.
  async include(i, root) {
    if (!(i < this.size)) fail(`entry ${i} is not in the checkpoint's log of size ${this.size}`);
    const leaf = (await this.bundle(Math.floor(i / 256)))[i % 256];
    if (!equal(await this.rootWith(0, this.size, i, await leafHash(leaf)), root))
      fail(`entry ${i}: the path from its leaf to the root does not give the signed root`);
    return leaf;
  }
}

// Verifies the checkpoint and every entry of `indexes`; returns
// {checkpoint, leaves: Map(index -> payload object)}. Throws VerifyError.
export async function verifyEntries(note, key, indexes, fetchBytes) {
  const checkpoint = await verifyCheckpoint(note, key);
  const reader = new TileReader(checkpoint.size, fetchBytes);
  const leaves = new Map();
  for (const i of indexes) {
    const leaf = await reader.include(i, checkpoint.root);
    let envelope;
    try {
      envelope = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(leaf));
    } catch {
      fail(`entry ${i} is not a JSON envelope`);
    }
    leaves.set(i, envelope.payload);
  }
  return { checkpoint, leaves };
}
