// Browser test in real Chromium: an Alder clerk signs in, opens the
// county's duplicate review page (desktop and phone), merges the first pair
// with the button and sees it leave the queue. Screenshots in
// tests/browser/screenshots/.
import { launchBrowser, screenshotDir, check } from './lib.mjs';
import { makeInstance, run, serve } from '../integration/support.mjs';
import { join } from 'node:path';

// The page lists up to 100 pairs: the visible part is what a reviewer sees.
const screenshot = (page, name) => page.screenshot({ path: join(screenshotDir, `${name}.png`) });

const instance = makeInstance();
const roll = join(instance.dir, '..', 'roll.tsv');
run('voters', 'generate', '--data', instance.dir, '--count', '2000', '--seed', '5', '--dup-rate', '0.05', '--out', roll, '--quiet');
run('voters', 'import', '--data', instance.dir, '--quiet', roll);
run('voters', 'dedup', '--data', instance.dir, '--out', join(instance.dir, '..', 'pairs.csv'));
const server = await serve(instance.dir);
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.base}/login`);
  await page.getByLabel('User name').fill('alder-clerk');
  await page.getByLabel('Password').fill(instance.passwords['alder-clerk']);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/admin');
  await page.goto(`${server.base}/admin/counties/Alder/duplicates`);
  const before = await page.locator('section.dup-pair').count();
  check(before > 0, 'pairs listed');
  const first = await page.locator('section.dup-pair h2').first().textContent();
  await screenshot(page, 'duplicates-desktop');
  await page.locator('section.dup-pair').first().getByRole('button', { name: 'Merge' }).click();
  await page.waitForURL('**/admin/counties/Alder/duplicates');
  check(await page.locator('section.dup-pair').count() === before - 1, 'merged pair left the list');
  check((await page.locator('section.dup-pair h2').first().textContent()) !== first, 'first pair is a different one now');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'duplicates-phone');
} finally {
  await browser.close();
  await server.stop();
  instance.remove();
}
console.log('browser duplicate review: ok');
