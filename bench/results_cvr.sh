#!/bin/sh
# Ranked-choice results: times `precinct demo` (which now writes CVRs), the
# ingest of one county's CDF JSON CVR file of N ballots (default 200,000)
# and the publication that tabulates it; prints the file and stored sizes.
# Then the same ballots as CDF XML and as a Dominion export .zip, each
# ingested as the county's next version (the formats' costs side by side).
# Usage: bench/results_cvr.sh [BALLOTS]   (PRECINCT defaults to build/precinct)
set -eu
ballots=${1:-200000}
precinct=${PRECINCT:-build/precinct}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
"$precinct" init --data "$work/d" --state "Demo State" >/dev/null 2>&1
t=$(now); "$precinct" demo --data "$work/d" >/dev/null 2>&1
echo "demo (3000 precincts, returns + CVRs of 2 counties + publication): $(since "$t") s"
"$precinct" elections export --data "$work/d" --format err --out "$work/def.json" >/dev/null
python3 - "$work/def.json" "$work/cvr.json" "$ballots" <<'PY'
import json, random, sys
report = json.load(open(sys.argv[1]))
election = report["Election"][0]
contest = next(c for c in election["Contest"] if "ranked choice" in c["Name"])
names = {c["@id"]: c["BallotName"]["Text"][0]["Content"] for c in election["Candidate"]}
choices = [names[s["CandidateIds"][0]] for s in contest["ContestSelection"]]
random.seed(1)
# Cedar's part of Capital City: its first 10 precincts (src/elections/demo.c)
out = open(sys.argv[2], "w")
out.write(json.dumps({"@type": "CVR.CastVoteRecordReport", "Election": [{"@id": "e", "Candidate": [
    {"@id": f"c{k}", "Name": n} for k, n in enumerate(choices)], "Contest": [{"@id": "k", "Name": contest["Name"],
    "ContestSelection": [{"@id": f"s{k}", "CandidateIds": [f"c{k}"]} for k in range(len(choices))]}]}],
    "GpUnit": [{"@id": f"g{p}", "Type": "precinct", "Name": f"pct-c{p:04d}"} for p in range(1, 11)]})[:-1])
out.write(', "CVR": [')
for n in range(int(sys.argv[3])):
    ranking = random.sample(range(len(choices)), random.randint(1, len(choices)))
    cvr = {"BallotStyleUnitId": f"g{n % 10 + 1}", "CurrentSnapshotId": "s", "CVRSnapshot": [{"@id": "s", "CVRContest": [
        {"ContestId": "k", "CVRContestSelection": [{"ContestSelectionId": f"s{k}", "SelectionPosition": [
            {"HasIndication": "yes", "Rank": r + 1}]} for r, k in enumerate(ranking)]}]}]}
    out.write(("," if n else "") + json.dumps(cvr, separators=(",", ":")))
out.write("]}\n")
out.close()
# The same ballots as CDF XML and as a Dominion export (deflated .zip).
random.seed(1)
rankings = [random.sample(range(len(choices)), random.randint(1, len(choices))) for n in range(int(sys.argv[3]))]
with open(sys.argv[2][:-5] + ".xml", "w") as x:
    x.write('<?xml version="1.0" encoding="UTF-8"?>\n<CastVoteRecordReport xmlns="http://itl.nist.gov/ns/voting/1500-103/v1">\n')
    for n, ranking in enumerate(rankings):
        x.write(f'<CVR><BallotStyleUnitId>g{n % 10 + 1}</BallotStyleUnitId><CurrentSnapshotId>s</CurrentSnapshotId>'
                '<CVRSnapshot ObjectId="s"><CVRContest><ContestId>k</ContestId>' + "".join(
                    f'<CVRContestSelection><ContestSelectionId>s{k}</ContestSelectionId><SelectionPosition>'
                    f'<HasIndication>yes</HasIndication><NumberVotes>1</NumberVotes><Rank>{r + 1}</Rank></SelectionPosition>'
                    '</CVRContestSelection>' for r, k in enumerate(ranking)) + '</CVRContest></CVRSnapshot></CVR>\n')
    x.write('<Election ObjectId="e">' + "".join(f'<Candidate ObjectId="c{k}"><Name>{n}</Name></Candidate>' for k, n in enumerate(choices)) +
            '<Contest ObjectId="k">' + "".join(f'<ContestSelection ObjectId="s{k}"><CandidateIds>c{k}</CandidateIds></ContestSelection>'
                                              for k in range(len(choices))) + f'<Name>{contest["Name"]}</Name></Contest></Election>\n')
    x.write("".join(f'<GpUnit ObjectId="g{p}"><Name>pct-c{p:04d}</Name><Type>precinct</Type></GpUnit>' for p in range(1, 11)))
    x.write('\n</CastVoteRecordReport>\n')
import zipfile
sessions = ",".join(json.dumps({"TabulatorId": 1, "BatchId": 1, "RecordId": n + 1, "Original": {
    "PrecinctPortionId": n % 10 + 1, "IsCurrent": True, "Cards": [{"Id": n, "Contests": [{"Id": 1, "Marks": [
        {"CandidateId": k + 1, "Rank": r + 1, "IsAmbiguous": False} for r, k in enumerate(ranking)]}]}]}},
    separators=(",", ":")) for n, ranking in enumerate(rankings))
with zipfile.ZipFile(sys.argv[2][:-5] + ".zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("ContestManifest.json", json.dumps({"List": [{"Description": contest["Name"], "Id": 1, "NumOfRanks": len(choices)}]}))
    z.writestr("CandidateManifest.json", json.dumps({"List": [{"Description": n, "Id": k + 1, "ContestId": 1, "Type": "Regular"}
                                                              for k, n in enumerate(choices)]}))
    z.writestr("PrecinctPortionManifest.json", json.dumps({"List": [{"Description": f"pct-c{p:04d}", "Id": p} for p in range(1, 11)]}))
    z.writestr("CvrExport.json", '{"Version":"5.10","Sessions":[' + sessions + ']}')
PY
echo "CVR file: $ballots ballots, $(stat -c %s "$work/cvr.json") bytes"
t=$(now); "$precinct" results ingest --data "$work/d" --county Cedar "$work/cvr.json" >/dev/null
echo "ingest (parse, check, round 1 by precinct, store): $(since "$t") s"
t=$(now); "$precinct" results publish --data "$work/d" >/dev/null
echo "publish (whole site; the RCV contest tabulated over the demo's CVRs and these): $(since "$t") s"
echo "stored: $(sqlite3 "$work/d/precinct.db" "SELECT length(data) FROM cvr_uploads WHERE county_id = (SELECT id FROM counties WHERE name = 'Cedar')") bytes"
for format in xml zip; do
  t=$(now); "$precinct" results ingest --data "$work/d" --county Cedar "$work/cvr.$format" >/dev/null
  echo "ingest of the same ballots as $format ($(stat -c %s "$work/cvr.$format") bytes): $(since "$t") s"
done
