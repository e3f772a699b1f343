// Election definition pages against the real server: a state admin (TOTP
// enrolled over HTTP) builds an election from nothing through the forms,
// sees field-named errors with the input kept, downloads it as ERR JSON
// (valid against the NIST schema) and cannot delete what has returns;
// the live demo election refuses definition changes but takes a new
// poll-closing time; a county admin edits polling places of their own
// county only; `precinct audit verify` passes at the end.
import { Client, check, csrfFrom, makeInstance, run, serve } from './support.mjs';
import { totp } from '../browser/lib.mjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Signs USERNAME in and enrols an authenticator; returns the client.
async function signInWithTotp(base, username, password) {
  const client = new Client(base);
  let r = await client.post('/login', { form: { username, password } });
  check(r.status === 303 && r.headers.get('location') === '/account/totp', `${username} sent to enrolment`);
  let page = await client.get('/account/totp');
  page = await client.post('/account/totp/begin', { form: { csrf_token: csrfFrom(page.body) } });
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.body)[1];
  r = await client.post('/account/totp', { form: { csrf_token: csrfFrom(page.body), code: totp(secret) } });
  check(r.status === 303, `${username} enrolled (${r.status})`);
  return client;
}

// Posts FORM to PATH with the CSRF token; returns the response.
async function submit(client, path, form) {
  const page = await client.get('/admin/elections');
  return client.post(path, { form: { csrf_token: csrfFrom(page.body), ...form } });
}

function idFrom(location, pattern) {
  const match = pattern.exec(location || '');
  check(match, `location ${location} matches ${pattern}`);
  return match[1];
}

