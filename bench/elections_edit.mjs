// Cost of one edit through the election admin pages on a statewide-size
// definition: the demo election (3000 precincts with GeoJSON boundaries, 59
// contests, 1000 polling places) exported and imported again as a test-mode
// copy, then 10 "add party" form posts timed (each reloads, re-checks and
// re-hashes the whole definition in its transaction), and the precinct list
// page once. Usage: PRECINCT=build/precinct node bench/elections_edit.mjs
import { Client, check, csrfFrom, makeInstance, run, serve } from '../tests/integration/support.mjs';
import { totp } from '../tests/browser/lib.mjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const instance = makeInstance();
const out = join(instance.dir, '..', 'demo.json');
run('elections', 'export', '--data', instance.dir, '--election', '1', '--format', 'err', '--out', out);
const text = readFileSync(out, 'utf8').replace('"2026-general"', '"bench-copy"');
writeFileSync(out, text);
console.log(run('elections', 'import', '--data', instance.dir, out).trim());
const server = await serve(instance.dir);
try {
  const c = new Client(server.base);
  let r = await c.post('/login', { form: { username: 'admin', password: instance.passwords.admin } });
  let page = await c.get('/account/totp');
  page = await c.post('/account/totp/begin', { form: { csrf_token: csrfFrom(page.body) } });
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.body)[1];
  r = await c.post('/account/totp', { form: { csrf_token: csrfFrom(page.body), code: totp(secret) } });
  page = await c.get('/admin/elections/2/parties');
  const csrf = csrfFrom(page.body);
  const times = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    r = await c.post('/admin/elections/2/parties', { form: { csrf_token: csrf, name: `Bench Party ${i}` } });
    times.push(performance.now() - t);
    check(r.status === 303, `add ${r.status}`);
  }
  times.sort((a, b) => a - b);
  const t0 = performance.now(); page = await c.get('/admin/elections/2/precincts'); const listMs = performance.now() - t0;
  console.log(`party add on imported demo election: median ${times[5].toFixed(0)} ms, max ${times[9].toFixed(0)} ms; precinct list page ${listMs.toFixed(0)} ms, ${page.body.length} bytes`);
} finally { await server.stop(); instance.remove(); }
