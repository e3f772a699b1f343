// Browser test in real Chromium, phone width, JavaScript disabled: the
// public registration lookup — a validation error with its summary and
// field messages, a found voter, the Spanish page via the language link.
// Screenshots go to tests/browser/screenshots/.
import { launchBrowser, screenshot, check } from './lib.mjs';
import { makeInstance, run, serve } from '../integration/support.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const instance = makeInstance();
const roll = join(instance.dir, '..', 'roll.tsv');
run('voters', 'generate', '--data', instance.dir, '--count', '500', '--seed', '11', '--dup-rate', '0', '--out', roll, '--quiet');
run('voters', 'import', '--data', instance.dir, '--quiet', roll);
const [header, ...rows] = readFileSync(roll, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const col = (n) => header.indexOf(n);
const v = rows.find((f) => f[col('birth_date')] && f[col('status_cd')] === 'A');
const [year, month, day] = v[col('birth_date')].split('-');
const server = await serve(instance.dir);
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, javaScriptEnabled: false });
  const phone = await context.newPage();
  const noSideways = async (what) => check(!(await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)), `${what}: no sideways scroll on a phone`);
  await phone.goto(`${server.base}/lookup`);
  check(await phone.getByLabel('First name').isVisible() && await phone.getByLabel('ZIP code').isVisible(), 'labelled fields');
  await noSideways('form');
  await screenshot(phone, 'lookup-phone');

  await phone.getByLabel('Last name').fill('Nobody');
  await phone.getByLabel('Day').fill('31');
  await phone.getByLabel('Month').fill('2');
  await phone.getByLabel('Year').fill('1980');
  await phone.getByLabel('ZIP code').fill('12');
  await phone.getByRole('button', { name: 'Look up' }).click();
  await phone.waitForSelector('.error-summary');
  // The selector matches before the rest of the page is parsed: wait for
  // the whole page before counting or reading what it shows.
  await phone.waitForLoadState('load');
  check(await phone.locator('.error-summary li').count() === 3, 'three problems in the summary');
  check(await phone.getByLabel('Day').inputValue() === '', 'birth date not refilled');
  await noSideways('errors');
  await screenshot(phone, 'lookup-phone-errors');

  await phone.getByLabel('First name').fill(v[col('first_name')].toLowerCase());
  await phone.getByLabel('Last name').fill(v[col('last_name')]);
  await phone.getByLabel('Day').fill(String(Number(day)));
  await phone.getByLabel('Month').fill(month);
  await phone.getByLabel('Year').fill(year);
  await phone.getByLabel('ZIP code').fill(v[col('zip_code')].slice(0, 5));
  await phone.getByRole('button', { name: 'Look up' }).click();
  await phone.waitForSelector('dl.lookup-result');
  await phone.waitForLoadState('load');
  check((await phone.textContent('main')).includes('We found your registration.'), 'found');
  check(!(await phone.content()).includes(v[col('birth_date')]), 'no birth date on the result page');
  await noSideways('result');
  await screenshot(phone, 'lookup-phone-found');

  await phone.getByRole('link', { name: 'Español' }).click();
  await phone.waitForSelector('h1');
  await phone.waitForLoadState('load');
  check((await phone.textContent('h1')).includes('¿Estoy inscrito para votar?'), 'Spanish form via the link');
  await phone.getByLabel('Nombre').fill('Nadie');
  await phone.getByLabel('Apellido').fill('Ninguno');
  await phone.getByLabel('Día').fill('1');
  await phone.getByLabel('Mes').fill('1');
  await phone.getByLabel('Año').fill('1970');
  await phone.getByLabel('Código postal').fill('27601');
  await phone.getByRole('button', { name: 'Buscar' }).click();
  await phone.waitForSelector('p.notice');
  await phone.waitForLoadState('load');
  check((await phone.textContent('main')).includes('No encontramos'), 'Spanish not found');
  await screenshot(phone, 'lookup-phone-es-not-found');
} finally {
  await browser.close();
  await server.stop();
  instance.remove();
}
console.log('browser voter lookup: ok');
