// Browser test in real Chromium: a state admin signs in with TOTP and, at
// phone and at desktop width, creates an election, a contest and its
// candidates through the forms only (labels, keyboard-reachable buttons),
// sees a field error with the input kept, and reorders a candidate.
// Screenshots go to tests/browser/screenshots/elections-*.png.
import { launchBrowser, screenshot, totp, check } from './lib.mjs';
import { makeInstance, serve } from '../integration/support.mjs';

async function signIn(page, base, password) {
  await page.goto(`${base}/login`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(password);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/account/totp');
  await page.getByRole('button', { name: 'Set up an authenticator' }).click();
  const secret = (await page.textContent('#totp-secret')).trim();
  await page.getByLabel('Six-digit code').fill(totp(secret));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL('**/admin');
  return secret;
}

// Signs in again with password and the next TOTP code (codes are single use).
async function signInAgain(page, base, password, secret) {
  await page.goto(`${base}/login`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Authenticator code').fill(totp(secret, Date.now() / 1000 + 30));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/admin');
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  check(!overflow, `${what} does not scroll sideways`);
}

// Builds one election through the forms; NAME tells the two runs apart.
async function buildElection(page, base, name, shots) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Elections' }).click();
  await page.waitForURL('**/admin/elections');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Election day').fill('2027-04-06');
  await page.getByLabel('Type').selectOption('special');
  await page.getByLabel('Jurisdiction').fill('Demo State');
  await page.getByLabel('Polls close').fill('8 pm'); // no date, no offset: refused
  await page.getByRole('button', { name: 'Create election' }).click();
  check(await page.locator('#f-poll_close_at-error').isVisible(), 'poll-closing error shown on its field');
  check(await page.getByLabel('Name').inputValue() === name, 'name kept after the error');
  check(await page.getByLabel('Polls close').inputValue() === '8 pm', 'the wrong value kept to correct');
  if (shots) await page.locator('#f-poll_close_at-error').scrollIntoViewIfNeeded();
  if (shots) await screenshot(page, `elections-error-${shots}`);
  if (shots) await noSidewaysScroll(page, 'elections page with an error');
  await page.getByLabel('Polls close').fill('2027-04-06T20:00:00-04:00');
  await page.getByRole('button', { name: 'Create election' }).click();
  await page.waitForURL(/\/admin\/elections\/\d+\?notice=added$/);
  check((await page.textContent('h1')).includes(name), 'overview of the new election');

  // A precinct first, so a county can hold the contest.
  await page.getByRole('link', { name: 'Precincts' }).click();
  await page.getByLabel('Name', { exact: true }).fill(`${name} Precinct 1`);
  await page.getByLabel('County').selectOption('Alder');
  await page.getByLabel('Registered voters').fill('850');
  await page.getByRole('button', { name: 'Add precinct' }).click();
  await page.waitForURL('**/precincts?notice=added');

  await page.getByRole('link', { name, exact: true }).click();
  await page.getByRole('link', { name: 'Contests' }).click();
  await page.getByLabel('Name', { exact: true }).fill('County Commission');
  await page.getByLabel('Kind').selectOption('candidate');
  await page.getByLabel('Where it is voted on').selectOption({ label: 'Alder County' });
  await page.getByLabel('Vote for').fill('2');
  await page.getByRole('button', { name: 'Add contest' }).click();
  await page.waitForURL(/\/contests\/\d+\?notice=added$/);
  for (const candidate of ['Rosa Diaz', 'Sam Okafor', 'Tess Nguyen']) {
    await page.getByLabel('Name on the ballot').fill(candidate);
    await page.getByRole('button', { name: 'Add candidate' }).click();
    await page.waitForURL(/\/contests\/\d+\?notice=added$/);
  }
  await page.getByLabel('Name on the ballot').fill('Write-in');
  await page.getByLabel('Write-in line').check();
  await page.getByRole('button', { name: 'Add candidate' }).click();
  await page.waitForURL(/\/contests\/\d+\?notice=added$/);
  // Keyboard: focus Tess Nguyen's "Up" button and press Enter.
  await page.getByRole('button', { name: /^Up\W+move Tess Nguyen earlier$/ }).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\?notice=moved$/);
  const order = await page.locator('table.el-table tbody th').allTextContents();
  check(order.join('|') === 'Rosa Diaz|Tess Nguyen|Sam Okafor|Write-in', `ballot order ${order.join('|')}`);
  if (shots) {
    await noSidewaysScroll(page, 'contest page');
    await screenshot(page, `elections-contest-${shots}`);
  }
  await page.getByRole('link', { name, exact: true }).click();
  if (shots) await screenshot(page, `elections-overview-${shots}`);
}

const instance = makeInstance();
const server = await serve(instance.dir);
const browser = await launchBrowser();
try {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const secret = await signIn(phone, server.base, instance.passwords.admin);
  await buildElection(phone, server.base, 'Spring Special', 'phone');
  await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Elections' }).click();
  await noSidewaysScroll(phone, 'elections list');
  await screenshot(phone, 'elections-list-phone');

  const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signInAgain(desktop, server.base, instance.passwords.admin, secret);
  await buildElection(desktop, server.base, 'Autumn Runoff', 'desktop');
  const contests = await desktop.locator('a', { hasText: 'Contests' }).first();
  await contests.click();
  await screenshot(desktop, 'elections-contests-desktop');
} finally {
  await browser.close();
  await server.stop();
  instance.remove();
}
console.log('browser election admin: ok');
