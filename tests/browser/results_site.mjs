// Browser test in real Chromium of the public results site served by
// `precinct serve` for the demo election night: the home page, a contest page
// with its bar chart and precinct map, the ranked-choice contest's page and
// the polling place finder, at phone (390x844) and desktop widths. Checks
// headings, labelled tables, the map's text alternative, no sideways scroll
// on a phone, and that no page needs JavaScript. Screenshots go to
// tests/browser/screenshots/results-*.png.
import { launchBrowser, screenshotDir, check } from './lib.mjs';
import { makeInstance, serve } from '../integration/support.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const instance = makeInstance();
const server = await serve(instance.dir);
const browser = await launchBrowser();
mkdirSync(screenshotDir, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(screenshotDir, `results-${name}.png`) });

async function commonChecks(page, what, phone) {
  check(await page.locator('h1').count() === 1, `${what}: one h1`);
  check(await page.locator('script').count() === 0, `${what}: no JavaScript`);
  check(await page.locator('html[lang="en"]').count() === 1, `${what}: page language`);
  const headers = await page.locator('th').count();
  const scoped = await page.locator('th[scope]').count();
  check(headers === scoped, `${what}: every table header has a scope (${scoped} of ${headers})`);
  if (phone) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    check(!overflow, `${what}: no sideways scroll on a phone`);
  }
}

try {
  for (const [label, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
    const phone = label === 'phone';
    const context = await browser.newContext({ viewport, deviceScaleFactor: phone ? 2 : 1, javaScriptEnabled: false });
    const page = await context.newPage();

    await page.goto(`${server.base}/results/index.html`);
    check((await page.textContent('h1')).includes('Election results'), 'home heading');
    check((await page.textContent('main')).includes('precincts reporting'), 'home shows precincts reporting');
    check(/Ballots cast: \d{1,3}(,\d{3})+ of \d{1,3}(,\d{3})+ registered voters/.test(await page.textContent('main')),
          'home shows counts with thousands separators');
    await commonChecks(page, 'home', phone);
    await shot(page, `home-${label}`);

    // A contest page: bars with their numbers in the table, and the map.
    await page.getByRole('link', { name: 'Governor', exact: true }).first().click();
    // A click returns once the next page starts loading: wait for it (and its
    // images, such as the contest map) before counting what it shows.
    await page.waitForLoadState('load');
    check((await page.textContent('h1')).trim() === 'Governor', 'contest heading');
    check(await page.locator('svg.bar').count() > 0, 'bar chart');
    // The map is its own SVG file shown as an image; its alt text points at
    // the table of precincts led, which carries the same information.
    const map = page.locator('figure.map img');
    check(await map.count() === 1, 'one precinct map');
    const alt = await map.getAttribute('alt');
    check(alt.includes('leading choice') && alt.includes('table of precincts led'), 'map has a text alternative');
    check(await map.evaluate(img => img.complete && img.naturalWidth > 0), 'the map image loads');
    const svg = await context.request.get(await map.evaluate(img => img.src));
    check(svg.ok() && svg.headers()['content-type'] === 'image/svg+xml', 'map served as SVG');
    const svgText = await svg.text();
    check((svgText.match(/<path /g) || []).length === 3000, 'a path for each of the 3,000 precincts');
    check(svgText.includes('<title id="map-title">'), 'the SVG has a title of its own');
    check(/\d,\d{3}/.test(await page.locator('table').first().textContent()), 'vote counts with thousands separators');
    const legend = page.getByRole('table', { name: 'Precincts led, by choice' });
    check(await legend.count() === 1, 'the map\'s text alternative is a captioned table');
    check(await legend.getByRole('rowheader', { name: 'Not reporting' }).count() === 1, 'legend lists not reporting');
    await commonChecks(page, 'contest', phone);
    await shot(page, `contest-${label}`);
    await page.locator('figure.map').screenshot({ path: join(screenshotDir, `results-map-${label}.png`) });

    // The ranked-choice contest says what it shows and where the rounds are.
    await page.goto(`${server.base}/results/index.html`);
    await page.getByRole('link', { name: /ranked choice/ }).first().click();
    await page.waitForLoadState('load');
    check((await page.textContent('main')).includes('Ranked-choice contest: first-choice votes are shown'),
          'RCV page explains first choices');
    await commonChecks(page, 'rcv', phone);
    await shot(page, `rcv-${label}`);

    // Polling place finder and a sample ballot.
    await page.goto(`${server.base}/results/index.html`);
    await page.getByRole('link', { name: 'Alder County polling places' }).click();
    await page.waitForLoadState('load');
    check(await page.getByRole('table', { name: 'Precincts and polling places' }).count() === 1, 'finder table');
    await commonChecks(page, 'polling', phone);
    await shot(page, `polling-${label}`);
    await page.getByRole('link', { name: 'style-1', exact: true }).first().click();
    await page.waitForLoadState('load');
    check((await page.textContent('h1')).includes('Sample ballot'), 'sample ballot heading');
    await commonChecks(page, 'ballot', phone);
    await context.close();
  }
  console.log('ok');
} finally {
  await browser.close();
  await server.stop();
  instance.remove();
}
