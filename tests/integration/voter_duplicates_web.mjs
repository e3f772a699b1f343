// Duplicate review page against the real server: a generated roll with
// duplicates, `voters dedup` fills the queue, an Alder clerk sees only
// Alder pairs side by side (birth year, never a birth date), a merge
// without the CSRF token is refused, with it the pair leaves the queue.
import { Client, check, makeInstance, run, serve } from './support.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const instance = makeInstance();
const roll = join(instance.dir, '..', 'roll.tsv');
run('voters', 'generate', '--data', instance.dir, '--count', '3000', '--seed', '5', '--dup-rate', '0.05', '--out', roll, '--quiet');
run('voters', 'import', '--data', instance.dir, '--quiet', roll);
run('voters', 'dedup', '--data', instance.dir, '--out', join(instance.dir, '..', 'pairs.csv'));
const [header, ...rows] = readFileSync(roll, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const birthOf = new Map(rows.map((f) => [f[header.indexOf('ncid')], f[header.indexOf('birth_date')]]));
const server = await serve(instance.dir);
try {
  const clerk = new Client(server.base);
  check((await clerk.post('/login', { form: { username: 'alder-clerk', password: instance.passwords['alder-clerk'] } })).status === 303, 'clerk login');
  const page = await clerk.get('/admin/counties/Alder/duplicates');
  check(page.status === 200 && page.body.includes('Possible duplicate registrations'), `review page (${page.status})`);
  const ids = [...page.body.matchAll(/duplicates\/(\d+)\/merge/g)].map((m) => m[1]);
  check(ids.length > 0, 'Alder has pairs to review');
  const shown = [...page.body.matchAll(/<td>(PC\d+|[A-Z]{2}\d+)<\/td>/g)].map((m) => birthOf.get(m[1])).filter(Boolean);
check(shown.length >= 2 && !shown.some((d) => page.body.includes(d)), 'no birth date of the shown voters on the page');
  check((await clerk.get('/admin/counties/Birch/duplicates')).status === 403, 'Birch refused to an Alder clerk');
  const csrf = page.body.match(/name="csrf_token" value="([^"]+)"/)[1];
  check((await clerk.post(`/admin/counties/Alder/duplicates/${ids[0]}/merge`, { form: {} })).status === 403, 'merge without CSRF token refused');
  const merged = await clerk.post(`/admin/counties/Alder/duplicates/${ids[0]}/merge`, { form: { csrf_token: csrf } });
  check(merged.status === 303, `merge (${merged.status})`);
  const after = await clerk.get('/admin/counties/Alder/duplicates');
  check(!after.body.includes(`duplicates/${ids[0]}/merge`), 'merged pair left the queue');
  if (ids.length > 1) {
    check((await clerk.post(`/admin/counties/Alder/duplicates/${ids[1]}/dismiss`, { form: { csrf_token: csrf } })).status === 303, 'dismiss');
  }
  const again = await clerk.post(`/admin/counties/Alder/duplicates/${ids[0]}/merge`, { form: { csrf_token: csrf } });
  check(again.status === 409, `deciding twice is 409 (${again.status})`);
} finally {
  await server.stop();
  instance.remove();
}
console.log('ok');
