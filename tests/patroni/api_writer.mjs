// Writer for the Patroni failover drill (tests/patroni/failover.sh): starts
// `precinct serve` on the instance DATA (PostgreSQL, url listing every node
// with target_session_attrs=read-write), PATCHes a unique office_address into
// every county, one sequential writer per county, with a write-scope API
// token, until the file STOP exists. Prints one line per acknowledged write:
// "<milliseconds> <value>". At the end it reads every county back through the
// API and checks it holds its last acknowledged value or one sent after it,
// and that the audit log holds at least one county.update per acknowledged
// write; prints a summary line "# acknowledged=A failed=F lost=L".
// Usage: node api_writer.mjs DATA STOP
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { precinct, run } from '../integration/support.mjs';

const [dir, stopFile] = process.argv.slice(2);
const token = /token: (pct_[0-9a-f]{64})/.exec(
  run('user', 'token', '--data', dir, '--scope', 'write', '--label', 'failover drill', 'admin'))[1];
const auth = { Authorization: `Bearer ${token}` };

const child = spawn(precinct, ['serve', '--data', dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
process.on('SIGTERM', () => { child.kill('SIGTERM'); process.exit(1); });
const base = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /serving (http:\/\/\S+)/.exec(out);
    if (match) resolve(match[1]);
  });
  child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
});

async function api(method, path, body) {
  const init = { method, headers: { ...auth }, signal: AbortSignal.timeout(60000) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(base + path, init);
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

// The demo counties only: the store writer adds counties K<n> meanwhile.
const counties = (await api('GET', '/api/counties')).body.counties.map((c) => c.name).filter((n) => !/^K\d+$/.test(n));
const state = new Map(counties.map((name) => [name, { acked: null, pending: [] }]));
let acknowledged = 0;
let failed = 0;

async function writer(name) {
  const s = state.get(name);
  for (let n = 0; !existsSync(stopFile); n += 1) {
    const value = `f.${name}.${n}`;
    s.pending.push(value);
    let r = null;
    try { r = await api('PATCH', `/api/counties/${encodeURIComponent(name)}`, { office_address: value }); } catch { r = null; }
    if (r && r.status === 200 && r.body.office_address === value) {
      s.acked = value;
      s.pending = [];
      acknowledged += 1;
      console.log(`${Date.now()} ${value}`);
    } else {
      failed += 1; // not acknowledged: may or may not have committed, so it stays pending
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}
await Promise.all(counties.map(writer));

let lost = 0;
for (const name of counties) {
  const r = await api('GET', `/api/counties/${encodeURIComponent(name)}`);
  const s = state.get(name);
  if (r.status !== 200 || !(r.body.office_address === s.acked || s.pending.includes(r.body.office_address))) {
    lost += 1;
    console.error(`LOST: ${name} holds ${JSON.stringify(r.body.office_address)}, last acknowledged ${s.acked}`);
  }
}
let updates = 0;
for (let after = 0; after !== null;) {
  const page = await api('GET', `/api/audit/entries?after=${after}&limit=1000`);
  updates += page.body.entries.filter((e) => e.action === 'county.update').length;
  after = page.body.next_after;
}
lost += Math.max(0, acknowledged - updates);
child.kill('SIGTERM');
await new Promise((done) => child.on('exit', done));
console.log(`# acknowledged=${acknowledged} failed=${failed} audit_updates=${updates} lost=${lost}`);
process.exit(lost === 0 ? 0 : 1);
