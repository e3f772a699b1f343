// Voter admin pages against the real server (issue 5): search (name prefix
// with pages, voter number, precinct, status alone refused), detail with
// audit trail, registration (per-field errors, input kept, identity fields
// never written back), every edit form, a move to another county, list
// maintenance (preview as clerk, execute/undo only as a TOTP-verified
// admin, the 90-day refusal), county scope (403 / 404) and CSRF. Every page
// body fetched is checked for birth dates, the licence and the SSN digits.
import { Client, backend, check, csrfFrom, makeInstance, run, serve } from './support.mjs';
import { totp } from '../browser/lib.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const instance = makeInstance();
const roll = join(instance.dir, '..', 'roll.tsv');
run('voters', 'generate', '--data', instance.dir, '--count', '3000', '--seed', '11', '--dup-rate', '0', '--out', roll, '--quiet');
run('voters', 'import', '--data', instance.dir, '--quiet', roll);
const [header, ...rows] = readFileSync(roll, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const col = (name) => header.indexOf(name);
const voters = rows.map((f) => ({ ncid: f[col('ncid')], county: f[col('county_desc')], last: f[col('last_name')],
                                  first: f[col('first_name')], birth: f[col('birth_date')], precinct: f[col('precinct_abbrv')] }));
const alder = voters.filter((v) => v.county === 'ALDER');
const birch = voters.filter((v) => v.county === 'BIRCH');
const secrets = { birth: '1990-04-17', licence: 'NC7654321', ssn: '6789' };

// Every body goes through here: no birth date (ISO or NC form) of a voter
// the page names, nor the registrant's birth date, licence or SSN digits.
const bodies = [];
const birthOf = new Map(voters.map((v) => [v.ncid, v.birth]));
function remember(response) { if (typeof response.body === 'string') bodies.push(response.body); return response; }
function checkNoIdentity() {
  check(bodies.length > 30, `pages checked (${bodies.length})`);
  let named = 0;
  for (const body of bodies) {
    const text = body.replace(/<code[^>]*>[0-9a-f]*<\/code>/g, '');
    for (const [ncid] of text.matchAll(/[A-Z]{2}\d{6}/g)) {
      const birth = birthOf.get(ncid);
      if (!birth) continue;
      named++;
      const nc = `${birth.slice(5, 7)}/${birth.slice(8, 10)}/${birth.slice(0, 4)}`;
      check(!text.includes(birth) && !text.includes(nc), `birth date of ${ncid} on a page`);
    }
    const registrant = `${secrets.birth.slice(5, 7)}/${secrets.birth.slice(8, 10)}/${secrets.birth.slice(0, 4)}`;
    check(!text.includes(secrets.birth) && !text.includes(registrant), "registrant's birth date on a page");
    check(!text.includes(secrets.licence) && !/\b6789\b/.test(text), 'licence or SSN digits on a page');
  }
  check(named > 50, `voters named on the pages checked (${named})`);
}

// Instance settings are not editable from the CLI: write the row directly.
function setSetting(name, value) {
  const conf = readFileSync(join(instance.dir, 'precinct.conf'), 'utf8');
  const url = (/^url = (.+)$/m.exec(conf) || [])[1];
  const sql = `INSERT INTO instance_settings (name, value) VALUES ('${name}', '${value}')`;
  if (backend === 'postgres') execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql]);
  else execFileSync('sqlite3', [join(instance.dir, 'precinct.db'), sql]);
}

// The federal general election on or after TODAY (YYYY-MM-DD): the Tuesday
// after the first Monday in November of an even year (2 U.S.C. 7).
function nextFederalGeneral(today) {
  const general = (year) => {
    const firstMonday = 1 + (8 - new Date(Date.UTC(year, 10, 1)).getUTCDay()) % 7;
    return `${year}-11-${String(firstMonday + 1).padStart(2, '0')}`;
  };
  let year = Number(today.slice(0, 4));
  if (year % 2) year += 1;
  return general(year) < today ? general(year + 2) : general(year);
}

