#!/bin/sh
# Election night through the CLI: ERR export validated against the NIST
# schema, CSV-set import, returns ingest (rejection with line, idempotent
# re-upload), the two-admin rule, the live switch with its zero report,
# static export and `results verify` (with sha256sum and openssl as
# independent checks) catching a changed byte and a bad signature.
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
: "${PRECINCT_SOURCE:?set PRECINCT_SOURCE to the source tree}"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # expected-code command...
  want=$1; shift
  set +e; "$@" >"$work/out" 2>"$work/err"; got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$work/out" "$work/err" >&2; fail "exit $got, expected $want: $*"; }
}
schema="$PRECINCT_SOURCE/tests/data/nist/NIST_V2_election_results_reporting.json"
validate="$PRECINCT_SOURCE/tests/integration/err_validate.py"

for command in elections results; do
  expect_exit 0 "$PRECINCT" "$command" --help
  grep -q "usage: precinct $command" "$work/out" || fail "$command --help"
done
expect_exit 2 "$PRECINCT" results frobnicate
expect_exit 2 "$PRECINCT" results ingest --data "$work/x"

data="$work/instance"
expect_exit 0 "$PRECINCT" init --data "$data" --state "Test State"
expect_exit 0 "$PRECINCT" demo --data "$data" --precincts 60
grep -q "publication 1" "$work/out" || fail "demo publication"

# ERR export validates against the NIST schema.
expect_exit 2 "$PRECINCT" elections export --data "$data" --out "$work/def.json"
expect_exit 0 "$PRECINCT" elections export --data "$data" --format err --out "$work/def.json"
expect_exit 0 python3 "$validate" "$schema" "$work/def.json"

# The CSV set imports once; its export validates too.
expect_exit 0 "$PRECINCT" elections import --data "$data" "$PRECINCT_SOURCE/tests/data/elections/csv-set"
grep -q "3 precincts, 5 contests" "$work/out" || fail "csv-set import summary"
expect_exit 1 "$PRECINCT" elections import --data "$data" "$PRECINCT_SOURCE/tests/data/elections/csv-set"
grep -q "exists already" "$work/err" || fail "second import message"
expect_exit 0 "$PRECINCT" elections export --data "$data" --election 2026-test --format err --out "$work/small.json"
expect_exit 0 python3 "$validate" "$schema" "$work/small.json"
expect_exit 0 "$PRECINCT" elections list --data "$data"
grep -q "2026-general" "$work/out" && grep -q "2026-test" "$work/out" || fail "elections list"

# Returns: a bad file is rejected with its line; a good one is accepted once.
printf 'precinct,contest,choice,counting_group,votes,ballots_cast\nA-1,gov,gov-a,election-day,5,10\nB-1,gov,gov-a,election-day,1,10\n' >"$work/bad.csv"
expect_exit 1 "$PRECINCT" results ingest --data "$data" --election 2026-test --county Alder "$work/bad.csv"
grep -q "bad.csv:3: field 'precinct'" "$work/err" || fail "rejection names line 3: $(cat "$work/err")"
printf 'precinct,contest,choice,counting_group,votes,ballots_cast\nA-1,gov,gov-a,election-day,5,10\nA-1,gov,gov-b,absentee-mail,3,\n' >"$work/good.csv"
expect_exit 0 "$PRECINCT" results ingest --data "$data" --election 2026-test --county Alder "$work/good.csv"
grep -q "Accepted test returns for Alder County: version 1" "$work/out" || fail "accepted"
expect_exit 0 "$PRECINCT" results ingest --data "$data" --election 2026-test --county Alder "$work/good.csv"
grep -q "Unchanged" "$work/out" || fail "re-upload must change nothing"
expect_exit 0 "$PRECINCT" results status --data "$data" --election 2026-test
grep -q "Alder *1/2" "$work/out" || fail "status reporting"

# Two-admin rule: the first publication waits; its requester cannot approve it.
expect_exit 1 "$PRECINCT" results publish --data "$data" --election 2026-test
grep -q "Request 2 is pending" "$work/out" || fail "pending request: $(cat "$work/out")"
expect_exit 1 "$PRECINCT" results publish --data "$data" --approve 2
grep -q "a different admin must approve" "$work/err" || fail "self-approval message"

# Live switch: zero report, then live uploads.
expect_exit 2 "$PRECINCT" elections live --data "$data"
expect_exit 0 "$PRECINCT" elections live --data "$data" --election 2026-test
grep -q "RESULT: ALL ZERO" "$work/out" || fail "zero report"
grep -q "Total votes: 0 " "$work/out" || fail "zero total"
expect_exit 1 "$PRECINCT" elections live --data "$data" --election 2026-test
expect_exit 0 "$PRECINCT" results ingest --data "$data" --election 2026-test --county Alder "$work/good.csv"
grep -q "Accepted live returns" "$work/out" || fail "live ingest"

# Static export of the demo's publication, checked three independent ways.
site="$work/site"
expect_exit 0 "$PRECINCT" results export --data "$data" --election 2026-general --static "$site"
[ "$(readlink "$site")" = site.v1 ] || fail "symlink target"
expect_exit 0 "$PRECINCT" results verify "$site"
expect_exit 0 python3 "$validate" "$schema" "$site/results.json"
(cd "$site" && sha256sum --strict --quiet -c manifest.txt) || fail "sha256sum -c"
if command -v openssl >/dev/null 2>&1; then
  (cd "$site" && openssl pkeyutl -verify -pubin -inkey publish_ed25519.pem -rawin -in manifest.txt \
     -sigfile manifest.sig >/dev/null) || fail "openssl signature check"
