// Measures POST /api/lookup latency for a voter on the roll vs one who is
// not (same name shape), alternating requests to cancel drift. Usage:
//   PRECINCT=build/precinct node bench/lookup_timing.mjs [ROUNDS]
// The instance's voters.lookup_per_minute is raised so the limiter stays out.
import { Client, makeInstance, run, serve } from '../tests/integration/support.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const rounds = Number(process.argv[2] || 2000);
const instance = makeInstance();
const roll = join(instance.dir, '..', 'roll.tsv');
run('voters', 'generate', '--data', instance.dir, '--count', '20000', '--seed', '3', '--dup-rate', '0', '--out', roll, '--quiet');
run('voters', 'import', '--data', instance.dir, '--quiet', roll);
execFileSync('sqlite3', [join(instance.dir, 'precinct.db'), "INSERT INTO instance_settings (name, value) VALUES ('voters.lookup_per_minute', '1000000')"]);
const [header, ...rows] = readFileSync(roll, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const col = (n) => header.indexOf(n);
const v = rows.find((f) => f[col('birth_date')]);
const hit = { first_name: v[col('first_name')], last_name: v[col('last_name')], birth_date: v[col('birth_date')], zip: v[col('zip_code')].slice(0, 5) };
const miss = { ...hit, birth_date: hit.birth_date.slice(0, 8) + (hit.birth_date.endsWith('01') ? '02' : '01') };
const server = await serve(instance.dir);
const web = new Client(server.base);
const times = { hit: [], miss: [] };
try {
  for (let i = 0; i < rounds; i++) {
    for (const [name, body] of i % 2 ? [['hit', hit], ['miss', miss]] : [['miss', miss], ['hit', hit]]) {
      const t = process.hrtime.bigint();
      const r = await web.post('/api/lookup', { json: body });
      times[name].push(Number(process.hrtime.bigint() - t) / 1000);
      if (r.status !== 200 || r.body.found !== (name === 'hit')) throw new Error(`unexpected answer ${r.status}`);
    }
  }
} finally {
  await server.stop();
  instance.remove();
}
const stat = (a) => { a.sort((x, y) => x - y); return { median: a[a.length >> 1], p90: a[Math.floor(a.length * 0.9)], mean: a.reduce((s, x) => s + x, 0) / a.length }; };
const h = stat(times.hit), m = stat(times.miss);
console.log(`rounds ${rounds}: found median ${h.median.toFixed(0)} us p90 ${h.p90.toFixed(0)} us; not found median ${m.median.toFixed(0)} us p90 ${m.p90.toFixed(0)} us; median difference ${(h.median - m.median).toFixed(0)} us`);