const server = await serve(instance.dir);
try {
  const clerk = new Client(server.base);
  const get = async (path) => remember(await clerk.get(path));
  const post = async (path, form) => remember(await clerk.post(path, { form }));
  check((await clerk.post('/login', { form: { username: 'alder-clerk', password: instance.passwords['alder-clerk'] } })).status === 303, 'clerk login');

  // Nav and county picker.
  let r = await get('/admin');
  check(r.body.includes('href="/admin/voters"'), 'Voters in the navigation');
  r = await clerk.get('/admin/voters');
  check(r.status === 303 && r.headers.get('location') === '/admin/counties/Alder/voters', 'clerk sent to own county');

  // Search by last-name prefix, two pages.
  const base = '/admin/counties/Alder/voters';
  const prefix = alder[0].last.slice(0, 1);
  r = await get(`${base}?last_name=${prefix.toLowerCase()}`);
  check(r.status === 200, `name search (${r.status})`);
  const firstPage = [...r.body.matchAll(/<td>([A-Z]{2}\d{6})<\/td>/g)].map((m) => m[1]);
  const expected = alder.filter((v) => v.last.startsWith(prefix)).length;
  check(firstPage.length === Math.min(25, expected), `first page has ${firstPage.length} of ${expected}`);
  check(firstPage.every((n) => alder.some((v) => v.ncid === n)), 'only Alder voters listed');
  if (expected > 25) {
    const next = /href="([^"]+after=\d+)" rel="next"/.exec(r.body)[1].replace(/&amp;/g, '&');
    r = await get(next);
    const secondPage = [...r.body.matchAll(/<td>([A-Z]{2}\d{6})<\/td>/g)].map((m) => m[1]);
    check(secondPage.length > 0 && !secondPage.some((n) => firstPage.includes(n)), 'second page continues the first');
    check(r.body.includes('First page'), 'second page links back');
  }
  r = await get(`${base}?voter_id=${alder[1].ncid}`);
  check(r.body.includes(`<td>${alder[1].ncid}</td>`), 'search by NCID');
  r = await get(`${base}?precinct=${alder[2].precinct}&status=A`);
  check(r.status === 200 && r.body.includes('Results'), 'search by precinct and status');
  r = await get(`${base}?status=A`);
  check(r.status === 400 && r.body.includes('add a last name or a precinct'), `status alone refused (${r.status})`);
  r = await get(`${base}?voter_id=${birch[0].ncid}`);
  check(r.body.includes('No voter matches'), 'a Birch voter is not found from Alder');

  // Detail.
  const shown = alder[3];
  r = await get(`${base}/${shown.ncid}`);
  check(r.status === 200 && r.body.includes('Identity proof') && r.body.includes('Audit trail'), `detail (${r.status})`);
  check(r.body.includes('voters.import') && !r.body.includes(shown.birth), 'import entry shown, birth date not');
  check((await get(`${base}/${birch[0].ncid}`)).status === 404, 'Birch voter through the Alder URL is 404');

  // County scope.
  for (const path of ['/admin/counties/Birch/voters', `/admin/counties/Birch/voters/${birch[0].ncid}`,
                      '/admin/counties/Birch/voters/new', '/admin/counties/Birch/voters/maintenance']) {
    check((await clerk.get(path)).status === 403, `${path} refused to an Alder clerk`);
  }

  // Registration: errors per field with input kept, identity never echoed.
  r = await get(`${base}/new`);
  const csrf = csrfFrom(r.body);
  const application = { csrf_token: csrf, first_name: 'Ada', middle_name: 'Q', last_name: 'Zyxwell', birth_date: secrets.birth,
                        res_street_address: '1 Main St', res_city: 'Alderton', res_zip: '27601', precinct_code: alder[0].precinct,
                        party: 'LIB', drivers_license: secrets.licence, ssn4: secrets.ssn };
  r = await post(`${base}/new`, application);
  check(r.status === 400 && r.body.includes('attest to US citizenship'), `citizenship required (${r.status})`);
  check(r.body.includes('value="Ada"') && r.body.includes('value="Zyxwell"'), 'typed names kept');
  r = await post(`${base}/new`, { ...application, citizenship: '1', res_zip: '123' });
  check(r.status === 400 && /id="res_zip-error">expected 5 or 9 digits/.test(r.body), 'ZIP error beside its field');
  check((await clerk.post(`${base}/new`, { form: { ...application, citizenship: '1', csrf_token: '' } })).status === 403, 'no CSRF token: 403');
  r = await post(`${base}/new`, { ...application, citizenship: '1' });
  check(r.status === 303, `registered (${r.status})`);
  const detail = r.headers.get('location').replace(/\?.*/, '');
  r = await get(r.headers.get('location'));
  check(r.body.includes('Voter registered.') && r.body.includes('ADA Q ZYXWELL') && r.body.includes('voter.register'), 'new voter page');
  check(/Driver's licence number<\/dt><dd>on file/.test(r.body) && /SSN<\/dt><dd>on file/.test(r.body), 'ID numbers only "on file"');
  check(r.body.includes('1990 (age'), 'birth year and age shown');

  // Edits.
  r = await get(`${detail}/edit`);
  check(r.status === 200 && r.body.includes('Move to another county'), 'edit page');
  r = await post(`${detail}/edit`, { csrf_token: csrf, section: 'name', first_name: 'Adah', middle_name: 'Q', last_name: 'Zyxwell', name_suffix: '' });
  check(r.status === 303, `name saved (${r.status})`);
  r = await post(`${detail}/edit`, { csrf_token: csrf, section: 'address', res_street_address: '2 Elm St', res_city: 'Alderton', res_zip: '27x01', precinct_code: alder[0].precinct });
  check(r.status === 400 && r.body.includes('value="27x01"') && r.body.includes('value="2 Elm St"'), 'address error keeps input');
  r = await post(`${detail}/edit`, { csrf_token: csrf, section: 'party', party: 'GRE' });
  check(r.status === 303, 'party saved');
  r = await post(`${detail}/edit`, { csrf_token: csrf, section: 'status', status: 'I', reason: 'AV' });
  check(r.status === 400 && r.body.includes('does not go with status'), 'status/reason mismatch refused');
  r = await post(`${detail}/edit`, { csrf_token: csrf, section: 'status', status: 'I', reason: 'IA' });
  check(r.status === 303, 'status changed');
  r = await get(detail);
  check(r.body.includes('ADAH Q ZYXWELL') && r.body.includes('INACTIVE') && r.body.includes('GRE'), 'changes shown');
  check((r.body.match(/voter\.(update|status)/g) || []).length === 3, 'three changes in the audit trail');
  r = await post(`${detail}/edit`, { csrf_token: csrf, section: 'cancel', reason: 'felony', duplicate_of: '' });
  check(r.status === 409 && r.body.includes('felony_removal'), `felony cancellation refused by the state's rule (${r.status})`);
  r = await post(`${detail}/edit`, { csrf_token: csrf, section: 'cancel', reason: 'request', duplicate_of: '' });
  check(r.status === 303, 'cancelled at request');
  check((await get(detail)).body.includes('REQUEST FROM VOTER'), 'cancellation reason shown');

  // Move another Alder voter to Birch.
  const mover = alder[5];
  r = await post(`${base}/${mover.ncid}/edit`, { csrf_token: csrf, section: 'move', move_county: 'Birch', move_precinct: 'ZZZZ', move_street: '3 Oak St', move_city: 'Birchton', move_zip: '27038' });
  check(r.status === 400 && /id="move_precinct-error">/.test(r.body), 'unknown precinct in the new county refused');
  r = await post(`${base}/${mover.ncid}/edit`, { csrf_token: csrf, section: 'move', move_county: 'Birch', move_precinct: birch[0].precinct, move_street: '3 Oak St', move_city: 'Birchton', move_zip: '27038' });
  check(r.status === 303 && r.headers.get("location").includes(`moved=${mover.ncid}`), `moved (${r.status}) ${String(r.body).slice(0, 3000)}`);
  check((await get(`${base}/${mover.ncid}`)).status === 404, 'moved voter has left Alder');

  // List maintenance: preview as clerk.
  r = await get(`${base}/maintenance`);
  check(r.status === 200 && r.body.includes('Start a run'), 'maintenance page');
  r = await post(`${base}/maintenance`, { csrf_token: csrf, kind: 'notices-moved', moved_list: `${alder[6].ncid}\n${alder[7].ncid}\n${birch[1].ncid}\n` });
  check(r.status === 303, `notice run previewed (${r.status})`);
  const runPath = r.headers.get('location');
  r = await get(runPath);
  const listed = [...r.body.matchAll(/<td>([A-Z]{2}\d{6})<\/td>/g)].map((m) => m[1]);
  const activeListed = [alder[6], alder[7]].filter((v) => rows.find((f) => f[col('ncid')] === v.ncid)[col('status_cd')] === 'A');
  check(listed.length === activeListed.length && !listed.includes(birch[1].ncid), `preview lists the county's active voters (${listed.length})`);
  check(r.body.includes('A county administrator'), 'clerk is told who executes');
  check((await clerk.post(`${runPath}/execute`, { form: { csrf_token: csrf } })).status === 403, 'clerk cannot execute');
  r = await post(`${base}/maintenance`, { csrf_token: csrf, kind: 'notices-inactivity', since: 'soon' });
  check(r.status === 400 && r.body.includes('Enter a date'), 'bad date refused on its field');

  // Admin with TOTP executes and undoes.
  const admin = new Client(server.base);
  await admin.post('/login', { form: { username: 'alder-admin', password: instance.passwords['alder-admin'] } });
  let page = await admin.post('/account/totp/begin', { form: { csrf_token: csrfFrom((await admin.get('/account/totp')).body) } });
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.body)[1];
  check((await admin.post('/account/totp', { form: { csrf_token: csrfFrom(page.body), code: totp(secret) } })).status === 303, 'admin enrolled');
  page = remember(await admin.get(runPath));
  const adminCsrf = csrfFrom(page.body);
  check(page.body.includes('Execute run'), 'admin sees the execute button');
  r = await admin.post(`${runPath}/execute`, { form: { csrf_token: adminCsrf } });
  check(r.status === 303, `executed (${r.status})`);
  page = remember(await admin.get(r.headers.get('location')));
  check(page.body.includes('Run executed.') && page.body.includes('Undo run'), 'executed run offers undo');
  if (activeListed.length) check(remember(await admin.get(`${base}/${activeListed[0].ncid}`)).body.includes('notice.send'), 'notice in the audit trail');
  r = await admin.post(`${runPath}/undo`, { form: { csrf_token: adminCsrf } });
  check(r.status === 303, `undone (${r.status})`);
  check((await admin.post(`${runPath}/undo`, { form: { csrf_token: adminCsrf } })).status === 409, 'undo twice is 409');

  // The 90-day window: a federal election 30 days from now, or the next
  // federal general election if that comes sooner (the server names the
  // nearer of the two, so from early October of an even year until election
  // day a date 30 days out was not the one on the page).
  const today = new Date().toISOString().slice(0, 10);
  const thirtyDays = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  const general = nextFederalGeneral(today);
  const soon = general < thirtyDays ? general : thirtyDays;
  setSetting('voters.federal_election_dates', soon);
  r = await post(`${base}/maintenance`, { csrf_token: csrf, kind: 'remove' });
  check(r.status === 409 && r.body.includes('within 90 days of a federal election') && r.body.includes(soon), `removal refused in the window (${r.status})`);
  check(r.body.includes('Removal runs are not allowed now'), 'window shown as a banner');

  checkNoIdentity();
} finally {
  await server.stop();
  instance.remove();
}
console.log('ok');
