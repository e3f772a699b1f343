#!/usr/bin/env python3
"""Validates JSON files against the NIST SP 1500-100 v2 schema (draft 4),
formats included. Usage: err_validate.py SCHEMA FILE... Exit 0 when all pass."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
failed = 0
for path in sys.argv[2:]:
    errors = list(validator.iter_errors(json.load(open(path))))
    for error in errors[:10]:
        print(f"{path}: {'/'.join(map(str, error.path))}: {error.message[:300]}")
    if errors:
        failed += 1
    else:
        print(f"{path}: valid NIST SP 1500-100 ERR")
sys.exit(1 if failed else 0)
