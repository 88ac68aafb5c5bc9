#!/usr/bin/env bash
# The CLI end to end: the four-company chain imported with `epcis import`,
# then `epcis export` (whole log, with values, a lot's cone up and down)
# validated against GS1's EPCIS 2.0 JSON Schema with format checks. The
# published samples are validated too, as a check of the checker: GS1's
# ajv gives 4 pass, 2 fail (tests/testdata/epcis/README.md).
# usage: export_schema_test.sh RARELEDGER TESTDATA_EPCIS VALIDATE_PY
set -euo pipefail
R=$1 DATA=$2 VALIDATE=$3
if ! /usr/bin/python3 -c 'import jsonschema, rfc3987' 2>/dev/null; then
  echo "python3-jsonschema and python3-rfc3987 are missing: run scripts/deps.sh" >&2
  exit 1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
"$R" keygen --out op >/dev/null
"$R" init --db db --ledger-id schema-test --operator-key op.key >/dev/null
i=1
for p in cn-sep:CN:9521101000009 au-ndpr:AU:9521102000008 jp-mag:JP:9521103000007 \
         de-motor:DE:9521104000006 us-car:US:9521105000005; do
  IFS=: read -r id country gln <<<"$p"
  "$R" keygen --out "$id" >/dev/null
  "$R" party add --db db --key op.key --id "$id" --name "$id" --country "$country" \
      --roles producer,processor,manufacturer --pubkey "$id.pub" --gln "$gln" >/dev/null
done
for d in 1:cn-sep 2:au-ndpr 3:jp-mag 4:de-motor 5:us-car; do
  "$R" epcis import --db db --key "${d#*:}.key" --json "$DATA"/chain/"${d%%:*}"-*.jsonld > "import-${d%%:*}.json"
done
# --json: SPEC's form, entries as log indices.
/usr/bin/python3 - import-1.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["appended"] == 3, r
assert [e["result"] for e in r["events"]] == ["mapped", "skipped", "mapped"], r
assert r["events"][1]["reason"] == "aggregation", r
assert r["events"][2]["entries"] == [7, 8], r
assert r["events"][0]["event_id"] == "urn:uuid:0b7c1d52-3f0e-4c8a-9a41-5d2e8f000001", r
PY
# A second import of the same document appends nothing.
"$R" epcis import --db db --key cn-sep.key --json "$DATA"/chain/1-cn-separator.jsonld > again.json
/usr/bin/python3 -c 'import json,sys; r=json.load(open("again.json")); assert r["appended"]==0 and r["events"][0]["result"]=="already_imported", r'
# A refused document exits 1 and appends nothing.
size=$("$R" status --db db --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')
if "$R" epcis import --db db --key cn-sep.key "$DATA"/published/gs1_Example_9.6.4-TransformationEvent.jsonld \
    >/dev/null 2>err.txt; then
  echo "a refused document exited 0" >&2; exit 1
fi
grep -q 'instance_level_mass_event' err.txt
after=$("$R" status --db db --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')
[ "$size" = "$after" ] || { echo "refused import appended entries" >&2; exit 1; }
[ "$size" = 16 ] || { echo "the chain gave $size entries, want 16" >&2; exit 1; }
MAG=https://id.gs1.org/01/09521103200018/10/MAG-2604-7
"$R" epcis export --db db --out all.json
"$R" epcis export --db db --with-values --out values.json
"$R" epcis export --db db --lot "$MAG" --up --out up.json
"$R" epcis export --db db --lot "$MAG" --down --with-values --out down.json
"$R" epcis export --db db --party jp-mag --with-values > jp.json
grep -q '"rl:value"' values.json
! grep -q '"rl:value"' all.json
P="$DATA"/published
/usr/bin/python3 "$VALIDATE" "$DATA"/schema/EPCIS-JSON-Schema.json \
  all.json=pass values.json=pass up.json=pass down.json=pass jp.json=pass \
  "$DATA"/chain/1-cn-separator.jsonld=pass "$DATA"/chain/2-au-ndpr.jsonld=pass \
  "$DATA"/chain/3-jp-magnets.jsonld=pass "$DATA"/chain/4-de-motors.jsonld=pass \
  "$DATA"/chain/5-us-vehicles.jsonld=pass \
  "$P"/gs1_Example_9.6.2-ObjectEvent.jsonld=pass "$P"/gs1_Example_9.6.4-TransformationEvent.jsonld=pass \
  "$P"/gs1_transformation_event_all_possible_fields.jsonld=pass \
  "$P"/openepcis_Combination_of_different_event.json=pass \
  "$P"/openepcis_fsma204_transformation-cte.jsonld=fail \
  "$P"/openepcis_iron-steel_transformation-rolling.jsonld=fail
echo "1 passed, 0 failed"
