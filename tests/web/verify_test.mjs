// web/verify.js under node (WebCrypto as in the browser), against a
// reference: trees of many sizes (partial tiles, level-1 and level-2 tiles)
// whose tiles this file computes from the RFC 9162 definition, checkpoints
// signed here with node's Ed25519. Every entry's inclusion verifies; a
// flipped bit of any bundle or tile the proof reads, a wrong root, a wrong
// key, a forged signature or a malformed note fails.
// Usage: node verify_test.mjs PATH/TO/web/verify.js
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { pathToFileURL } from "node:url";

const v = await import(pathToFileURL(process.argv[2]).href);
let failures = 0;
function check(ok, what) {
  if (!ok) console.log(`FAIL ${what}`);
  if (!ok) failures++;
}
async function throws(promise, pattern, what) {
  try {
    await promise;
    check(false, `${what}: passed`);
  } catch (e) {
    check(e instanceof v.VerifyError && pattern.test(e.message), `${what}: ${e.message}`);
  }
}

const sha = (...parts) => createHash("sha256").update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest();
const leafHash = (leaf) => sha([0], leaf);
// MTH (RFC 9162 2.1.1) of leaf hashes.
function mth(hashes) {
  if (hashes.length === 1) return hashes[0];
  const k = 2 ** Math.floor(Math.log2(hashes.length - 1));
  return sha([1], mth(hashes.slice(0, k)), mth(hashes.slice(k)));
}

// The tiles of a tree of `size` leaves, as a path -> bytes map.
function tiles(leaves) {
  const size = leaves.length;
  const out = new Map();
  const level0 = leaves.map(leafHash);
  for (let level = 0; 256 ** level <= size; ++level) {
    const span = 256 ** level;
    const nodes = [];
    for (let k = 0; (k + 1) * span <= size; ++k) nodes.push(level === 0 ? level0[k] : mth(level0.slice(k * span, (k + 1) * span)));
    for (let t = 0; t * 256 < nodes.length; ++t) {
      const w = Math.min(256, nodes.length - t * 256);
      out.set(`tile/${level}/${v.tileIndexPath(t)}${w === 256 ? "" : ".p/" + w}`, Buffer.concat(nodes.slice(t * 256, t * 256 + w)));
    }
  }
  for (let t = 0; t * 256 < size; ++t) {
    const w = Math.min(256, size - t * 256);
    const parts = leaves.slice(t * 256, t * 256 + w).flatMap((l) => [Buffer.from([l.length >> 8, l.length & 255]), l]);
    out.set(`tile/entries/${v.tileIndexPath(t)}${w === 256 ? "" : ".p/" + w}`, Buffer.concat(parts));
  }
  return { root: mth(level0), tiles: out };
}

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const pub = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
const NAME = "test.rareledger.example";
function note(text, key = privateKey, name = NAME, keyId = null) {
  const id = keyId ?? sha(name + "\n", [1], pub).subarray(0, 4);
  const sig = sign(null, Buffer.from(text), key);
  return `${text}\n\u2014 ${name} ${Buffer.concat([id, sig]).toString("base64")}\n`;
}
const key = await v.parseVerifierKey(await v.verifierKey(NAME, new Uint8Array(pub)));

check(v.tileIndexPath(1234067) === "x001/x234/067" && v.tileIndexPath(5) === "005", "tile paths");
check(key.fingerprint === sha(pub).toString("hex"), "the fingerprint is SHA-256 of the raw key");
await throws(v.parseVerifierKey(`${NAME}+00000000+${Buffer.concat([Buffer.from([1]), pub]).toString("base64")}`), /key id/, "a vkey with a wrong key id");

const leafOf = (i) => Buffer.from(`{"payload":{"n":${i},"pad":"${"x".repeat(i % 7)}"},"sig":"s"}`);
for (const size of [1, 2, 3, 7, 255, 256, 257, 300, 511, 512, 513, 1000]) {
  const leaves = Array.from({ length: size }, (_, i) => leafOf(i));
  const { root, tiles: files } = tiles(leaves);
  const text = `${NAME}\n${size}\n${root.toString("base64")}\n`;
  const fetchFrom = (map) => async (path) => {
    if (!map.has(path)) throw new v.VerifyError(`no ${path}`);
    return new Uint8Array(map.get(path));
  };
  const every = Array.from({ length: size }, (_, i) => i).filter((i) => size <= 300 || i % 37 === 0 || i === size - 1);
  const { checkpoint, leaves: got } = await v.verifyEntries(note(text), key, every, fetchFrom(files));
  check(checkpoint.size === size && got.size === every.length && every.every((i) => got.get(i).n === i), `size ${size}: every entry verifies`);
  // Flip one bit in each file the proof of the last entry reads: it fails.
  const last = size - 1;
  const reader = new v.TileReader(size, fetchFrom(files));
  await reader.include(last, new Uint8Array(root));
  for (const path of reader.tiles.keys()) {
    const forged = new Map(files);
    const bytes = Buffer.from(files.get(path));
    // A bundle: one bit anywhere. A hash tile: one bit in each of its hashes
    // (the proof reads some of them; the others it cannot check).
    if (path.startsWith("tile/entries/")) bytes[(bytes.length * 7) >> 3] ^= 0x10;
    else for (let j = 5; j < bytes.length; j += 32) bytes[j] ^= 0x10;
    forged.set(path, bytes);
    await throws(v.verifyEntries(note(text), key, [last], fetchFrom(forged)), /does not|cut short|not JSON/, `size ${size}: ${path} forged`);
  }
  await throws(v.verifyEntries(note(text), key, [size], fetchFrom(files)), /not in the checkpoint's log/, `size ${size}: an entry past the size`);
  const badRoot = `${NAME}\n${size}\n${Buffer.alloc(32, 7).toString("base64")}\n`;
  await throws(v.verifyEntries(note(badRoot), key, [0], fetchFrom(files)), /signed root|does not match/, `size ${size}: another root`);
}

// The note itself.
const text = `${NAME}\n1\n${leafHash(leafOf(0)).toString("base64")}\n`;
const good = note(text);
check((await v.verifyCheckpoint(good, key)).size === 1, "a good note verifies");
await throws(v.verifyCheckpoint(good.replace(`\n1\n`, `\n2\n`), key), /does not verify/, "a changed size");
await throws(v.verifyCheckpoint(note(text, generateKeyPairSync("ed25519").privateKey), key), /does not verify/, "signed by another key");
await throws(v.verifyCheckpoint(note(text, privateKey, NAME, Buffer.from([1, 2, 3, 4])), key), /no signature by/, "another key id");
await throws(v.verifyCheckpoint(note(text.replace(NAME, "other.example"), privateKey, "other.example"), key), /is for "other.example"/, "another origin");
await throws(v.verifyCheckpoint(text, key), /not a signed note/, "no signature");
await throws(v.verifyCheckpoint(good.replace("\u2014 ", "-- "), key), /malformed/, "a malformed signature line");
await throws(v.verifyCheckpoint(`${NAME}\n01\nAAAA\n\n\u2014 x AAAA\n`, key), /not a number/, "a size with a leading zero");

console.log(failures === 0 ? "verify.js: all checks passed" : `verify.js: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
