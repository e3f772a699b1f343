// Crash durability of online registration (SQLite): ITERATIONS times (env
// KILL_LOOP_ITERATIONS, default 40) start `precinct serve`, let 8 clients
// POST unique applications to /register, and SIGKILL the server at a random
// moment (0-KILL_LOOP_MAX_MS ms, default 400). A submission is acknowledged
// when the page answered 200 with a confirmation number: after each kill,
// every acknowledged number must be stored (`precinct voters applications
// list`), `precinct db check` and `precinct audit verify` must pass, and at
// the end the log holds one voter_application.submit entry per stored row.
// Prints iterations, acknowledged, stored, lost (must be 0).
import { execFileSync, spawn } from 'node:child_process';
import { check, makeInstance, precinct, run } from './support.mjs';
import { join } from 'node:path';

// Say how far it got if it ends early (an exception prints its own stack).
let progress = 'starting';
process.on('exit', (code) => { if (code !== 0) console.error(`kill loop (registration) exited ${code} at: ${progress}`); });

const iterations = Number(process.env.KILL_LOOP_ITERATIONS || 40);
const maxKillMs = Number(process.env.KILL_LOOP_MAX_MS || 400);
const instance = makeInstance();
const db = join(instance.dir, 'precinct.db');
execFileSync('sqlite3', [db, "INSERT INTO instance_settings (name, value) VALUES ('voters.registration_per_minute', '100000000')"]);

function start() {
  return new Promise((resolve, reject) => {
    const child = spawn(precinct, ['serve', '--data', instance.dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '', stdout = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /serving (http:\/\/\S+)/.exec(stdout);
      if (match) resolve({ base: match[1], child, exited: new Promise((done) => child.on('exit', done)) });
    });
    child.on('exit', (code, signal) => reject(new Error(`serve exited ${code ?? signal} before listening: ${stderr}`)));
  });
}

const acknowledged = new Set();
let unanswered = 0, refused = 0;

async function client(base, iteration, index, stop) {
  for (let n = 0; !stop.done; n += 1) {
    const form = new URLSearchParams({
      kind: 'new', first_name: `K${iteration}C${index}`, last_name: `N${n}`, dob_day: '3', dob_month: '4',
      dob_year: '1980', res_street_address: `${n} Kill St`, res_city: 'Alder', res_zip: '27510', county: 'Alder',
      no_id_number: '1', citizenship: '1',
    });
    let response, text;
    try {
      response = await fetch(`${base}/register`, { method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      text = await response.text();
    } catch {
      unanswered += 1; // the server died: stored or not, nobody was told
      return;
    }
    const number = /id="confirmation-number">([0-9A-Z-]+)</.exec(text);
    if (response.status === 200 && number) acknowledged.add(number[1]);
    else refused += 1;
  }
}

function stored() {
  const out = execFileSync(precinct, ['voters', 'applications', 'list', '--data', instance.dir, '--limit', '10000000'],
                           { encoding: 'utf8', maxBuffer: 1 << 28 });
  return new Set(out.split('\n').filter(Boolean).map((line) => line.split('\t')[1]));
}

let lost = 0;
const started = Date.now();
for (let iteration = 1; iteration <= iterations; iteration += 1) {
  progress = `iteration ${iteration}: starting the server`;
  const server = await start();
  progress = `iteration ${iteration}: submitting`;
  const stop = { done: false };
  const clients = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => client(server.base, iteration, i, stop));
  await new Promise((done) => setTimeout(done, Math.floor(Math.random() * maxKillMs)));
  server.child.kill('SIGKILL');
  await server.exited;
  stop.done = true;
  await Promise.all(clients);
  progress = `iteration ${iteration}: checking`;
  const rows = stored();
  for (const number of acknowledged) {
    if (!rows.has(number)) {
      lost += 1;
      console.error(`LOST: iteration ${iteration}: ${number} was acknowledged and is not stored`);
    }
  }
  run('db', 'check', '--data', instance.dir);
  check(/audit log verified: OK/.test(run('audit', 'verify', '--data', instance.dir)), `audit verify after iteration ${iteration}`);
}
const rows = stored();
const entries = Number(execFileSync('sqlite3', [db, "SELECT COUNT(*) FROM audit_log WHERE action = 'voter_application.submit'"], { encoding: 'utf8' }));
check(entries === rows.size, `one audit entry per stored application (${entries} for ${rows.size})`);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`kill loop (registration): iterations=${iterations} acknowledged=${acknowledged.size} stored=${rows.size} ` +
            `unanswered=${unanswered} refused=${refused} lost=${lost} seconds=${seconds}`);
check(lost === 0, `${lost} acknowledged submissions lost`);
check(acknowledged.size > 0, 'nothing was acknowledged: the test proved nothing');
instance.remove();
