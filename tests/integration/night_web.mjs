// Election night in the web pages against the real server: a county clerk
// uploads a returns file with a multipart form (accepted with its SHA-256,
// the same file again unchanged, a bad file rejected with its line and
// nothing stored, CSRF and county scope refused), a state admin switches a
// test election to live through the confirmation step (zero report shown),
// sets the poll-closing time, certifies a contest and publishes, which waits
// for a second state admin's approval (first live publication, then a change
// to the certified contest); every change left its audit entry.
import { createHash } from 'node:crypto';
import { Client, check, csrfFrom, makeInstance, run, serve } from './support.mjs';
import { totp } from '../browser/lib.mjs';

const source = process.env.PRECINCT_SOURCE;
if (!source) throw new Error('set PRECINCT_SOURCE to the source tree');

// Posts FIELDS (strings) and FILE {name, content} as multipart/form-data.
async function upload(client, path, fields, file) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file) form.append('returns', new Blob([file.content], { type: 'text/csv' }), file.name);
  const response = await fetch(client.base + path, { method: 'POST', headers: { Cookie: client.cookie }, body: form,
                                                     redirect: 'manual' });
  return { status: response.status, body: await response.text() };
}

// Signs in a state admin, enrolling an authenticator; returns the client.
async function adminSession(base, username, password) {
  const admin = new Client(base);
  let r = await admin.post('/login', { form: { username, password } });
  check(r.status === 303 && r.headers.get('location') === '/account/totp', `${username} sent to enrolment`);
  let page = await admin.get('/account/totp');
  page = await admin.post('/account/totp/begin', { form: { csrf_token: csrfFrom(page.body) } });
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.body)[1];
  r = await admin.post('/account/totp', { form: { csrf_token: csrfFrom(page.body), code: totp(secret) } });
  check(r.status === 303, `${username} enrolled (${r.status})`);
  return admin;
}

const uploadRows = (html) => (/<table id="uploads">[\s\S]*?<\/table>/.exec(html)?.[0].match(/<tr[ >]/g) || []).length - 1;

const instance = makeInstance();
const auditorPassword = /password: (\S+)/.exec(
  run('user', 'add', '--data', instance.dir, '--role', 'auditor', '--county', 'Alder', 'alder-auditor'))[1];
const admin2Password = /password: (\S+)/.exec(
  run('user', 'add', '--data', instance.dir, '--role', 'state_admin', 'admin2'))[1];
