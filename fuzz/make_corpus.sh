#!/usr/bin/env bash
# Regenerates the "real" seed files of fuzz/corpus/ from a ledger built with
# the rareledger binary: signed envelopes (`rareledger sign`), checkpoints
# (`rareledger checkpoint`), proofs (`rareledger prove`) and the exported
# leaves. Hand-written edge cases in the corpus directories are kept.
#
#   fuzz/make_corpus.sh [path/to/rareledger]
#
# Keys are deterministic (RFC 8032 seeds) so that the fuzz targets can embed
# the matching public keys: operator 0x11 * 32, mine 0x02, maker 0x03,
# aud 0x04, maker's rotated key 0x05. The ledger id is "fuzz-ledger" and its
# first entries match the base ledger of fuzz_entry_apply.cpp.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rl=${1:-$here/../build/bin/rareledger}
corpus=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

key() {  # key NAME BYTE: NAME.key from the seed BYTE repeated 32 times
  { printf '302e020100300506032b657004220420'; for _ in $(seq 32); do printf '%s' "$2"; done; } |
    xxd -r -p > "$1.der"
  { echo "-----BEGIN PRIVATE KEY-----"; base64 -w64 "$1.der"; echo "-----END PRIVATE KEY-----"; } > "$1.key"
  chmod 600 "$1.key"
}
pub() {  # base64 of the raw public key of NAME.key
  openssl pkey -in "$1.key" -pubout -outform DER | tail -c 32 | base64
}
key op 11; key mine 02; key maker 03; key aud 04; key maker2 05
T=2026-01-31T12:00:00Z
hdr() { printf '"type":"%s","ledger":"fuzz-ledger","party":"%s","seq":%s,"time":"%s"' "$1" "$2" "$3" "$T"; }
n=0
sign() {  # sign KEY JSON: appends the envelope to chain.jsonl
  n=$((n + 1))
  printf '%s\n' "$2" > "p$n.json"
  "$rl" sign --key "$1.key" "p$n.json" >> chain.jsonl
}

"$rl" --db db init --ledger-id fuzz-ledger --operator-key op.key --country DE > /dev/null
: > chain.jsonl
sign op "{$(hdr register_party operator 2),\"id\":\"mine\",\"name\":\"mine Ltd\",\"country\":\"CN\",\"roles\":[\"producer\"],\"pubkey\":\"$(pub mine)\"}"
sign op "{$(hdr register_party operator 3),\"id\":\"maker\",\"name\":\"maker Ltd\",\"country\":\"JP\",\"roles\":[\"processor\",\"manufacturer\"],\"pubkey\":\"$(pub maker)\"}"
sign op "{$(hdr register_party operator 4),\"id\":\"aud\",\"name\":\"aud Ltd\",\"country\":\"DE\",\"roles\":[\"auditor\"],\"pubkey\":\"$(pub aud)\"}"
sign mine "{$(hdr create_lot mine 1),\"lot\":\"ore-1\",\"material\":\"bastnaesite ore\",\"category\":\"re_ore\",\"mass_g\":1000000,\"value\":500000,\"origin\":\"CN\",\"elements\":{\"Nd\":30000,\"Dy\":500}}"
sign mine "{$(hdr create_lot mine 2),\"lot\":\"ox-1\",\"material\":\"Dy oxide\",\"category\":\"re_oxide\",\"mass_g\":20000,\"value\":9000000,\"origin\":\"CN\"}"
sign mine "{$(hdr transfer mine 3),\"lot\":\"ox-1\",\"to\":\"maker\",\"value\":9500000}"
base_lines=$n
# The chain after the base ledger (every rule-relevant entry type).
sign mine "{$(hdr create_lot mine 4),\"lot\":\"ore-2\",\"material\":\"monazite\",\"category\":\"re_ore\",\"mass_g\":5000,\"value\":0,\"origin\":\"AU\",\"hs\":\"2612.20\"}"
sign mine "{$(hdr transfer mine 5),\"lot\":\"ore-1\",\"to\":\"maker\"}"
sign maker "{$(hdr split maker 1),\"lot\":\"ox-1\",\"parts\":[{\"lot\":\"ox-1a\",\"mass_g\":5000},{\"lot\":\"ox-1b\",\"mass_g\":1}]}"
sign maker "{$(hdr transform maker 2),\"process\":\"metal_smelting\",\"facility_country\":\"VN\",\"technology_origin\":\"CN\",\"inputs\":[{\"lot\":\"ox-1\",\"mass_g\":14999},{\"lot\":\"ore-1\",\"mass_g\":1000000}],\"outputs\":[{\"lot\":\"metal-1\",\"material\":\"Dy metal\",\"category\":\"re_metal\",\"mass_g\":9000,\"value\":12000000,\"elements\":{\"Dy\":8900}},{\"lot\":\"slag-1\",\"material\":\"slag\",\"category\":\"other\",\"mass_g\":900000,\"value\":0}],\"allocation\":{\"metal-1\":\"999/1000\",\"slag-1\":\"1/1000\"}}"
sign aud "{$(hdr attest aud 1),\"subject\":{\"lot\":\"metal-1\"},\"claim\":\"site visit\",\"detail\":\"smelter audited \\u00e9 \\ud83d\\ude00\"}"
sign aud "{$(hdr attest aud 2),\"subject\":{\"entry\":4},\"claim\":\"origin checked\"}"
sign maker "{$(hdr rotate_key maker 3),\"pubkey\":\"$(pub maker2)\"}"
sign maker2 "{$(hdr transfer maker 4),\"lot\":\"metal-1\",\"to\":\"mine\",\"value\":13000000}"
sign op "{$(hdr revoke_party operator 5),\"id\":\"aud\",\"reason\":\"contract ended\"}"

