// Online voter registration against the real server: the form in English
// and Spanish, submissions answered with a confirmation number, per-field
// errors that keep what was typed but never an ID number or birth date, the
// status page (confirmation number + ZIP), identity-proof fields absent from
// every response body, an Alder clerk verifying, approving and denying (and
// refused Birch's applications), and 503 "busy, nothing stored" while
// another writer holds the database (SQLite only).
import { Client, backend, check, makeInstance, run, serve } from './support.mjs';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const instance = makeInstance();
run('voters', 'precinct', '--data', instance.dir, '--county', 'Alder', '--name', 'ALDER ONE', 'A01');
run('voters', 'precinct', '--data', instance.dir, '--county', 'Birch', '--name', 'BIRCH ONE', 'B01');

// Identity-proof values, chosen so they cannot appear by chance.
const DL = 'QZ7310562', SSN4 = '8642', DOB = { day: '29', month: '8', year: '1971' }, DOB_ISO = '1971-08-29';
// A form; a key given as undefined is left out (an unticked box).
const applicant = (over = {}) => Object.fromEntries(Object.entries({
  kind: 'new', lang: 'en', first_name: 'Rosa', last_name: 'Quintanilla', dob_day: DOB.day, dob_month: DOB.month,
  dob_year: DOB.year, res_street_address: '40 Willow Way', res_city: 'Alder', res_zip: '27510', county: 'Alder',
  party: 'UNA', drivers_license: DL, ssn4: SSN4, citizenship: '1', ...over,
}).filter(([, value]) => value !== undefined));
const bodies = [];
// Everything a response showed, minus random tokens and confirmation numbers.
function noIdentity(text, where) {
  const cleaned = String(text).replace(/[0-9a-f]{32,}/g, '').replace(/[0-9A-Z]{5}-[0-9A-Z]{5}/g, '');
  check(!cleaned.includes(DL) && !cleaned.includes(SSN4) && !cleaned.includes(DOB_ISO), `no ID number or birth date in ${where}`);
  check(!cleaned.includes(`value="${DOB.year}"`) && !cleaned.includes('08/29/1971'), `birth date not refilled in ${where}`);
}
const confirmationOf = (html) => (/id="confirmation-number">([0-9A-Z-]+)</.exec(html) || [])[1];

