// Browser test in real Chromium: the sign-in page renders (desktop and phone
// widths), a state admin is sent to TOTP enrolment, enrols by typing the key
// shown on the page, signs out, and signs in again with password + code.
// Screenshots go to tests/browser/screenshots/.
import { launchBrowser, screenshot, totp, check } from './lib.mjs';
import { makeInstance, serve } from '../integration/support.mjs';

const instance = makeInstance();
const server = await serve(instance.dir);
const browser = await launchBrowser();
try {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await phone.goto(`${server.base}/login`);
  check(await phone.getByLabel('User name').isVisible(), 'user name field has a label');
  check(await phone.getByLabel('Password').isVisible(), 'password field has a label');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  check(!overflow, 'login page does not scroll sideways on a phone');
  await screenshot(phone, 'login-phone');

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.base}/login`);
  await screenshot(page, 'login-desktop');
  // Keyboard only: tab to the fields, type, submit with Enter.
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(instance.passwords.admin);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/account/totp');
  check((await page.textContent('h1')).includes('Authenticator'), 'admin lands on enrolment');
  await page.getByRole('button', { name: 'Set up an authenticator' }).click();
  await page.waitForSelector('#totp-secret');
  // The selector matches before the rest of the page is parsed: wait for
  // the whole page before counting or reading what it shows.
  await page.waitForLoadState('load');
  check(await page.locator('figure.qr svg').count() === 1, 'QR code is shown');
  await screenshot(page, 'totp-enrolment');
  const secret = (await page.textContent('#totp-secret')).trim();
  await page.getByLabel('Six-digit code').fill(totp(secret));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL('**/admin');
  check((await page.textContent('h1')).includes('Dashboard'), 'dashboard after enrolment');
  await screenshot(page, 'dashboard');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/login');
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(instance.passwords.admin);
  await page.getByLabel('Authenticator code').fill(totp(secret, Date.now() / 1000 + 30));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/admin');
  check((await page.textContent('h1')).includes('Dashboard'), 'signed in with password and TOTP');

  await page.goto(`${server.base}/admin/users`);
  await screenshot(page, 'users');
  await page.goto(`${server.base}/admin/audit`);
  check(await page.locator('table tbody tr').count() >= 5, 'audit viewer lists entries');
  await screenshot(page, 'audit-log');
} finally {
  await browser.close();
  await server.stop();
  instance.remove();
}
console.log('browser login with TOTP: ok');
