#!/bin/sh
# Ranked-choice results through the CLI: the demo night's CVRs give a rounds
# page in the publication; a county uploads CDF JSON CVRs with
# `precinct results ingest` (a file with another county's precinct rejected
# with its record and field, an identical re-upload unchanged); the next
# publication's rounds cover every county, round 1 equals the published
# first-choice totals, and the static export with the new files verifies;
# test-mode CVRs are cleared by the live switch and the audit log verifies.
set -eu
: "${PRECINCT:?set PRECINCT to the precinct binary}"
: "${PRECINCT_SOURCE:?set PRECINCT_SOURCE to the source tree}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # expected-code command...
  want=$1; shift
  set +e; "$@" >"$work/out" 2>"$work/err"; got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$work/out" "$work/err" >&2; fail "exit $got, expected $want: $*"; }
}

data="$work/instance"
expect_exit 0 "$PRECINCT" init --data "$data" --state "Demo State"
expect_exit 0 "$PRECINCT" demo --data "$data" --precincts 60
expect_exit 0 "$PRECINCT" results export --data "$data" --static "$work/site"
page=$(ls "$work/site/rounds/"*.html)
[ -f "$page" ] || fail "no rounds page in the demo publication"
grep -q "Not yet included (no cast vote records uploaded): Cedar County" "$page" || fail "Cedar has no CVRs yet"
grep -q 'rounds/c[0-9]*.html">Round-by-round tabulation' "$work/site/contests/"c*.html || fail "contest page link"
expect_exit 0 "$PRECINCT" results verify "$work/site"

# Cedar County's CVRs, written from the published definition.
expect_exit 0 "$PRECINCT" elections export --data "$data" --format err --out "$work/def.json"
python3 - "$work/def.json" "$work" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
election = report["Election"][0]
contest = next(c for c in election["Contest"] if "ranked choice" in c["Name"])
names = {c["@id"]: c["BallotName"]["Text"][0]["Content"] for c in election["Candidate"]}
choices = [names[s["CandidateIds"][0]] for s in contest["ContestSelection"]]
def cvr_report(precinct, ballots):
    cvrs = []
    for n, ranking in enumerate(ballots):
        cvrs.append({"@type": "CVR.CVR", "BallotStyleUnitId": "g1", "CurrentSnapshotId": f"s{n}",
                     "CVRSnapshot": [{"@id": f"s{n}", "@type": "CVR.CVRSnapshot", "Type": "original", "CVRContest": [{
                         "ContestId": "k1", "CVRContestSelection": [
                             {"ContestSelectionId": f"cs{k}", "SelectionPosition": [
                                 {"HasIndication": "yes", "NumberVotes": 1, "Rank": r + 1}]}
                             for r, k in enumerate(ranking)]}]}]})
    return {"@type": "CVR.CastVoteRecordReport",
            "Election": [{"@id": "e1", "Candidate": [{"@id": f"c{k}", "Name": n} for k, n in enumerate(choices)],
                          "Contest": [{"@id": "k1", "Name": contest["Name"], "ContestSelection": [
                              {"@id": f"cs{k}", "CandidateIds": [f"c{k}"]} for k in range(len(choices))]}]}],
            "GpUnit": [{"@id": "g1", "Type": "precinct", "Name": precinct}], "CVR": cvrs}
ballots = [[k % len(choices), (k + 1) % len(choices)] for k in range(300)] + [[0, 2]] * 40
json.dump(cvr_report("pct-c0001", ballots), open(sys.argv[2] + "/cedar-cvr.json", "w"))
json.dump(cvr_report("pct-a0001", ballots), open(sys.argv[2] + "/wrong-county.json", "w"))
PY
expect_exit 1 "$PRECINCT" results ingest --data "$data" --county Cedar "$work/wrong-county.json"
grep -q "wrong-county.json:1: field 'BallotStyleUnitId': precinct \"pct-a0001\" is in Alder County, not Cedar County" \
  "$work/err" || fail "rejection message: $(cat "$work/err")"
expect_exit 0 "$PRECINCT" results ingest --data "$data" --county Cedar "$work/cedar-cvr.json"
grep -q "Accepted live cast vote records for Cedar County: version 1, 340 ballots in 1 precincts" "$work/out" \
  || fail "accepted: $(cat "$work/out")"