fi
grep -q "<h1>Election results</h1>" "$site/index.html" || fail "index page"
# The contest map: its own SVG file (maps/cN.svg) shown as an image whose
# alt text points at the table; one path per precinct voting on the contest,
# and its text alternative counts every one of them once (led, tied or not
# reporting).
page="$site/contests/c1.html"
map="$site/maps/c1.svg"
grep -q '<figure class="map"><img src="../maps/c1.svg" width="800" height="[0-9]*" alt="Map of the precincts voting on this contest, each coloured by its leading choice; the table of precincts led below gives the same information.">' "$page" ||
  fail "contest map image"
grep -q '^<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 6000 [0-9]*" role="img" aria-labelledby="map-title"><title id="map-title">Map of the precincts' "$map" ||
  fail "contest map svg"
! grep -q '<path' "$page" || fail "the paths belong in the SVG file, not the page"
in_contest=$(grep -o '<p class="meta">[0-9,]* of [0-9,]* precincts reporting' "$page" | head -1 | tr -dc '0-9 ' |
  sed 's/ of */ /; s/^ *//; s/ *$//')
reporting=${in_contest% *}
all=${in_contest#* }
[ "$(grep -o '<path fill=' "$map" | wc -l)" -eq "$all" ] || fail "map paths: expected $all"
legend=$(grep -o '<table class="legend">.*' "$page" | sed 's|</table>.*||')
sum=$(echo "$legend" | grep -o '<td class="n">[0-9]*</td>' | tr -dc '0-9\n' | awk '{ s += $0 } END { print s }')
[ "$sum" -eq "$all" ] || fail "legend counts $sum precincts, expected $all"
waiting=$(echo "$legend" | sed -n 's|.*Not reporting</th><td>.*</td><td class="n">\([0-9]*\)</td></tr></tbody>|\1|p')
[ "$waiting" -eq $((all - reporting)) ] || fail "not reporting: $waiting, expected $((all - reporting))"
# The voter guide: each precinct's polling places and a link to its ballot style's sample ballot.
grep -q '<a href="polling/1.html">Alder County polling places</a>' "$site/index.html" || fail "polling link"
[ "$(grep -o '<tr><th scope="row">Alder [0-9]*</th>' "$site/polling/1.html" | wc -l)" -eq 12 ] || fail "Alder precincts"
grep -q '<td>Alder Community Center 1, 100 Main Street, Alder County</td><td><a href="../ballots/s1.html">style-1</a>' \
  "$site/polling/1.html" || fail "polling place row"
grep -q '<h2 id="k1">Governor</h2><p class="meta">Vote for 1.</p><ul><li>Ada Abbott' "$site/ballots/s1.html" ||
  fail "sample ballot"
key=$(cat "$site/publish_ed25519.pub")
expect_exit 0 "$PRECINCT" results verify "$site" --key "$key"

# One changed byte anywhere fails verification; so does a bad signature.
cp "$site/index.html" "$work/index.saved"
sed -i 's/Election results/Election resulta/' "$site/index.html"
expect_exit 1 "$PRECINCT" results verify "$site"
grep -q "index.html: SHA-256" "$work/err" || fail "changed byte report"
cp "$work/index.saved" "$site/index.html"
expect_exit 0 "$PRECINCT" results verify "$site"
cp "$site/manifest.sig" "$work/sig.saved"
# Byte 10 plus one (writing a fixed byte failed to change it 1 time in 256).
byte=$(dd if="$site/manifest.sig" bs=1 skip=10 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
printf "\\$(printf %o $(((byte + 1) % 256)))" | dd of="$site/manifest.sig" bs=1 seek=10 conv=notrunc 2>/dev/null
cmp -s "$site/manifest.sig" "$work/sig.saved" && fail "the signature byte did not change"
expect_exit 1 "$PRECINCT" results verify "$site"
grep -q "not a valid Ed25519 signature" "$work/err" || fail "bad signature report"
cp "$work/sig.saved" "$site/manifest.sig"
expect_exit 1 "$PRECINCT" results verify "$site" --key 0000000000000000000000000000000000000000000000000000000000000000
# The server shows the current publication under /results/, byte for byte.
"$PRECINCT" serve --data "$data" --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 100); do grep -q '^precinct: serving ' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^precinct: serving //p' "$work/serve.out")
case "$url" in http://127.0.0.1:[1-9]*) ;; *) fail "no serving line: $(cat "$work/serve.out")";; esac
code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$url/results")
[ "$code" = "303 $url/results/index.html" ] || fail "/results redirect: $code"
for page in index.html contests/c1.html results.json manifest.txt; do
  code=$(curl -s -o "$work/page" -w '%{http_code}' "$url/results/$page")
  [ "$code" = 200 ] || fail "GET /results/$page: $code"
  cmp -s "$work/page" "$site/$page" || fail "/results/$page differs from the exported file"
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/results/nope.html")" = 404 ] || fail "unknown results file"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/results/../keys/publish_ed25519.key")" != 200 ] || fail "path escape"
kill "$server"
wait "$server" || true
server=""
echo "ok"
