#!/bin/sh
# Runs one RCTab regression case (tests/data/rctab/CASE) through
# `precinct tabulate` and compares every report RCTab wrote for it.
# usage: run_case.sh PRECINCT RCTAB_COMPARE CASE_DIR
set -u
precinct=$1 compare=$2 dir=$3
name=$(basename "$dir")
out=$(mktemp -d) || exit 1
trap 'rm -rf "$out"' EXIT
config="$dir/${name}_config.json"
[ -f "$config" ] || config="$dir/config.json"

expect_failure() { # $1: words the message must contain (grep -E)
  if "$precinct" tabulate "$config" --out "$out/report" --quiet >"$out/stdout" 2>"$out/stderr"; then
    echo "FAIL: $name should have been refused"; exit 1
  fi
  cat "$out/stderr"
  if [ -e "$out/report/summary.json" ]; then echo "FAIL: a report was left behind"; exit 1; fi
  grep -Eqi "$1" "$out/stderr" || { echo "FAIL: message does not name the problem ($1)"; exit 1; }
  exit 0
}

case "$name" in
  invalid_params_test) expect_failure "tabulatorVersion|tiebreakMode|overvoteRule|cvrFileSources" ;;
  invalid_sources_test) expect_failure "filePath|not found|cannot|provider" ;;
  invalid_output_directory) expect_failure "outputDirectory" ;;
  max_ranking_enforcement) expect_failure "maxRankingsAllowed" ;;
  tabulate_by_precinct_without_precincts) expect_failure "precinct" ;;
  sample_interactive_tiebreak) expect_failure "tie-?break" ;;
esac

case "$name" in
  conversions_*)
    # RCTab's "convert CVRs" (no count): its CDF export compared as a whole
    # document (rctab_compare --cdf-document says which values may differ),
    # its generic CSV byte for byte
    "$precinct" tabulate "$config" --convert-to-cdf --convert-to-csv --out "$out/report" --quiet ||
      { echo "FAIL: $name: conversion failed"; exit 1; }
    status=0
    "$compare" --cdf-document "$dir/${name}_expected_cdf_cvr.json" "$out/report/cvr_cdf.json" || status=1
    diff "$dir/${name}_expected.csv" "$out/report/cvr.csv" || { echo "FAIL: $name: cvr.csv differs"; status=1; }
    [ -f "$out/report/audit.json" ] || { echo "FAIL: no audit.json"; exit 1; }
    exit $status ;;
esac

if ! "$precinct" tabulate "$config" --out "$out/report" --quiet; then
  echo "FAIL: $name: tabulate failed"; exit 1
fi
status=0 compared=0
for expected in "$dir"/*_expected_detailed_report.json; do
  [ -f "$expected" ] || continue
  base=$(basename "$expected" _expected_detailed_report.json)
  pass=${base#"$name"}
  actual="$out/report/summary${pass}.json"
  compared=$((compared + 1))
  "$compare" "$expected" "$actual" || status=1
  if [ -f "${expected%.json}.csv" ]; then
    compared=$((compared + 1))
    "$compare" --csv "${expected%.json}.csv" "${actual%.json}.csv" || status=1
  fi
done
for folder in "$dir/Tabulate by Precinct" "$dir/Tabulate by Batch"; do
  [ -d "$folder" ] || continue
  for expected in "$folder"/*_detailed_report.json "$folder"/*_detailed_report.csv; do
    [ -f "$expected" ] || continue
    kind=${expected##*.}
    unit=$(basename "$expected" "_detailed_report.$kind")
    unit=${unit#"${name}_expected_"}
    compared=$((compared + 1))
    if [ "$kind" = csv ]; then
      "$compare" --csv "$expected" "$out/report/$unit.csv" || status=1
    else
      "$compare" "$expected" "$out/report/$unit.json" || status=1
    fi
  done
done
for expected in "$dir"/*_expected_cdf_cvr.json; do
  [ -f "$expected" ] || continue
  compared=$((compared + 1))
  "$compare" --cdf-document "$expected" "$out/report/cvr_cdf.json" || status=1
done
[ $compared -gt 0 ] || { echo "FAIL: no expected report in $dir"; exit 1; }
[ -f "$out/report/audit.json" ] || { echo "FAIL: no audit.json"; exit 1; }
exit $status
