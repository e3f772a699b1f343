#!/bin/sh
# The same synthetic election written as ES&S workbooks and as CDF JSON
# (bench_tabulate_gen) must give identical round-by-round results: the ES&S
# reader and the CDF reader agree ballot for ballot.
set -eu
: "${PRECINCT:?}"
gen="$(dirname "$PRECINCT")/bench/bench_tabulate_gen"
[ -x "$gen" ] || { echo "missing $gen"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$gen" --ballots 4000 --files 3 --seed 7 --out "$dir/data" >/dev/null 2>&1
"$PRECINCT" tabulate "$dir/data/bench_config.json" --out "$dir/ess" --quiet --expect-ballots 4000
"$PRECINCT" tabulate "$dir/data/bench_cdf_config.json" --out "$dir/cdf" --quiet --expect-ballots 4000
grep -v '^Ballots Read,' "$dir/ess/summary.csv" > "$dir/ess.csv"
grep -v '^Ballots Read,' "$dir/cdf/summary.csv" > "$dir/cdf.csv"
if ! diff -u "$dir/ess.csv" "$dir/cdf.csv"; then
  echo "ES&S and CDF results differ"
  exit 1
fi
grep -q '^Total Number of Ballots,4000$' "$dir/ess.csv"
rounds=$(grep -c '' "$dir/ess.csv")
[ "$rounds" -gt 10 ]
echo "ok: ES&S and CDF agree"
