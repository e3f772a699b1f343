// The public registration lookup against the real server: a generated roll,
// then found / not found with the same JSON shape (and the same HTML page),
// Spanish, validation errors next to the fields, no birth date echoed back,
// and the per-address rate limit (429) last, since it uses up the allowance.
import { Client, check, makeInstance, run, serve } from './support.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const instance = makeInstance();
const roll = join(instance.dir, '..', 'roll.tsv');
run('voters', 'generate', '--data', instance.dir, '--count', '2000', '--seed', '7', '--dup-rate', '0', '--out', roll, '--quiet');
run('voters', 'import', '--data', instance.dir, '--quiet', roll);
const [header, ...rows] = readFileSync(roll, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const col = (name) => header.indexOf(name);
const v = rows.find((f) => f[col('birth_date')] && f[col('status_cd')] === 'A');
check(v, 'an active generated voter with a birth date');
const [year, month, day] = v[col('birth_date')].split('-');
const zip = v[col('zip_code')].slice(0, 5);
const server = await serve(instance.dir);
try {
  const web = new Client(server.base);
  const form = await web.get('/lookup');
  check(form.status === 200 && form.body.includes('name="dob_day"') && form.body.includes('lang="en"'), 'lookup form');
  const es = await web.get('/lookup?lang=es');
  check(es.status === 200 && es.body.includes('¿Estoy inscrito para votar?') && es.body.includes('<html lang="es">'), 'Spanish form');

  const query = { first_name: v[col('first_name')], last_name: v[col('last_name')], birth_date: v[col('birth_date')], zip };
  const hit = await web.post('/api/lookup', { json: query });
  check(hit.status === 200 && hit.body.found === true && hit.body.status === 'A', `API finds the voter (${hit.status})`);
  check(hit.body.precinct.code === v[col('precinct_abbrv')], 'precinct of the voter');
  const miss = await web.post('/api/lookup', { json: { ...query, zip: zip === '99999' ? '99998' : '99999' } });
  check(miss.status === 200 && miss.body.found === false, 'wrong ZIP: not found');
  check(JSON.stringify(Object.keys(hit.body).sort()) === JSON.stringify(Object.keys(miss.body).sort()), 'same JSON shape found or not');
  check(!JSON.stringify(hit.body).includes(v[col('birth_date')]), 'no birth date in the API answer');
  const bad = await web.post('/api/lookup', { json: { ...query, birth_date: '1990-02-30' } });
  check(bad.status === 400 && bad.body.error.field === 'birth_date', 'API names the bad field');

  const page = await web.post('/lookup', { form: { first_name: query.first_name, last_name: query.last_name, dob_day: String(Number(day)), dob_month: month, dob_year: year, zip } });
  check(page.status === 200 && page.body.includes('We found your registration.') && page.body.includes('Active'), 'HTML result found');
  check(!page.body.includes(v[col('birth_date')]) && !page.body.includes(`value="${year}"`), 'no birth date on the page');
  const nope = await web.post('/lookup', { form: { first_name: 'NOBODY', last_name: 'NOWHERE', dob_day: '1', dob_month: '1', dob_year: '1970', zip: '27601', lang: 'es' } });
  check(nope.status === 200 && nope.body.includes('No encontramos una inscripción'), 'Spanish not found page');
  const invalid = await web.post('/lookup', { form: { first_name: '', last_name: 'X', dob_day: '31', dob_month: '2', dob_year: '1980', zip: '12' } });
  check(invalid.status === 400 && invalid.body.includes('id="first_name-error"') && invalid.body.includes('aria-describedby="zip-error"'), 'errors beside the fields');
  check(invalid.body.includes('href="#birth_date"') && !invalid.body.includes('value="1980"'), 'error summary, birth date not refilled');

  let limited = null;
  for (let i = 0; i < 40 && !limited; i++) {
    const r = await web.post('/lookup', { form: { first_name: 'A', last_name: 'B', dob_day: '1', dob_month: '1', dob_year: '1970', zip: '27601' } });
    if (r.status === 429) limited = r;
  }
  check(limited && limited.body.includes('Too many lookups') && Number(limited.headers.get('retry-after')) > 0, 'rate limit answers 429 with a page');
  check((await web.post('/api/lookup', { json: query })).status === 429, 'the API shares the allowance');
} finally {
  await server.stop();
  instance.remove();
}
console.log('ok');