// A second election, in test mode, becomes the newest: the pages default to it.
run('elections', 'import', '--data', instance.dir, `${source}/tests/data/elections/csv-set`);
const server = await serve(instance.dir);
try {
  const anonymous = new Client(server.base);
  const auditStart = (await anonymous.get('/api/audit/checkpoint')).body.tree_size;
  check((await anonymous.get('/admin/counties/Alder/returns')).status === 401, 'returns page needs sign-in');

  const clerk = new Client(server.base);
  let r = await clerk.post('/login', { form: { username: 'alder-clerk', password: instance.passwords['alder-clerk'] } });
  check(r.status === 303, `clerk login (${r.status})`);
  let page = await clerk.get('/admin/counties/Alder/returns');
  check(page.status === 200 && page.body.includes('enctype="multipart/form-data"') && page.body.includes('2026-test'),
        `returns page with the upload form (${page.status})`);
  check(page.body.includes('href="/admin/counties/Alder/returns" aria-current="page"'), 'nav marks the Returns page');
  check(/id="precincts-reporting">0 of 2</.test(page.body), 'Alder reports 0 of 2 precincts of the test election');
  const csrf = csrfFrom(page.body);

  // A valid test-mode file.
  const header = 'precinct,contest,choice,counting_group,votes,ballots_cast\n';
  const good = `${header}A-1,gov,gov-a,election-day,5,10\nA-1,gov,gov-b,absentee-mail,3,\n`;
  const goodSha = createHash('sha256').update(good).digest('hex');
  r = await upload(clerk, '/admin/counties/Alder/returns', { csrf_token: csrf, election: '2026-test' },
                   { name: 'alder-night.csv', content: good });
  check(r.status === 201 && r.body.includes('Accepted as version 1') && r.body.includes(goodSha),
        `valid file accepted with its SHA-256 (${r.status})`);
  check(/id="precincts-reporting">1 of 2</.test(r.body), 'reporting status follows the upload');
  check(uploadRows(r.body) === 1 && r.body.includes('alder-clerk') && r.body.includes('alder-night.csv'),
        'the version is listed with its uploader and file');

  // The same file again: nothing written.
  r = await upload(clerk, '/admin/counties/Alder/returns', { csrf_token: csrf, election: '2026-test' },
                   { name: 'alder-night.csv', content: good });
  check(r.status === 200 && r.body.includes('Unchanged') && r.body.includes('version 1') && uploadRows(r.body) === 1,
        `re-upload is idempotent (${r.status})`);

  // A bad file: rejected whole, with its line; nothing stored.
  const bad = `${header}A-1,gov,gov-a,election-day,7,10\nB-1,gov,gov-a,election-day,1,10\n`;
  r = await upload(clerk, '/admin/counties/Alder/returns', { csrf_token: csrf, election: '2026-test' },
                   { name: 'bad.csv', content: bad });
  check(r.status === 400 && r.body.includes('id="upload-rejected"') && r.body.includes('line 3') &&
        r.body.includes('nothing was stored'), `bad file rejected with line 3 (${r.status})`);
  check(uploadRows(r.body) === 1 && /id="precincts-reporting">1 of 2</.test(r.body), 'nothing stored from the bad file');
  // No file chosen.
  r = await upload(clerk, '/admin/counties/Alder/returns', { csrf_token: csrf, election: '2026-test' },
                   { name: 'empty.csv', content: '' });
  check(r.status === 400 && r.body.includes('choose the returns file'), `empty upload refused (${r.status})`);

  // CSRF token missing, or another county: refused before any handler.
  r = await upload(clerk, '/admin/counties/Alder/returns', { election: '2026-test' }, { name: 'x.csv', content: good });
  check(r.status === 403, `multipart upload without the CSRF token is 403 (${r.status})`);
  r = await upload(clerk, '/admin/counties/Birch/returns', { csrf_token: csrf, election: '2026-test' },
                   { name: 'x.csv', content: good });
  check(r.status === 403, `clerk of Alder uploading for Birch is 403 (${r.status})`);
  check((await clerk.get('/admin/counties/Birch/returns')).status === 403, 'clerk of Alder cannot see Birch');
  check((await clerk.get('/admin/election-night')).status === 403, 'clerk cannot open election night');

  // An auditor of Alder sees the status but has no upload form and cannot upload.
  const auditor = new Client(server.base);
  r = await auditor.post('/login', { form: { username: 'alder-auditor', password: auditorPassword } });
  page = await auditor.get('/admin/counties/Alder/returns');
  check(page.status === 200 && !page.body.includes('multipart/form-data') && page.body.includes('alder-night.csv'),
        `auditor reads the returns page without the form (${page.status})`);
  r = await upload(auditor, '/admin/counties/Alder/returns', { csrf_token: csrfFrom(page.body), election: '2026-test' },
                   { name: 'x.csv', content: good });
  check(r.status === 403, `auditor upload refused (${r.status})`);

  // The state admin: test to live with the confirmation step.
  const admin = await adminSession(server.base, 'admin', instance.passwords.admin);
  page = await admin.get('/admin/election-night');
  check(page.status === 200 && page.body.includes('id="election-mode">TEST<') &&
        page.body.includes('href="/admin/election-night/2026-test/live"'), `election night in test mode (${page.status})`);
  check((await admin.get('/admin/election-night?election=no-such')).status === 404, 'unknown election is 404');
  check((await clerk.get('/admin/counties/Alder/returns?election=no-such')).status === 404, 'unknown election on Returns is 404');
  page = await admin.get('/admin/election-night/2026-test/live');
  check(page.status === 200 && page.body.includes('cannot be undone'), 'confirmation page');
  const adminCsrf = csrfFrom(page.body);
  r = await admin.post('/admin/election-night/2026-test/live', { form: { csrf_token: adminCsrf } });
  check(r.status === 400 && r.body.includes('tick the confirmation box') && r.body.includes('>TEST<'),
        `no switch without confirmation (${r.status})`);
  r = await admin.post('/admin/election-night/2026-test/live', { form: { csrf_token: adminCsrf, confirm: 'yes' } });
  check(r.status === 200 && r.body.includes('id="zero-report"') && r.body.includes('RESULT: ALL ZERO') &&
        r.body.includes('Total votes: 0 ') && r.body.includes('id="election-mode">LIVE<'), `switched to live (${r.status})`);
  r = await admin.post('/admin/election-night/2026-test/live', { form: { csrf_token: adminCsrf, confirm: 'yes' } });
  check(r.status === 409 && r.body.includes('cannot go back to test'), `second switch refused (${r.status})`);
  page = await clerk.get('/admin/counties/Alder/returns?election=2026-test');
  check(page.body.includes('<td>cleared</td>') && /id="precincts-reporting">0 of 2</.test(page.body),
        'the test upload was cleared by the switch');

  // Live returns, poll closing, certification.
  r = await upload(clerk, '/admin/counties/Alder/returns', { csrf_token: csrf, election: '2026-test' },
                   { name: 'alder-live.csv', content: good });
  check(r.status === 201 && r.body.includes('current live returns'), `live upload accepted (${r.status})`);
  r = await admin.post('/admin/election-night/2026-test/poll-close', { form: { csrf_token: adminCsrf, poll_close_at: 'tonight' } });
  check(r.status === 400 && r.body.includes('RFC 3339'), `bad poll-closing time refused (${r.status})`);
  r = await admin.post('/admin/election-night/2026-test/poll-close',
                       { form: { csrf_token: adminCsrf, poll_close_at: '2026-01-01T19:30:00-05:00' } });
  check(r.status === 200 && r.body.includes('value="2026-01-02T00:30:00Z"'), `poll-closing time saved in UTC (${r.status})`);
  r = await admin.post('/admin/election-night/2026-test/certify', { form: { csrf_token: adminCsrf, contest: 'q1', certified: '1' } });
  check(r.status === 200 && r.body.includes('Contest q1 is certified.'), `contest certified (${r.status})`);

  // Publish: the first live publication waits for a second admin.
  r = await admin.post('/admin/election-night/2026-test/publish', { form: { csrf_token: adminCsrf } });
  const request = /Request (\d+) is pending/.exec(r.body)?.[1];
  check(r.status === 200 && request && r.body.includes('needs a second state admin') &&
        r.body.includes('Waiting for another state admin'), `publish waits for approval (${r.status})`);
  r = await admin.post(`/admin/election-night/approvals/${request}/approve`, { form: { csrf_token: adminCsrf, election: '2026-test' } });
  check(r.status === 403 && r.body.includes('a different admin must approve'), `requester cannot approve (${r.status})`);
  const admin2 = await adminSession(server.base, 'admin2', admin2Password);
  page = await admin2.get('/admin/election-night?election=2026-test');
  check(page.body.includes(`action="/admin/election-night/approvals/${request}/approve"`), 'second admin sees Approve');
  r = await admin2.post(`/admin/election-night/approvals/${request}/approve`,
                        { form: { csrf_token: csrfFrom(page.body), election: '2026-test' } });
  check(r.status === 200 && r.body.includes('Published publication 1') &&
        /<th scope="row">1 <span class="badge">current<\/span><\/th><td>live<\/td><td>[^<]+<\/td><td>admin2<\/td><td>admin2<\/td>/.test(r.body),
        `second admin approved and published (${r.status})`);
  r = await admin.post('/admin/election-night/2026-test/publish', { form: { csrf_token: adminCsrf } });
  check(r.status === 200 && r.body.includes('Unchanged: publication 1'), `publishing again changes nothing (${r.status})`);
  // New counts that leave certified q1 alone publish at once; a change to q1 waits for a second admin.
  r = await upload(clerk, '/admin/counties/Alder/returns', { csrf_token: csrf, election: '2026-test' },
                   { name: 'alder-2.csv', content: good.replace(',5,10', ',6,10') });
  check(r.status === 201 && r.body.includes('Accepted as version 2'), `second live version (${r.status})`);
  r = await admin.post('/admin/election-night/2026-test/publish', { form: { csrf_token: adminCsrf } });
  check(r.status === 200 && r.body.includes('Published publication 2'), `publication 2 needs no approval (${r.status})`);
  r = await upload(clerk, '/admin/counties/Alder/returns', { csrf_token: csrf, election: '2026-test' },
                   { name: 'alder-3.csv', content: `${good.replace(',5,10', ',6,10')}A-1,q1,q1-yes,election-day,6,\n` });
  check(r.status === 201 && r.body.includes('Accepted as version 3'), `third live version (${r.status})`);
  r = await admin.post('/admin/election-night/2026-test/publish', { form: { csrf_token: adminCsrf } });
  check(r.status === 200 && r.body.includes('changes certified contest') && /Request \d+ is pending/.test(r.body),
        `a change to a certified contest waits for approval (${r.status})`);

  // Every change above is in the audit log, by the signed-in user.
  const entries = [];
  for (let after = auditStart; after !== null;) {
    const body = (await admin.get(`/api/audit/entries?after=${after}&limit=1000`)).body;
    entries.push(...body.entries);
    after = body.next_after;
  }
  const did = (actor, action) => entries.some((e) => e.actor === actor && e.action === action);
  for (const [actor, action] of [['alder-clerk', 'results.upload'], ['admin', 'election.go_live'],
    ['admin', 'results.clear_test'], ['admin', 'election.poll_close'], ['admin', 'contest.certify'],
    ['admin', 'results.publish_request'], ['admin2', 'results.approval_approved'], ['admin2', 'results.publish']])
    check(did(actor, action), `audit entry ${action} by ${actor}`);
  check(entries.filter((e) => e.action === 'results.upload').length === 4, 'four versions stored (one test, three live), no more');
} finally {
  await server.stop();
  instance.remove();
}
console.log('night_web: ok');