head -n "$base_lines" chain.jsonl > base.jsonl
tail -n +"$((base_lines + 1))" chain.jsonl > rest.jsonl
"$rl" --db db submit base.jsonl --quiet 2> /dev/null
cp1=$("$rl" --db db checkpoint --operator-key op.key)
"$rl" --db db submit rest.jsonl --quiet 2> /dev/null
cp2=$("$rl" --db db checkpoint --operator-key op.key)
"$rl" --db db verify > /dev/null
"$rl" --db db export bundle > /dev/null
size=$(wc -l < bundle/entries.jsonl)

e=$corpus/fuzz_entry_apply; mkdir -p "$e"
cp rest.jsonl "$e/chain_after_base.jsonl"
cp bundle/entries.jsonl "$e/genesis_whole_log.jsonl"
i=0
while IFS= read -r line; do
  i=$((i + 1)); [ "$i" -le 1 ] && continue
  printf '%s\n' "$line" > "$e/entry_$((i - 1)).json"
done < bundle/entries.jsonl
# A pretty-printed envelope (any JSON whitespace is accepted).
head -n 1 rest.jsonl | python3 -m json.tool > "$e/pretty_envelope.json" 2> /dev/null || true

c=$corpus/fuzz_canonical_json; mkdir -p "$c"
sed -n '2p;10p;11p;12p' bundle/entries.jsonl | { j=0; while IFS= read -r line; do j=$((j + 1)); printf '%s' "$line" > "$c/envelope_$j.json"; done; }
cp p10.json "$c/payload_transform.json"

k=$corpus/fuzz_checkpoint; mkdir -p "$k"
printf '%s\n' "$cp1" > "$k/checkpoint_size_$((base_lines + 1)).note"
printf '%s\n' "$cp2" > "$k/checkpoint_size_$size.note"
cp bundle/checkpoint "$k/bundle_checkpoint.note"

m=$corpus/fuzz_merkle_proofs; mkdir -p "$m"
for p in "0 1" "0 $size" "3 $size" "$((size - 1)) $size" "6 7" "4 13"; do
  set -- $p
  "$rl" --db db prove inclusion --index "$1" --size "$2" > "$m/inclusion_$1_$2.json"
done
for p in "1 $size" "4 $size" "7 $size" "7 13" "$size $size" "3 6"; do
  set -- $p
  "$rl" --db db prove consistency --old "$1" --new "$2" > "$m/consistency_$1_$2.json"
done
# Compliance Notices on the final log (the seeds' issue date is the day
# they were made; fuzz_notice checks them on that day).
nt=$corpus/fuzz_notice; mkdir -p "$nt"
"$rl" --db db notice metal-1 --policy cn-mofcom-2025-61 --to maker --key mine.key \
  --as-of 2026-02-01 --out "$nt/notice_metal_1.json" --quiet 2> /dev/null
"$rl" --db db notice ox-1a --policy cn-mofcom-2025-18 --to mine --key maker2.key \
  --as-of 2026-02-01 --out "$nt/notice_ox_1a.json" --quiet 2> /dev/null
echo "corpus written: entries $size, checkpoints at $base_lines and $size"
