#!/usr/bin/python3
"""Validates EPCIS documents against GS1's EPCIS 2.0 JSON Schema WITH format
checks (GS1 runs `ajv validate -c ajv-formats`; without formats the schema
accepts any key). Debian's python3-jsonschema checks `uri` through
python3-rfc3987; `date-time` needs rfc3339-validator, which Debian 12 does
not package, so it is checked here with the RFC 3339 grammar.

usage: validate_schema.py SCHEMA FILE=pass|fail ...
Exit 0 when every file gets the verdict it names; prints each verdict."""
import json
import re
import sys

import jsonschema
import rfc3987  # noqa: F401  (jsonschema's uri format needs it: fail loudly if missing)

RFC3339 = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$")


def main():
    schema = json.load(open(sys.argv[1]))
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    checker.checks("date-time")(lambda s: not isinstance(s, str) or bool(RFC3339.match(s)))
    if checker.conforms("not a uri", "uri"):
        print("rfc3987 is not active: uri format unchecked")
        return 1
    validator = jsonschema.Draft7Validator(schema, format_checker=checker)
    ok = True
    for arg in sys.argv[2:]:
        path, want = arg.rsplit("=", 1)
        errors = list(validator.iter_errors(json.load(open(path))))
        got = "pass" if not errors else "fail"
        first = "" if not errors else ": " + errors[0].message[:160]
        print(f"{got} (want {want}) {path}{first}")
        ok = ok and got == want
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