const instance = makeInstance();
const server = await serve(instance.dir);
try {
  const admin = await signInWithTotp(server.base, 'admin', instance.passwords.admin);
  let page = await admin.get('/admin/elections');
  check(page.status === 200 && page.body.includes('2026 General Election'), 'the demo election is listed');
  check(page.body.includes('href="/admin/elections" aria-current="page">Elections<'), 'Elections nav entry, current');

  // A bad date: 400, the error names the field, the input is kept.
  let r = await submit(admin, '/admin/elections', { name: 'Spring <Special>', date: '04/07/2027', type: 'special', jurisdiction: 'Demo', poll_close_at: '' });
  check(r.status === 400, `bad date is 400 (${r.status})`);
  check(/id="f-date-error">Error: expected a date as YYYY-MM-DD, got &quot;04\/07\/2027&quot;/.test(r.body), 'date error shown on the field');
  check(r.body.includes('value="Spring &lt;Special&gt;"') && r.body.includes('value="04/07/2027"'), 'input kept, escaped');
  check(r.body.includes('aria-describedby="f-date-hint f-date-error"') && r.body.includes('aria-invalid="true"'), 'error tied to the field');

  r = await submit(admin, '/admin/elections', { name: 'Spring Special', date: '2027-04-07', type: 'special', jurisdiction: 'Demo', poll_close_at: '2027-04-07T20:00:00-05:00' });
  check(r.status === 303, `election created (${r.status})`);
  const election = idFrom(r.headers.get('location'), /^\/admin\/elections\/(\d+)\?notice=added$/);
  const base = `/admin/elections/${election}`;
  page = await admin.get(`${base}?notice=added`);
  check(page.body.includes('Added.') && page.body.includes('Not complete yet: no precincts yet'), 'overview says what is missing');
  check(page.body.includes('2027-04-08T01:00:00Z'), 'poll-closing time stored in UTC');

  r = await submit(admin, `${base}/parties`, { name: 'Green Party', abbreviation: 'GRN' });
  check(r.status === 303, `party added (${r.status})`);
  page = await admin.get(`${base}/parties`);
  const party = idFrom(page.body, /href="\/admin\/elections\/\d+\/parties\/(\d+)">Green Party</);

  // A boundary that is not a closed ring: the precinct is refused, the text kept.
  const open = '{"type":"Polygon","coordinates":[[[-80,35],[-79,35],[-79,36],[-80,36]]]}';
  r = await submit(admin, `${base}/precincts`, { name: 'Alder East', county: 'Alder', ballot_style: '', registered_voters: '1200', boundary: open });
  check(r.status === 400 && r.body.includes('id="f-boundary-error">Error: a ring must end where it starts'), 'open ring refused on the boundary field');
  check(r.body.includes('[-80,36]]]}</textarea>'), 'boundary text kept');
  const closed = open.replace(']]]}', '],[-80,35]]]}');
  r = await submit(admin, `${base}/precincts`, { name: 'Alder East', county: 'Alder', ballot_style: '', registered_voters: '1200', boundary: closed });
  check(r.status === 303, `precinct added (${r.status}) ${(/Error: [^<]*/.exec(r.body) || [""])[0]}`);
  page = await admin.get(`${base}/precincts`);
  const precinct = idFrom(page.body, /href="\/admin\/elections\/\d+\/precincts\/(\d+)">Alder East</);

  page = await admin.get(`${base}/contests`);
  const alder = idFrom(page.body, /<option value="([^"]+)">Alder County</);
  r = await submit(admin, `${base}/contests`, { name: 'Mayor', kind: 'candidate', district: alder, vote_for: '1', candidate: '' });
  const contest = idFrom(r.headers.get('location'), /\/contests\/(\d+)\?notice=added$/);
  r = await submit(admin, `${base}/contests`, { name: 'Question 1', kind: 'measure', district: 'state', vote_for: '2', candidate: '' });
  check(r.status === 400 && r.body.includes('id="f-vote_for-error">Error: only candidate contests may have vote for more than 1'), 'vote-for error on the field');
  for (const [name, extra] of [['Ann Avery', { party }], ['Bo Brown', {}], ['Write-in', { write_in: '1' }]]) {
    r = await submit(admin, `${base}/contests/${contest}/choices`, { name, party: '', ...extra });
    check(r.status === 303 && r.headers.get('location') === `${base}/contests/${contest}?notice=added`, `candidate ${name} added`);
  }
  page = await admin.get(`${base}/contests/${contest}`);
  const bo = idFrom(page.body, /choices\/(\d+)">Bo Brown</);
  r = await submit(admin, `${base}/contests/${contest}/choices/${bo}/move-up`, {});
  check(r.status === 303, 'candidate moved up');
  page = await admin.get(`${base}/contests/${contest}`);
  check(page.body.indexOf('>Bo Brown<') < page.body.indexOf('>Ann Avery<'), 'Bo Brown now first');
  r = await submit(admin, `${base}/ballot-styles`, { code: 'style-east', contest, precinct });
  check(r.status === 303, `ballot style added (${r.status})`);
  page = await admin.get(base);
  check(!page.body.includes('Not complete yet'), 'the election is complete');

  // ERR JSON download of what the forms built.
  r = await admin.get(`${base}/export.json`);
  check(r.status === 200 && /attachment; filename="election-\d+-err.json"/.test(r.headers.get('content-disposition')), 'ERR download');
  const report = r.body.Election[0];
  check(report.Contest.length === 1 && report.Contest[0].ContestSelection.length === 3, 'contest with 3 selections exported');
  check(report.Candidate.map((c) => c.BallotName.Text[0].Content).join() === 'Ann Avery,Bo Brown', 'candidates exported');
  check(r.body.Party[0].Name.Text[0].Content === 'Green Party', 'party exported');
  const exported = join(instance.dir, '..', 'web-built.json');
  writeFileSync(exported, JSON.stringify(r.body));
  const here = fileURLToPath(new URL('.', import.meta.url));
  const schema = join(here, '..', 'data', 'nist', 'NIST_V2_election_results_reporting.json');
  const valid = execFileSync('python3', [join(here, 'err_validate.py'), schema, exported], { encoding: 'utf8' });
  check(valid.includes('valid NIST SP 1500-100 ERR'), `the web-built definition validates: ${valid}`);

  // Returns for Ann Avery (test mode): she can no longer be deleted.
  const codes = Object.fromEntries(report.Contest[0].ContestSelection.map((c) => [c.CandidateIds ? c.CandidateIds[0] : 'w', c['@id']]));
  const annChoice = codes[report.Candidate.find((c) => c.BallotName.Text[0].Content === 'Ann Avery')['@id']];
  const returns = join(instance.dir, '..', 'alder.csv');
  const precinctCode = r.body.GpUnit.find((u) => u.Type === 'precinct' && u.Name.Text[0].Content === 'Alder East')['@id'];
  writeFileSync(returns, 'precinct,contest,choice,counting_group,votes,ballots_cast,registered_voters\n' +
                         `${precinctCode},${report.Contest[0]['@id']},${annChoice},election-day,40,90,1200\n`);
  run('results', 'ingest', '--data', instance.dir, '--county', 'Alder', '--election', election, returns);
  page = await admin.get(`${base}/contests/${contest}`);
  const ann = idFrom(page.body, /choices\/(\d+)">Ann Avery</);
  r = await submit(admin, `${base}/contests/${contest}/choices/${ann}/delete`, {});
  check(r.status === 409 && r.body.includes('Not changed: the choice has returns or published results'), `candidate with returns kept (${r.status})`);
  r = await submit(admin, `${base}/precincts/${precinct}/delete`, {});
  check(r.status === 409 && r.body.includes('Not changed: the precinct has returns'), 'precinct with returns kept');
  r = await submit(admin, `${base}/contests/${contest}/choices/${ann}`, { name: 'Ann B. Avery', party });
  check(r.status === 303, 'a candidate with returns may still be renamed');

  // The live demo election: definition frozen, poll-closing time and polling places open.
  page = await admin.get('/admin/elections/1/contests');
  check(page.body.includes('This election is live') && !page.body.includes('Add contest'), 'no add form once live');
  const demoContest = idFrom(page.body, /href="\/admin\/elections\/1\/contests\/(\d+)"/);
  page = await admin.get(`/admin/elections/1/contests/${demoContest}`);
  check(!page.body.includes('Delete this contest') && page.body.includes('<dl class="el-details">'), 'read-only contest once live');
  r = await submit(admin, `/admin/elections/1/contests/${demoContest}/delete`, {});
  check(r.status === 409 && r.body.includes('Not changed: the election is live'), `live contest delete refused (${r.status})`);
  r = await submit(admin, '/admin/elections/1/parties', { name: 'Late Party' });
  check(r.status === 409, 'no new party once live');
  const details = { name: '2026 General Election', date: '', type: 'general', jurisdiction: '', poll_close_at: '2030-01-01T00:00:00Z' };
  page = await admin.get('/admin/elections/1');
  details.date = /id="f-date" name="date" type="date" value="([^"]+)"/.exec(page.body)[1];
  details.jurisdiction = /id="f-jurisdiction" name="jurisdiction" type="text" value="([^"]+)"/.exec(page.body)[1];
  r = await submit(admin, '/admin/elections/1', { ...details, name: 'Renamed' });
  check(r.status === 409 && r.body.includes('only its poll-closing time and polling places may change'), 'live rename refused');
  r = await submit(admin, '/admin/elections/1', details);
  check(r.status === 303, `live poll-closing time changed (${r.status})`);
  check(run('elections', 'list', '--data', instance.dir).includes('2030-01-01T00:00:00Z'), 'new poll-closing time stored');

  // A county admin: polling places of their own county, nothing else.
  const county = await signInWithTotp(server.base, 'alder-admin', instance.passwords['alder-admin']);
  page = await county.get('/admin/elections/1');
  check(page.status === 200 && page.body.includes('/admin/elections/1/counties/Alder/polling-places') &&
        !page.body.includes('/counties/Birch/polling-places') && !page.body.includes('Election details'), 'county admin overview');
  check((await county.get('/admin/elections/1/counties/Birch/polling-places')).status === 403, 'other county refused');
  page = await county.get(`${base}/contests`);
  check(page.status === 200 && page.body.includes('Mayor') && !page.body.includes('Add contest'), 'contests read-only for a county admin');
  page = await county.get(`${base}/contests/${contest}`);
  check(!page.body.includes('Add candidate') && !page.body.includes('Delete this contest'), 'contest page read-only for a county admin');
  page = await county.get('/admin/elections/1/counties/Alder/polling-places');
  check(page.status === 200 && page.body.includes('Add polling place'), 'own county polling places');
  const alderPrecinct = idFrom(page.body, /<option value="(\d+)">/);
  r = await county.post('/admin/elections/1/counties/Alder/polling-places', { form: { csrf_token: csrfFrom(page.body), name: 'Fire Hall', address: '9 Oak St', precinct: alderPrecinct } });
  check(r.status === 303, `county admin adds a polling place on a live election (${r.status})`);
  r = await county.post('/admin/elections/1/parties', { form: { csrf_token: csrfFrom(page.body), name: 'Mine' } });
  check(r.status === 403, 'county admin may not add parties');
  const birchPlaces = await admin.get('/admin/elections/1/counties/Birch/polling-places');
  const birchPlace = idFrom(birchPlaces.body, /polling-places\/(\d+)"/);
  r = await county.post(`/admin/elections/1/counties/Alder/polling-places/${birchPlace}/delete`, { form: { csrf_token: csrfFrom(page.body) } });
  check(r.status === 404, `a Birch polling place is not found under Alder (${r.status})`);

  const verify = run('audit', 'verify', '--data', instance.dir);
  check(/ok|verified/i.test(verify), `audit verify passes: ${verify}`);
} finally {
  await server.stop();
  instance.remove();
}
console.log('ok');
