// Crash durability through the real server: ITERATIONS times (env
// KILL_LOOP_ITERATIONS, default 100) start `precinct serve`, let one writer
// per county PATCH a unique office_address through the JSON API with a
// write-scope API token (made by `precinct user token`), and SIGKILL the
// server at a random moment. A write counts as acknowledged when the API
// answered 2xx with the new value. After each restart, every county must hold
// its last acknowledged value or a value sent after it (a write the server
// may have committed without the client seeing the answer); never an older
// one. `precinct db check` and `precinct audit verify` must pass (after
// every kill), and the audit log must hold at least one
// county.update entry per acknowledged write.
// Prints iterations, writes acknowledged, writes lost (must be 0).
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, makeInstance, precinct, run } from './support.mjs';

const iterations = Number(process.env.KILL_LOOP_ITERATIONS || 100);
const maxKillMs = Number(process.env.KILL_LOOP_MAX_MS || 300);
const instance = makeInstance();
const logDir = mkdtempSync(join(tmpdir(), 'precinct-killapi-'));
const ackLog = join(logDir, 'acknowledged');
const token = /token: (pct_[0-9a-f]{64})/.exec(
  run('user', 'token', '--data', instance.dir, '--scope', 'write', '--label', 'kill loop', 'admin'))[1];
const auth = { Authorization: `Bearer ${token}` };

// Starts the server; resolves to {base, child} once it listens.
function start() {
  return new Promise((resolve, reject) => {
    const child = spawn(precinct, ['serve', '--data', instance.dir, '--listen', '127.0.0.1:0'],
                        { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /serving (http:\/\/\S+)/.exec(stdout);
      if (match) resolve({ base: match[1], child, exited: new Promise((done) => child.on('exit', done)) });
    });
    child.on('exit', (code, signal) => reject(new Error(`serve exited ${code ?? signal} before listening: ${stderr}`)));
  });
}

async function api(base, method, path, body) {
  const init = { method, headers: { ...auth } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(base + path, init);
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

// Per county: the last acknowledged value and the values sent after it
// without an acknowledgement (any one of them may have been committed).
const state = new Map();
let acknowledged = 0;
let unanswered = 0;
let refused = 0;
let lost = 0;

function checkCounty(name, value, iteration) {
  const s = state.get(name);
  if (value === s.acked || s.pending.includes(value)) {
    if (value !== s.acked) { s.acked = value; } // an unacknowledged write that did commit
    s.pending = [];
    return;
  }
  lost += 1;
  console.error(`LOST: iteration ${iteration}: ${name} holds ${JSON.stringify(value)}, ` +
                `last acknowledged ${JSON.stringify(s.acked)}`);
  s.acked = value;
  s.pending = [];
}

async function writer(base, name, iteration, stop) {
  const s = state.get(name);
  for (let n = 0; !stop.done; n += 1) {
    const value = `k${iteration}.${name}.${n}`;
    s.pending.push(value);
    let r;
    try {
      r = await api(base, 'PATCH', `/api/counties/${encodeURIComponent(name)}`, { office_address: value });
    } catch {
      unanswered += 1; // the server died: this write may or may not have committed
      return;
    }
    if (r.status >= 200 && r.status < 300) {
      check(r.body.office_address === value, `acknowledged PATCH returned ${JSON.stringify(r.body)}`);
      s.acked = value;
      s.pending = [];
      acknowledged += 1;
      appendFileSync(ackLog, `${value}\n`);
    } else {
      refused += 1; // answered but not accepted: must not have committed either
      s.pending.pop();
    }
  }
}

let counties = null;
const started = Date.now();
for (let iteration = 1; iteration <= iterations; iteration += 1) {
  const server = await start();
  if (counties === null) {
    const list = await api(server.base, 'GET', '/api/counties');
    check(list.status === 200, `GET /api/counties (${list.status})`);
    counties = (list.body.counties || list.body).map((c) => c.name);
    check(counties.length >= 2, 'the demo state has counties');
    for (const name of counties) state.set(name, { acked: null, pending: [] });
  }
  for (const name of counties) {
    const r = await api(server.base, 'GET', `/api/counties/${encodeURIComponent(name)}`);
    check(r.status === 200, `GET county ${name} after restart (${r.status})`);
    if (state.get(name).acked === null) state.get(name).acked = r.body.office_address;
    else checkCounty(name, r.body.office_address, iteration);
  }
  const stop = { done: false };
  const writers = counties.map((name) => writer(server.base, name, iteration, stop));
  await new Promise((done) => setTimeout(done, Math.floor(Math.random() * maxKillMs)));
  server.child.kill('SIGKILL');
  await server.exited;
  stop.done = true;
  await Promise.all(writers);
  run('db', 'check', '--data', instance.dir);
  check(/audit log verified: OK/.test(run('audit', 'verify', '--data', instance.dir)), `audit verify after iteration ${iteration}`);
}

// One clean run at the end: the last iteration's values, and the audit log
// holds an entry for every acknowledged write (the entry is committed in the
// same transaction as the change).
const server = await start();
let updates = 0;
for (let after = 0; after !== null;) {
  const page = await api(server.base, 'GET', `/api/audit/entries?after=${after}&limit=1000`);
  check(page.status === 200, `GET /api/audit/entries (${page.status})`);
  updates += page.body.entries.filter((e) => e.action === 'county.update').length;
  after = page.body.next_after;
}
for (const name of counties) {
  const r = await api(server.base, 'GET', `/api/counties/${encodeURIComponent(name)}`);
  checkCounty(name, r.body.office_address, iterations + 1);
}
server.child.kill('SIGTERM');
check(await server.exited === 0, 'server exits 0 on SIGTERM');
run('db', 'check', '--data', instance.dir);
check(/audit log verified: OK/.test(run('audit', 'verify', '--data', instance.dir)), 'final audit verify');
const missingEntries = Math.max(0, acknowledged - updates);
lost += missingEntries;
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`kill loop (API, ${process.env.PRECINCT_TEST_BACKEND || 'sqlite'}): iterations=${iterations} ` +
            `acknowledged=${acknowledged} unanswered=${unanswered} refused=${refused} ` +
            `audit_updates=${updates} lost=${lost} seconds=${seconds}`);
check(lost === 0, `${lost} acknowledged writes lost`);
check(acknowledged > 0, 'no write was acknowledged: the test proved nothing');
instance.remove();
rmSync(logDir, { recursive: true, force: true });
