#!/bin/sh
# Cast vote records in CDF XML and as a Dominion .zip through the CLI,
# unchanged `precinct results ingest`: the Unisyn XML report and RCTab's San
# Francisco multi-file Dominion export (zipped here) for elections defined to
# match them; accepted as cast vote records, the same file again unchanged, a
# damaged zip and a zip entry's unknown candidate refused naming the file and
# entry, and the audit log verifies.
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
rctab="$PRECINCT_SOURCE/tests/data/rctab"
data="$work/instance"
expect_exit 0 "$PRECINCT" init --data "$data" --state "Demo State"
expect_exit 0 "$PRECINCT" demo --data "$data" --precincts 12

# Two definitions (counties from the demo): the XML report's eight contests
# and precincts, and the Dominion export's ranked contests and precinct
# portions (one candidate left out of a copy, to be refused).
python3 - "$rctab" "$work" <<'PY'
import csv, json, os, re, sys, zipfile
rctab, work = sys.argv[1], sys.argv[2]
def write(folder, name, rows):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
def election(folder, code):
    write(folder, "election.csv", [["code", "name", "date", "type", "jurisdiction", "poll_close_at"],
                                   [code, code, "2026-11-03", "general", "Demo State", "2026-11-04T01:00:00Z"]])
xml = open(rctab + "/unisyn_cvrs/101-RCV-CVT_TEST_3_UNIOVS2103-2.xml").read()
names = {m.group(1): m.group(2) for m in re.finditer(r'<Candidate ObjectId="([^"]+)">\s*<Name>([^<]+)</Name>', xml)}
contests, choices, styles = [["code", "name", "kind", "district", "vote_for"]], [["contest", "code", "name", "party", "write_in"]], [["ballot_style", "contest"]]
for n, block in enumerate(re.findall(r'<Contest xsi:type="(?:Candidate|BallotMeasure)Contest".*?</Contest>', xml, re.S)):
    code, name = f"x{n}", re.search(r"<Name>([^<]+)</Name>\s*(?:<VotesAllowed>|</Contest>)", block).group(1)
    contests.append([code, name, "measure" if "Question" in name else "rcv", "state", "1"])
    styles.append(["S1", code])
    ids = re.findall(r"<(?:CandidateIds|Selection)>([^<]+)<", block)
    for k, cid in enumerate(ids):
        if cid.startswith("WI_"):
            if not any(c[0] == code and c[4] == "1" for c in choices[1:]):
                choices.append([code, f"{code}-w", "Write-in", "", "1"])
        else:
            choices.append([code, f"{code}-{k}", names[cid], "", ""])
units = re.findall(r"<GpUnit ObjectId=\"[^\"]+\">\s*<Name>([^<]+)</Name>", xml)
folder = work + "/def-xml"
election(folder, "2026-xml")
write(folder, "precincts.csv", [["code", "name", "county", "ballot_style", "registered_voters"]] +
      [[f"u-{i}", u, "Alder", "S1", "100"] for i, u in enumerate(units)])
write(folder, "contests.csv", contests)
write(folder, "choices.csv", choices)
write(folder, "ballot_styles.csv", styles)
src = rctab + "/dominion_multi_file/dominion_multi_file_input_data"
load = lambda name: json.load(open(f"{src}/{name}"))["List"]
for variant, leave_out in (("def-sf", None), ("def-sf-short", 28)):
    folder = f"{work}/{variant}"
    election(folder, "2026-sf" if leave_out is None else "2026-sf-short")
    write(folder, "precincts.csv", [["code", "name", "county", "ballot_style", "registered_voters"]] +
          [[f"pp-{p['Id']}", p["Description"], "Alder", "S1", "1000"] for p in load("PrecinctPortionManifest.json")])
    contests, choices, styles = [["code", "name", "kind", "district", "vote_for"]], [["contest", "code", "name", "party", "write_in"]], [["ballot_style", "contest"]]
    for c in load("ContestManifest.json"):
        if c["NumOfRanks"] <= 0: continue
        contests.append([f"d{c['Id']}", c["Description"], "rcv", "state", "1"])
        styles.append(["S1", f"d{c['Id']}"])
        for k in load("CandidateManifest.json"):
            if k["ContestId"] == c["Id"] and k["Id"] != leave_out:
                choices.append([f"d{c['Id']}", f"k{k['Id']}", k["Description"], "", "1" if k["Type"] == "WriteIn" else ""])
    write(folder, "contests.csv", contests)
    write(folder, "choices.csv", choices)
    write(folder, "ballot_styles.csv", styles)
with zipfile.ZipFile(work + "/sf.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        z.write(f"{src}/{name}", "export/" + name)
data = open(work + "/sf.zip", "rb").read()
open(work + "/sf-cut.zip", "wb").write(data[:-100])
PY
for def in def-xml def-sf def-sf-short; do
  expect_exit 0 "$PRECINCT" elections import --data "$data" "$work/$def"
done

cp "$rctab/unisyn_cvrs/101-RCV-CVT_TEST_3_UNIOVS2103-2.xml" "$work/alder.xml"
expect_exit 0 "$PRECINCT" results ingest --data "$data" --election 2026-xml --county Alder "$work/alder.xml"
# 35 ballots in one precinct, each holding 7 ranked-choice contests: 245
# contest ballots (this line read "245 ballots in 7 precincts" before).
grep -q "Accepted test cast vote records for Alder County: version 1, 7 ranked-choice contests, 245 contest ballots (a ballot counts once in each contest it holds) in 1 precincts" "$work/out" \
  || fail "XML accepted: $(cat "$work/out")"
expect_exit 0 "$PRECINCT" results ingest --data "$data" --election 2026-xml --county Alder "$work/alder.xml"
grep -q "Unchanged: .* Alder County's current test cast vote records (version 1)" "$work/out" || fail "XML unchanged"

expect_exit 0 "$PRECINCT" results ingest --data "$data" --election 2026-sf --county Alder "$work/sf.zip"
grep -q "Accepted test cast vote records for Alder County: version 1, 6 ranked-choice contests, 110 contest ballots .* in 87 precincts" "$work/out" \
  || fail "zip accepted: $(cat "$work/out")"
expect_exit 0 "$PRECINCT" results ingest --data "$data" --election 2026-sf --county Alder "$work/sf.zip"
grep -q "Unchanged: .* Alder County's current test cast vote records (version 1)" "$work/out" || fail "zip unchanged"
expect_exit 1 "$PRECINCT" results ingest --data "$data" --election 2026-sf --county Alder "$work/sf-cut.zip"
grep -q "sf-cut.zip: not a readable zip" "$work/err" || fail "cut zip: $(cat "$work/err")"
expect_exit 1 "$PRECINCT" results ingest --data "$data" --election 2026-sf-short --county Alder "$work/sf.zip"
grep -q "sf.zip/export/CandidateManifest.json: field 'List\[64\].Description': candidate \"DANNY SAUTER\" (Id 28) is not a choice of contest \"d13\"" \
  "$work/err" || fail "unknown candidate: $(cat "$work/err")"
expect_exit 0 "$PRECINCT" audit verify --data "$data"
echo "ok"
