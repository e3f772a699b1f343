// Browser test in real Chromium of the voter admin pages: an Alder clerk
// signs in, follows "Voters" in the navigation, searches by the start of a
// last name, opens a voter, changes the name through the edit form (first
// with an empty last name, refused beside the field), at desktop and phone
// widths. No JavaScript is needed by the pages; screenshots in
// tests/browser/screenshots/ (voters-*.png).
import { launchBrowser, screenshotDir, check } from './lib.mjs';
import { makeInstance, run, serve } from '../integration/support.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const shot = (page, name) => page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });

const instance = makeInstance();
const roll = join(instance.dir, '..', 'roll.tsv');
run('voters', 'generate', '--data', instance.dir, '--count', '2000', '--seed', '7', '--dup-rate', '0', '--out', roll, '--quiet');
run('voters', 'import', '--data', instance.dir, '--quiet', roll);
const [header, ...rows] = readFileSync(roll, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const col = (name) => header.indexOf(name);
const voter = rows.find((f) => f[col('county_desc')] === 'ALDER' && f[col('status_cd')] === 'A');
let last = voter[col('last_name')];
const ncid = voter[col('ncid')], birth = voter[col('birth_date')];
const server = await serve(instance.dir);
const browser = await launchBrowser();
try {
  for (const [width, height, label] of [[1280, 900, 'desktop'], [390, 844, 'phone']]) {
    const context = await browser.newContext({ viewport: { width, height }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.base}/login`);
    await page.getByLabel('User name').fill('alder-clerk');
    await page.getByLabel('Password').fill(instance.passwords['alder-clerk']);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/admin');
    await page.getByRole('link', { name: 'Voters', exact: true }).click();
    await page.waitForURL('**/admin/counties/Alder/voters');
    await page.getByLabel('Last name').fill(last.slice(0, 3).toLowerCase());
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/voters?**');
    await shot(page, `voters-search-${label}`);
    const links = await page.locator('table a').count();
    check(links > 0, `results link to voters (${label})`);
    await page.goto(`${server.base}/admin/counties/Alder/voters/${ncid}`);
    check(await page.getByRole('heading', { name: 'Identity proof' }).count() === 1, 'detail page');
    const text = await page.locator('main').innerText();
    check(!text.includes(birth), 'no birth date on the detail page');
    check(text.includes('on file'), 'identity fields as on file / not on file');
    await shot(page, `voters-detail-${label}`);
    await page.getByRole('link', { name: 'Change this registration' }).click();
    await page.waitForURL(`**/${ncid}/edit`);
    const nameForm = page.locator('section', { has: page.getByRole('heading', { name: 'Name', exact: true }) });
    await nameForm.getByLabel('Last name').fill('');
    await nameForm.getByRole('button', { name: 'Save name' }).click();
    check(await page.locator('#last_name-error').count() === 1, 'empty last name refused beside the field');
    check(await page.getByLabel('Last name').first().getAttribute('aria-invalid') === 'true', 'field marked invalid');
    await shot(page, `voters-edit-error-${label}`);
    const newLast = label === 'desktop' ? 'Quillfeather' : 'Quillfeathers';
    await nameForm.getByLabel('Last name').fill(newLast);
    await page.locator('section', { has: page.getByRole('heading', { name: 'Name', exact: true }) }).getByRole('button', { name: 'Save name' }).click();
    await page.waitForURL(`**/${ncid}?saved=name`);
    check((await page.locator('h1').innerText()).includes(newLast.toUpperCase()), 'new name shown');
    last = newLast.toUpperCase();
    check(await page.getByText('Name saved.').count() === 1, 'saved notice');
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
  instance.remove();
}
console.log('browser voter admin: ok');