const server = await serve(instance.dir);
let running = true;
try {
  const web = new Client(server.base);
  const form = await web.get('/register');
  check(form.status === 200 && form.body.includes('Register to vote') && form.body.includes('<option value="Alder">'), 'English form');
  const es = await web.get('/register?lang=es');
  check(es.status === 200 && es.body.includes('Inscríbase para votar') && es.body.includes('<html lang="es">'), 'Spanish form');

  const sent = await web.post('/register', { form: applicant() });
  check(sent.status === 200 && sent.body.includes('Application received'), `English submission (${sent.status})`);
  const number = confirmationOf(sent.body);
  check(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/.test(number), `confirmation number shown (${number})`);
  noIdentity(sent.body, 'confirmation page');
  const sentEs = await web.post('/register', { form: applicant({ lang: 'es', first_name: 'Lucía', last_name: 'Benavides', county: 'Birch', res_zip: '27520' }) });
  check(sentEs.status === 200 && sentEs.body.includes('Solicitud recibida'), 'Spanish submission');
  const numberEs = confirmationOf(sentEs.body);
  const dup = await web.post('/register', { form: applicant({ res_street_address: '41 Willow Way' }) });
  const numberDup = confirmationOf(dup.body);
  check(dup.status === 200 && numberDup && numberDup !== number, 'a second application gets its own number');

  const invalid = await web.post('/register', { form: applicant({ first_name: '', res_zip: '275', citizenship: undefined, ssn4: '12' }) });
  check(invalid.status === 400 && invalid.body.includes('id="first_name-error"') && invalid.body.includes('id="res_zip-error"'), 'errors beside the fields');
  check(invalid.body.includes('id="citizenship-error"') && invalid.body.includes('id="ssn4-error"') && invalid.body.includes('href="#first_name"'), 'error summary');
  check(invalid.body.includes('value="Quintanilla"') && invalid.body.includes('value="40 Willow Way"') && invalid.body.includes('<option value="Alder" selected>'), 'typed values kept');
  noIdentity(invalid.body, 'error page');
  const invalidEs = await web.post('/register', { form: applicant({ lang: 'es', dob_day: '31', dob_month: '2' }) });
  check(invalidEs.status === 400 && invalidEs.body.includes('Escriba una fecha de nacimiento válida'), 'Spanish error');
  check((await web.get(`/register/status`)).status === 200, 'status form');

  const status = await web.post('/register/status', { form: { confirmation: number.toLowerCase().replace('-', ''), zip: '27510' } });
  check(status.status === 200 && status.body.includes('Received, waiting to be verified') && status.body.includes('Alder'), 'status: received');
  noIdentity(status.body, 'status page');
  const wrongZip = await web.post('/register/status', { form: { confirmation: number, zip: '27511' } });
  check(wrongZip.status === 200 && wrongZip.body.includes('We found no application'), 'wrong ZIP: not found');
  const typo = await web.post('/register/status', { form: { confirmation: number.slice(0, -1) + (number.endsWith('A') ? 'B' : 'A'), zip: '27510' } });
  check(typo.status === 400 && typo.body.includes('id="confirmation-error"'), 'a mistyped number fails its check symbol');
  const statusEs = await web.post('/register/status', { form: { confirmation: numberEs, zip: '27520', lang: 'es' } });
  check(statusEs.body.includes('Recibida, en espera de verificación'), 'Spanish status');

  // The clerk's side.
  const clerk = new Client(server.base);
  check((await clerk.post('/login', { form: { username: 'alder-clerk', password: instance.passwords['alder-clerk'] } })).status === 303, 'clerk login');
  let page = await clerk.get('/admin/counties/Alder/applications');
  check(page.status === 200 && page.body.includes('Registration applications') && page.body.includes(number), `review page (${page.status})`);
  check(!page.body.includes(numberEs), 'Birch application not on the Alder page');
  noIdentity(page.body, 'review page');
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.body)[1];
  check((await clerk.get('/admin/counties/Birch/applications')).status === 403, 'Birch page refused to an Alder clerk');
  check((await clerk.post('/admin/counties/Alder/applications/process', { form: {} })).status === 403, 'process without CSRF refused');
  check((await clerk.post('/admin/counties/Alder/applications/process', { form: { csrf_token: csrf } })).status === 303, 'verify');
  page = await clerk.get('/admin/counties/Alder/applications');
  const ids = [...page.body.matchAll(/applications\/(\d+)\/approve/g)].map((m) => m[1]);
  check(ids.length === 2 && page.body.includes('verified'), `two Alder applications verified (${ids.length})`);
  const birchId = String([1, 2, 3].find((i) => !ids.includes(String(i))));
  const refused = await clerk.post(`/admin/counties/Alder/applications/${birchId}/approve`, { form: { csrf_token: csrf, precinct_code: 'A01' } });
  check(refused.status === 404, `a Birch application through the Alder route is not found (${refused.status})`);
  const noPrecinct = await clerk.post(`/admin/counties/Alder/applications/${ids[0]}/approve`, { form: { csrf_token: csrf, precinct_code: '' } });
  check(noPrecinct.status === 400 && noPrecinct.body.includes('choose the applicant'), 'approval needs a precinct');
  const approved = await clerk.post(`/admin/counties/Alder/applications/${ids[0]}/approve`, { form: { csrf_token: csrf, precinct_code: 'A01' } });
  check(approved.status === 303, `approve (${approved.status})`);
  const denied = await clerk.post(`/admin/counties/Alder/applications/${ids[1]}/deny`, { form: { csrf_token: csrf, reason: 'duplicate' } });
  check(denied.status === 303, `deny (${denied.status})`);
  check((await clerk.post(`/admin/counties/Alder/applications/${ids[1]}/deny`, { form: { csrf_token: csrf, reason: 'duplicate' } })).status === 409, 'deciding twice is 409');
  const done = await web.post('/register/status', { form: { confirmation: number, zip: '27510' } });
  const doneDup = await web.post('/register/status', { form: { confirmation: numberDup, zip: '27510' } });
  check(done.body.includes('Approved: you are registered'), 'status: approved');
  check(doneDup.body.includes('Denied') && doneDup.body.includes('You are already registered'), 'status: denied with the reason');
  const lookup = await web.post('/api/lookup', { json: { first_name: 'Rosa', last_name: 'Quintanilla', birth_date: DOB_ISO, zip: '27510' } });
  check(lookup.status === 200 && lookup.body.found === true && lookup.body.precinct.code === 'A01', 'the approved voter is on the roll');
  noIdentity(JSON.stringify(lookup.body), 'lookup API');
  for (const path of ['/register', '/register/status', '/admin/counties/Alder/applications']) noIdentity((await clerk.get(path)).body, path);

  // With a street index, the review page shows the precinct of the address
  // and approval takes it; an address outside the index still needs the clerk.
  run('voters', 'precinct', '--data', instance.dir, '--county', 'Alder', '--name', 'ALDER TWO', 'A02');
  const streets = join(instance.dir, 'alder-streets.csv');
  writeFileSync(streets, 'street,low,high,parity,zip,city,precinct\nWillow Way,1,99,O,27510,Alder,A01\nWILLOW WAY,2,98,E,27510,ALDER,A02\n');
  run('voters', 'streets', 'import', '--data', instance.dir, '--county', 'Alder', streets);
  const indexed = await web.post('/register', { form: applicant({ first_name: 'Iris', last_name: 'Okonkwo', res_street_address: '12 Willow Way', dob_year: '1980' }) });
  const outside = await web.post('/register', { form: applicant({ first_name: 'Otto', last_name: 'Lindqvist', res_street_address: '5 Birch Lane', dob_year: '1982' }) });
  check(indexed.status === 200 && outside.status === 200, 'two more Alder applications');
  check((await clerk.post('/admin/counties/Alder/applications/process', { form: { csrf_token: csrf } })).status === 303, 'verify again');
  page = await clerk.get('/admin/counties/Alder/applications');
  check(page.body.includes('A02  (from the county&#39;s street index)') || page.body.includes("A02  (from the county's street index)"), 'review page shows the street index precinct');
  check(page.body.includes('not in the county&#39;s street index: choose the precinct') || page.body.includes("not in the county's street index: choose the precinct"), 'review page says when the index lacks the address');
  const [irisId, ottoId] = [...page.body.matchAll(/applications\/(\d+)\/approve/g)].map((m) => m[1]);
  check((await clerk.post(`/admin/counties/Alder/applications/${irisId}/approve`, { form: { csrf_token: csrf } })).status === 303, 'approve into the index precinct');
  const ottoNone = await clerk.post(`/admin/counties/Alder/applications/${ottoId}/approve`, { form: { csrf_token: csrf, precinct_code: '' } });
  check(ottoNone.status === 400 && ottoNone.body.includes('5 BIRCH LN 27510: choose the applicant'), `outside the index the clerk chooses (${ottoNone.status})`);
  check((await clerk.post(`/admin/counties/Alder/applications/${ottoId}/approve`, { form: { csrf_token: csrf, precinct_code: 'A01' } })).status === 303, 'approve with the chosen precinct');
  const iris = await web.post('/api/lookup', { json: { first_name: 'Iris', last_name: 'Okonkwo', birth_date: '1980-08-29', zip: '27510' } });
  check(iris.status === 200 && iris.body.found === true && iris.body.precinct.code === 'A02', 'the index precinct is on the roll');
  // In person at the county's registration page: a precinct the clerk picks
  // is taken for a new street the index lacks, refused against the index.
  const inPerson = { csrf_token: csrf, first_name: 'Nell', middle_name: '', last_name: 'Achterberg', birth_date: '1979-04-02',
                     res_street_address: '3 Quarry Road', res_city: 'Alder', res_zip: '27510', precinct_code: 'A02', party: 'UNA',
                     drivers_license: '', ssn4: '4821', citizenship: '1' };
  const newStreet = await clerk.post('/admin/counties/Alder/voters/new', { form: inPerson });
  check(newStreet.status === 303, `in person, a new street with the clerk's precinct (${newStreet.status})`);
  const against = await clerk.post('/admin/counties/Alder/voters/new', { form: { ...inPerson, first_name: 'Neil', res_street_address: '12 Willow Way', precinct_code: 'A01' } });
  check(against.status === 400 && against.body.includes('is in precinct A02 by the county&#39;s street index, not in precinct A01'),
        `in person, a precinct against the index is refused (${against.status})`);

  if (backend === 'sqlite') {
    // Another writer (an import, say) holds the database longer than
    // database.busy_timeout_ms: the writer gives up and every submission
    // waiting on it is told "busy, nothing stored" (503, Retry-After). A full
    // queue takes the same path (tests/unit/test_voters_applications.c).
    await server.stop();
    running = false;
    const conf = join(instance.dir, 'precinct.conf');
    writeFileSync(conf, readFileSync(conf, 'utf8').replace(/^busy_timeout_ms = .*$/m, 'busy_timeout_ms = 200'));
    const again = await serve(instance.dir);
    try {
      const holder = spawn('sqlite3', [join(instance.dir, 'precinct.db')], { stdio: ['pipe', 'pipe', 'inherit'] });
      const locked = new Promise((r) => holder.stdout.once('data', r));
      holder.stdin.write("BEGIN IMMEDIATE;\nSELECT 'locked';\n");
      await locked;
      const answers = await Promise.all([0, 1, 2].map((i) => new Client(again.base).post('/register', { form: applicant({ first_name: `Busy${'abc'[i]}` }) })));
      const closed = new Promise((r) => holder.on('exit', r));
      holder.stdin.end('COMMIT;\n');
      await closed;
      check(answers.every((a) => a.status === 503), `busy while the database is held (${answers.map((a) => a.status)})`);
      check(answers.every((a) => a.body.includes('Nothing was stored') && Number(a.headers.get('retry-after')) > 0), 'busy page with Retry-After');
      const es = await new Client(again.base).post('/register', { form: applicant({ first_name: 'Busyd' }) });
      check(es.status === 200, `stored once the database is free (${es.status})`);
      const rows = execFileSync('sqlite3', [join(instance.dir, 'precinct.db'), "SELECT COUNT(*) FROM voter_applications WHERE first_name LIKE 'BUSY%'"], { encoding: 'utf8' });
      check(Number(rows) === 1, `nothing stored from the busy answers (${rows.trim()})`);
    } finally {
      await again.stop();
    }
  }
  run('audit', 'verify', '--data', instance.dir);
} finally {
  if (running) await server.stop();
  instance.remove();
}
console.log('ok');
