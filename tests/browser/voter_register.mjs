// Browser test in real Chromium, JavaScript disabled: online voter
// registration at phone width (errors beside the fields with the summary,
// ID numbers and birth date not refilled, a submission, its confirmation
// number, the status page) and at desktop width (the Spanish form through
// the language link, and the Alder clerk's review page approving it).
// Screenshots go to tests/browser/screenshots/.
import { launchBrowser, screenshot, check } from './lib.mjs';
import { Client, makeInstance, run, serve } from '../integration/support.mjs';

const instance = makeInstance();
run('voters', 'precinct', '--data', instance.dir, '--county', 'Alder', '--name', 'ALDER ONE', 'A01');
const server = await serve(instance.dir);
const browser = await launchBrowser();
const exact = { exact: true };
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, javaScriptEnabled: false });
  const phone = await context.newPage();
  const noSideways = async (page, what) => check(!(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)), `${what}: no sideways scroll`);
  await phone.goto(`${server.base}/register`);
  check(await phone.getByLabel('First name', exact).isVisible() && await phone.getByLabel('County', exact).isVisible(), 'labelled fields');
  await noSideways(phone, 'form');
  await screenshot(phone, 'register-phone');

  await phone.getByLabel('Last name', exact).fill('Okafor');
  await phone.getByLabel('Day').fill('31');
  await phone.getByLabel('Month').fill('2');
  await phone.getByLabel('Year').fill('1988');
  await phone.getByLabel('Street address').fill('7 Pine Ridge Rd');
  await phone.getByLabel('ZIP code', exact).fill('2751');
  await phone.getByLabel("Driver's licence or state ID number").fill('NC55510101');
  await phone.getByRole('button', { name: 'Send my application' }).click();
  await phone.waitForSelector('.error-summary');
  // The selector matches before the rest of the page is parsed: wait for
  // the whole page before counting or reading what it shows.
  await phone.waitForLoadState('load');
  const problems = await phone.locator('.error-summary li').allTextContents();
  check(problems.length === 6, `six problems in the summary (${problems.join(' | ')})`);
  check(await phone.getByLabel('Street address').inputValue() === '7 PINE RIDGE RD' || await phone.getByLabel('Street address').inputValue() === '7 Pine Ridge Rd', 'typed address kept');
  check(await phone.getByLabel('Day').inputValue() === '' && await phone.getByLabel("Driver's licence or state ID number").inputValue() === '', 'birth date and licence not refilled');
  check(!(await phone.content()).includes('NC55510101'), 'licence number not on the page');
  await noSideways(phone, 'errors');
  await screenshot(phone, 'register-phone-errors');

  await phone.getByLabel('First name', exact).fill('Adaeze');
  await phone.getByLabel('Day').fill('14');
  await phone.getByLabel('Month').fill('2');
  await phone.getByLabel('Year').fill('1988');
  await phone.getByLabel('City or town').fill('Alder');
  await phone.getByLabel('ZIP code', exact).fill('27510');
  await phone.getByLabel('County', exact).selectOption('Alder');
  await phone.getByLabel("Driver's licence or state ID number").fill('NC55510101');
  await phone.getByLabel('I am a citizen of the United States, and what I entered is true.').check();
  await phone.getByRole('button', { name: 'Send my application' }).click();
  await phone.waitForSelector('#confirmation-number');
  await phone.waitForLoadState('load');
  const number = (await phone.textContent('#confirmation-number')).trim();
  check(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/.test(number), `confirmation number (${number})`);
  await noSideways(phone, 'confirmation');
  await screenshot(phone, 'register-phone-done');

  await phone.getByRole('link', { name: 'Check the status of an application' }).click();
  await phone.getByLabel('Confirmation number').fill(number.toLowerCase());
  await phone.getByLabel('ZIP code').fill('27510');
  await phone.getByRole('button', { name: 'Check' }).click();
  await phone.waitForSelector('dl.lookup-result');
  await phone.waitForLoadState('load');
  check((await phone.textContent('main')).includes('Received, waiting to be verified'), 'status received');
  await noSideways(phone, 'status');
  await screenshot(phone, 'register-phone-status');

  const desktopContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const desktop = await desktopContext.newPage();
  await desktop.goto(`${server.base}/register`);
  await desktop.getByRole('link', { name: 'Español' }).click();
  await desktop.waitForSelector('h1');
  await desktop.waitForLoadState('load');
  check((await desktop.textContent('h1')).includes('Inscríbase para votar'), 'Spanish form via the link');
  await screenshot(desktop, 'register-desktop-es');

  // The clerk approves it.
  const clerk = new Client(server.base);
  check((await clerk.post('/login', { form: { username: 'alder-clerk', password: instance.passwords['alder-clerk'] } })).status === 303, 'clerk login');
  const [name, value] = clerk.cookie.split('=');
  await desktopContext.addCookies([{ name, value, url: server.base }]);
  await desktop.goto(`${server.base}/admin/counties/Alder/applications`);
  await desktop.getByRole('button', { name: 'Verify received applications' }).click();
  await desktop.waitForSelector('.app-review');
  await desktop.waitForLoadState('load');
  check((await desktop.textContent('main')).includes(number) && !(await desktop.content()).includes('1988-02-14'), 'application listed, no birth date');
  await noSideways(desktop, 'review page');
  await screenshot(desktop, 'applications-desktop');
  await desktop.getByLabel('Precinct').selectOption('A01');
  await desktop.getByRole('button', { name: 'Approve' }).click();
  await desktop.waitForSelector('p.notice');
  await desktop.waitForLoadState('load');
  check((await desktop.textContent('main')).includes('Application approved.'), 'approved');
} finally {
  await browser.close();
  await server.stop();
  instance.remove();
}
console.log('browser voter registration: ok');
