// Cast vote records through the county Returns page (multipart upload,
// binary file part): a county clerk uploads a Dominion export as one .zip
// (accepted as cast vote records of the ranked-choice Mayor, the same zip
// again unchanged), a zip with a ballot of another county's precinct
// (refused naming the zip entry, session and field; nothing stored) and a
// CDF XML report (accepted as the next version).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, check, csrfFrom, makeInstance, run, serve } from './support.mjs';

const source = process.env.PRECINCT_SOURCE;
if (!source) throw new Error('set PRECINCT_SOURCE to the source tree');

async function upload(client, path, fields, file) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('returns', new Blob([file.content], { type: 'application/octet-stream' }), file.name);
  const response = await fetch(client.base + path, { method: 'POST', headers: { Cookie: client.cookie }, body: form,
                                                     redirect: 'manual' });
  return { status: response.status, body: await response.text() };
}

// A Dominion export (Mayor ranked, candidates 1-3, portions A-1 and B-1)
// zipped by Python's zipfile; PORTIONS gives each session's portion id.
const work = mkdtempSync(join(tmpdir(), 'precinct-cvr-web-'));
function dominionZip(name, portions) {
  const script = `
import json, sys, zipfile
portions = json.loads(sys.argv[2])
rankings = [[1, 2], [2], [3, 1]]
sessions = [{"TabulatorId": 1, "BatchId": 1, "RecordId": n + 1, "Original": {"PrecinctPortionId": p, "IsCurrent": True,
             "Cards": [{"Id": n, "Contests": [{"Id": 7, "Marks": [{"CandidateId": c, "Rank": r + 1, "IsAmbiguous": False}
             for r, c in enumerate(rankings[n % 3])]}]}]}} for n, p in enumerate(portions)]
files = {"ContestManifest.json": {"List": [{"Description": "MAYOR", "Id": 7, "NumOfRanks": 3}]},
         "CandidateManifest.json": {"List": [{"Description": d, "Id": i + 1, "ContestId": 7, "Type": "Regular"}
                                             for i, d in enumerate(["Fay Fox", "Gus Gray", "Hal Hunt"])]},
         "PrecinctPortionManifest.json": {"List": [{"Description": "A-1", "Id": 1}, {"Description": "B-1", "Id": 2}]},
         "CvrExport.json": {"Version": "5.10", "Sessions": sessions}}
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for n, data in files.items():
        z.writestr(n, json.dumps(data))
`;
  const path = join(work, name);
  const result = spawnSync('python3', ['-c', script, path, JSON.stringify(portions)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return readFileSync(path);
}

const xml = `<?xml version="1.0" encoding="UTF-8"?>
<CastVoteRecordReport xmlns="http://itl.nist.gov/ns/voting/1500-103/v1">
  <CVR><BallotStyleUnitId>g1</BallotStyleUnitId><CurrentSnapshotId>s1</CurrentSnapshotId>
    <CVRSnapshot ObjectId="s1"><CVRContest><ContestId>k1</ContestId>
      <CVRContestSelection><ContestSelectionId>cs2</ContestSelectionId>
        <SelectionPosition><HasIndication>yes</HasIndication><NumberVotes>1</NumberVotes><Rank>1</Rank></SelectionPosition>
      </CVRContestSelection></CVRContest></CVRSnapshot></CVR>
  <Election ObjectId="e1">
    <Candidate ObjectId="c1"><Name>Fay Fox</Name></Candidate><Candidate ObjectId="c2"><Name>Gus Gray</Name></Candidate>
    <Contest ObjectId="k1"><ContestSelection ObjectId="cs1"><CandidateIds>c1</CandidateIds></ContestSelection>
      <ContestSelection ObjectId="cs2"><CandidateIds>c2</CandidateIds></ContestSelection><Name>Mayor</Name></Contest>
  </Election>
  <GpUnit ObjectId="g1"><Name>A-2</Name><Type>precinct</Type></GpUnit>
</CastVoteRecordReport>
`;

const instance = makeInstance();
run('elections', 'import', '--data', instance.dir, `${source}/tests/data/elections/csv-set`);
const server = await serve(instance.dir);
try {
  const clerk = new Client(server.base);
  let r = await clerk.post('/login', { form: { username: 'alder-clerk', password: instance.passwords['alder-clerk'] } });
  check(r.status === 303, `clerk login (${r.status})`);
  const page = await clerk.get('/admin/counties/Alder/returns');
  check(page.status === 200 && page.body.includes('Dominion export zipped into one .zip'), 'the form names the CVR formats');
  const csrf = csrfFrom(page.body);
  const fields = { csrf_token: csrf, election: '2026-test' };
  const good = dominionZip('alder.zip', [1, 1, 1, 1]);
  r = await upload(clerk, '/admin/counties/Alder/returns', fields, { name: 'alder.zip', content: good });
  check(r.status === 201 && r.body.includes("(dominion-zip) is now Alder County's current test cast vote records") &&
        r.body.includes('4 ballots in 1 precincts'), `zip accepted (${r.status}): ${r.body.replace(/[\s\S]*<div class="notice/, "").slice(0, 600)}`);
  r = await upload(clerk, '/admin/counties/Alder/returns', fields, { name: 'alder.zip', content: good });
  check(r.status === 200 && r.body.includes('Unchanged'), `the same zip again is unchanged (${r.status})`);
  const bad = dominionZip('bad.zip', [1, 1, 2]);
  r = await upload(clerk, '/admin/counties/Alder/returns', fields, { name: 'bad.zip', content: bad });
  check(r.status === 400 && r.body.includes('id="upload-rejected"') && r.body.includes('<strong>bad.zip/CvrExport.json</strong>') &&
        r.body.includes('line 3') && r.body.includes('<code>PrecinctPortionId</code>') &&
        r.body.includes('precinct &quot;B-1&quot; is in Birch County, not Alder County'), `zip with a Birch ballot refused (${r.status})`);
  r = await upload(clerk, '/admin/counties/Alder/returns', fields, { name: 'alder.xml', content: xml });
  check(r.status === 201 && r.body.includes('Accepted as version 2') && r.body.includes('(cdf-cvr-xml)'),
        `CDF XML accepted as version 2 (${r.status})`);
  const status = run('results', 'status', '--data', instance.dir, '--election', '2026-test');
  check(/Cast vote records: Alder County, contest .*, version 2: 1 ballots in 1 precincts/.test(status),
        `status shows the XML version: ${status}`);
  console.log('ok');
} finally {
  server.stop();
  instance.remove();
  rmSync(work, { recursive: true, force: true });
}
