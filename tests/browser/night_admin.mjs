// Browser test in real Chromium: an Alder clerk uploads a returns file with
// the file input (accepted, then a bad file rejected with its line), and a
// state admin signs in with TOTP, opens Election night, switches the test
// election to live through the confirmation step and sees the zero report.
// Phone and desktop widths; screenshots in tests/browser/screenshots/.
import { launchBrowser, screenshot, totp, check } from './lib.mjs';
import { makeInstance, run, serve } from '../integration/support.mjs';

const source = process.env.PRECINCT_SOURCE;
if (!source) throw new Error('set PRECINCT_SOURCE to the source tree');

const noSidewaysScroll = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

const instance = makeInstance();
run('elections', 'import', '--data', instance.dir, `${source}/tests/data/elections/csv-set`);
const server = await serve(instance.dir);
const browser = await launchBrowser();
try {
  const header = 'precinct,contest,choice,counting_group,votes,ballots_cast\n';
  const clerk = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await clerk.goto(`${server.base}/login`);
  await clerk.getByLabel('User name').fill('alder-clerk');
  await clerk.getByLabel('Password').fill(instance.passwords['alder-clerk']);
  await clerk.getByRole('button', { name: 'Sign in' }).click();
  await clerk.waitForURL('**/admin');
  await clerk.getByRole('link', { name: 'Returns' }).click();
  await clerk.waitForURL('**/admin/counties/Alder/returns');
  await clerk.getByLabel('Returns file').setInputFiles({
    name: 'alder-night.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`${header}A-1,gov,gov-a,election-day,5,10\nA-1,gov,gov-b,absentee-mail,3,\n`),
  });
  await clerk.getByRole('button', { name: 'Upload returns' }).click();
  await clerk.waitForSelector('#upload-result');
  // The selector matches before the rest of the page is parsed: wait for
  // the whole page before counting or reading what it shows.
  await clerk.waitForLoadState('load');
  check((await clerk.textContent('#upload-result')).includes('Accepted as version 1'), 'upload accepted');
  check((await clerk.textContent('#precincts-reporting')).trim() === '1 of 2', 'reporting 1 of 2');
  check(await noSidewaysScroll(clerk), 'returns page does not scroll sideways on a phone');
  await screenshot(clerk, 'returns-phone');
  await clerk.getByLabel('Returns file').setInputFiles({
    name: 'bad.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`${header}A-1,gov,gov-a,election-day,5,10\nB-1,gov,gov-a,election-day,1,10\n`),
  });
  await clerk.getByRole('button', { name: 'Upload returns' }).click();
  await clerk.waitForSelector('#upload-rejected');
  await clerk.waitForLoadState('load');
  check((await clerk.textContent('#upload-rejected')).includes('line 3'), 'rejection names line 3');
  check(await noSidewaysScroll(clerk), 'rejection does not scroll sideways on a phone');
  await screenshot(clerk, 'returns-rejected-phone');
  await clerk.setViewportSize({ width: 1280, height: 800 });
  await screenshot(clerk, 'returns-desktop');

  const admin = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await admin.goto(`${server.base}/login`);
  await admin.getByLabel('User name').fill('admin');
  await admin.getByLabel('Password').fill(instance.passwords.admin);
  await admin.keyboard.press('Enter');
  await admin.waitForURL('**/account/totp');
  await admin.getByRole('button', { name: 'Set up an authenticator' }).click();
  await admin.waitForSelector('#totp-secret');
  await admin.waitForLoadState('load');
  await admin.getByLabel('Six-digit code').fill(totp((await admin.textContent('#totp-secret')).trim()));
  await admin.getByRole('button', { name: 'Confirm' }).click();
  await admin.waitForURL('**/admin');
  await admin.getByRole('link', { name: 'Election night' }).click();
  await admin.waitForURL('**/admin/election-night');
  check((await admin.textContent('#election-mode')).trim() === 'TEST', 'test mode shown');
  await screenshot(admin, 'night-desktop');
  await admin.getByRole('link', { name: 'Switch to live…' }).click();
  await admin.waitForURL('**/admin/election-night/2026-test/live');
  await admin.setViewportSize({ width: 390, height: 844 });
  check(await noSidewaysScroll(admin), 'confirmation does not scroll sideways on a phone');
  await screenshot(admin, 'night-live-confirm-phone');
  await admin.getByLabel('I understand: switch 2026-test to live now').check();
  await admin.getByRole('button', { name: 'Switch to live' }).click();
  await admin.waitForSelector('#zero-report');
  await admin.waitForLoadState('load');
  check((await admin.textContent('#zero-report')).includes('RESULT: ALL ZERO'), 'zero report shown');
  check((await admin.textContent('#election-mode')).trim() === 'LIVE', 'live mode shown');
  await screenshot(admin, 'night-live-phone');
  check(await noSidewaysScroll(admin), 'election night does not scroll sideways on a phone');
} finally {
  await browser.close();
  await server.stop();
  instance.remove();
}
console.log('browser election night: ok');