expect_exit 0 "$PRECINCT" results ingest --data "$data" --county Cedar "$work/cedar-cvr.json"
grep -q "Unchanged: .* Cedar County's current live cast vote records (version 1)" "$work/out" || fail "unchanged"
expect_exit 0 "$PRECINCT" results status --data "$data"
grep -q "Cast vote records: Cedar County, contest .*, version 1: 340 ballots in 1 precincts" "$work/out" \
  || fail "status: $(cat "$work/out")"

expect_exit 0 "$PRECINCT" results publish --data "$data"
grep -q "Published publication 2" "$work/out" || fail "publish: $(cat "$work/out")"
expect_exit 0 "$PRECINCT" results export --data "$data" --static "$work/site"
page=$(ls "$work/site/rounds/"*.html)
grep -q "Not yet included" "$page" && fail "every county with the contest has CVRs now"
grep -q "340 ballots\|ballots uploaded by Alder County, Birch County, Cedar County" "$page" || fail "coverage line"
# Round 1 is the state first-choice total on every other page.
python3 - "$work/site" <<'PY'
import glob, json, sys
site = sys.argv[1]
rounds = json.load(open(glob.glob(site + "/rounds/c*[0-9].json")[0]))
summary = json.load(open(site + "/summary.json"))
contest = next(c for c in summary["contests"] if c["kind"] == "rcv")
state = next(r for r in contest["results"] if r["unit"] == "state")["votes"]
definition = json.load(open(site + "/results.json"))
names = {}
for e in definition["Election"]:
    cand = {c["@id"]: c["BallotName"]["Text"][0]["Content"] for c in e["Candidate"]}
    for c in e["Contest"]:
        for s in c.get("ContestSelection", []):
            if s.get("CandidateIds"):
                names[s["@id"]] = cand[s["CandidateIds"][0]]
first = rounds["results"][0]["tally"]
for code, votes in state.items():
    assert str(votes) == first[names[code]], (code, votes, first)
assert sum(s["ballots"] for s in rounds["precinctCountySources"]) == int(rounds["summary"]["totalNumBallots"])
print("round 1 matches", len(state), "choices")
PY
expect_exit 0 "$PRECINCT" results verify "$work/site"
(cd "$work/site" && sha256sum --strict -c manifest.txt >/dev/null) || fail "sha256sum -c"

# Test mode: CVRs uploaded before the live switch are cleared by it, audited.
expect_exit 0 "$PRECINCT" elections import --data "$data" "$PRECINCT_SOURCE/tests/data/elections/csv-set"
python3 - "$work/test-cvr.json" <<'PY'
import json, sys
names = ["Fay Fox", "Gus Gray", "Hal Hunt"]
rankings = [[0, 1], [1], [2, 0], [0]]
json.dump({"@type": "CVR.CastVoteRecordReport",
           "Election": [{"@id": "e", "Candidate": [{"@id": f"c{k}", "Name": n} for k, n in enumerate(names)],
                         "Contest": [{"@id": "k", "Name": "Mayor", "ContestSelection": [
                             {"@id": f"s{k}", "CandidateIds": [f"c{k}"]} for k in range(3)]}]}],
           "GpUnit": [{"@id": "g", "Type": "precinct", "Name": "A-2"}],
           "CVR": [{"BallotStyleUnitId": "g", "CurrentSnapshotId": f"x{n}", "CVRSnapshot": [{"@id": f"x{n}", "CVRContest": [
               {"ContestId": "k", "CVRContestSelection": [{"ContestSelectionId": f"s{k}", "SelectionPosition": [
                   {"HasIndication": "yes", "Rank": r + 1}]} for r, k in enumerate(ranking)]}]}]}
                   for n, ranking in enumerate(rankings)]}, open(sys.argv[1], "w"))
PY
expect_exit 0 "$PRECINCT" results ingest --data "$data" --election 2026-test --county Alder "$work/test-cvr.json"
grep -q "Accepted test cast vote records for Alder County: version 1, 4 ballots in 1 precincts" "$work/out" \
  || fail "test CVRs: $(cat "$work/out")"
expect_exit 0 "$PRECINCT" elections live --data "$data" --election 2026-test
grep -q "RESULT: ALL ZERO" "$work/out" || fail "zero report after test CVRs"
expect_exit 0 "$PRECINCT" audit verify --data "$data"
grep -q "audit log verified: OK" "$work/out" || fail "audit verify: $(cat "$work/out")"
echo "1 passed, 0 failed"
