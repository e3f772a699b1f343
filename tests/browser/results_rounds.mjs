// Browser test in real Chromium of the ranked-choice rounds page of the demo
// election night (served by `precinct serve`): reached from the contest page
// without JavaScript, one chart per round (SVG with a title) and a table
// whose numbers are those of the published rounds JSON, the winner named, no
// sideways scroll on a phone. Screenshots: tests/browser/screenshots/
// results-rounds-{phone,desktop}.png.
import { launchBrowser, screenshotDir, check } from './lib.mjs';
import { makeInstance, serve } from '../integration/support.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const instance = makeInstance();
const server = await serve(instance.dir);
const browser = await launchBrowser();
mkdirSync(screenshotDir, { recursive: true });

try {
  for (const [label, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
    const phone = label === 'phone';
    const context = await browser.newContext({ viewport, deviceScaleFactor: phone ? 2 : 1, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.base}/results/index.html`);
    await page.getByRole('link', { name: /ranked choice/ }).first().click();
    // A click returns once the next page starts loading: wait for it
    // before reading or counting what it shows.
    await page.waitForLoadState('load');
    check((await page.textContent('main')).includes('first-choice votes are shown (round 1 of the tabulation)'),
          'contest page explains first choices');
    await page.getByRole('link', { name: 'Round-by-round tabulation' }).first().click();
    await page.waitForLoadState('load');
    const url = page.url();
    const match = /rounds\/(c\d+)\.html$/.exec(url);
    check(match !== null, `rounds page address (${url})`);
    check((await page.textContent('h1')).includes('round by round'), 'rounds heading');

    const summary = await (await context.request.get(url.replace(/\.html$/, '.json'))).json();
    const rounds = summary.results;
    check(rounds.length >= 2, `several rounds (${rounds.length})`);
    check(await page.locator('figure.rounds-chart svg[role="img"]').count() === rounds.length, 'one chart per round');
    check(await page.locator('figure.rounds-chart svg title').count() === rounds.length, 'every chart has a title');
    check(await page.locator('figcaption').count() === 1, 'the chart is captioned');
    const winner = rounds[rounds.length - 1].tallyResults.find((o) => o.elected).elected;
    check((await page.locator('.rounds-winner').textContent()).includes(`${winner} is elected in round ${rounds.length}`),
          'winner sentence');

    // Every round's votes in the table are the JSON's.
    const table = page.locator('table.rounds');
    check(await table.locator('thead th[scope="colgroup"]').count() === rounds.length, 'a column group per round');
    for (const [name, votes] of Object.entries(rounds[0].tally)) {
      const row = table.locator('tbody tr', { has: page.locator('th', { hasText: name }) });
      check(await row.count() === 1, `a row for ${name}`);
      const cells = await row.locator('td').allTextContents();
      check(cells[0].trim() === votes, `${name}: round 1 ${cells[0]} = ${votes}`);
      const last = rounds[rounds.length - 1].tally[name];
      if (last !== undefined) check(cells[cells.length - 3].trim() === last, `${name}: last round ${last}`);
    }
    check(await page.locator('th').count() === await page.locator('th[scope]').count(), 'every header has a scope');
    check(await page.locator('script').count() === 0, 'no JavaScript');
    check((await page.textContent('main')).includes('Not yet included'), 'counties without CVRs are named');
    if (phone) {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      check(!overflow, 'no sideways scroll on a phone');
    }
    await page.screenshot({ path: join(screenshotDir, `results-rounds-${label}.png`), fullPage: true });
    await context.close();
  }
  console.log('ok');
} finally {
  await browser.close();
  await server.stop();
  instance.remove();
}
