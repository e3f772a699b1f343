// Helpers for integration tests written in Node: a throwaway instance (on
// SQLite, or on PostgreSQL when PRECINCT_TEST_BACKEND=postgres: a fresh
// database on the test server named by PRECINCT_TEST_PG_URL or the file
// PRECINCT_TEST_PG_URL_FILE), the real server on a random loopback port, and
// a cookie-keeping HTTP client.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const precinct = process.env.PRECINCT;
if (!precinct) throw new Error('set PRECINCT to the precinct binary');

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

export function run(...args) {
  return execFileSync(precinct, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export const backend = process.env.PRECINCT_TEST_BACKEND || 'sqlite';

function pgBaseUrl() {
  if (process.env.PRECINCT_TEST_PG_URL) return process.env.PRECINCT_TEST_PG_URL;
  const file = process.env.PRECINCT_TEST_PG_URL_FILE;
  if (!file) throw new Error('PRECINCT_TEST_BACKEND=postgres needs PRECINCT_TEST_PG_URL or PRECINCT_TEST_PG_URL_FILE');
  return readFileSync(file, 'utf8').trim();
}

function psql(sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', `${pgBaseUrl()} dbname=postgres`, '-c', sql],
               { stdio: ['ignore', 'ignore', 'inherit'] });
}

// `precinct init` arguments for the backend under test, and how to drop
// what the instance created outside its directory.
function initBackend() {
  if (backend === 'sqlite') return { args: [], drop: () => {} };
  if (backend !== 'postgres') throw new Error(`unknown PRECINCT_TEST_BACKEND ${backend}`);
  const name = `it_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  psql(`CREATE DATABASE ${name}`);
  return {
    args: ['--database-url', `${pgBaseUrl()} dbname=${name}`],
    drop: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

// Creates an instance with the demo state; returns {dir, passwords}.
export function makeInstance() {
  const dir = join(mkdtempSync(join(tmpdir(), 'precinct-it-')), 'data');
  const database = initBackend();
  const out = run('init', '--data', dir, ...database.args) + run('demo', '--data', dir);
  const passwords = {};
  for (const match of out.matchAll(/username: (\S+)\n\s+password: (\S+)/g)) passwords[match[1]] = match[2];
  // Loopback HTTP: cookies cannot be Secure here.
  const conf = join(dir, 'precinct.conf');
  writeFileSync(conf, readFileSync(conf, 'utf8').replace('secure_cookies = true', 'secure_cookies = false'));
  return {
    dir, passwords,
    remove: () => { database.drop(); rmSync(join(dir, '..'), { recursive: true, force: true }); },
  };
}

// Starts `precinct serve` on a free port; resolves to {base, stop()}.
export function serve(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(precinct, ['serve', '--data', dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.stdout.on('data', (chunk) => {
      const match = /serving (http:\/\/\S+)/.exec(String(chunk));
      if (match) resolve({
        base: match[1],
        stderr: () => stderr,
        stop: () => new Promise((done) => { child.on('exit', (code) => done(code)); child.kill('SIGTERM'); }),
      });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

// A client that keeps the session cookie and never follows redirects.
export class Client {
  constructor(base) { this.base = base; this.cookie = null; }
  async request(method, path, { form, json, headers = {} } = {}) {
    const init = { method, headers: { ...headers }, redirect: 'manual' };
    if (this.cookie) init.headers.Cookie = this.cookie;
    if (form) {
      init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
      init.body = new URLSearchParams(form).toString();
    } else if (json !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(json);
    }
    const response = await fetch(this.base + path, init);
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0];
      this.cookie = pair.endsWith('=') ? null : pair;
    }
    const text = await response.text();
    let body = text;
    if ((response.headers.get('content-type') || '').includes('json')) body = JSON.parse(text);
    return { status: response.status, headers: response.headers, body };
  }
  get(path, options) { return this.request('GET', path, options); }
  post(path, options) { return this.request('POST', path, options); }
  patch(path, options) { return this.request('PATCH', path, options); }
}

// The value of the first hidden csrf_token input of an HTML page.
export function csrfFrom(html) {
  const match = /name="csrf_token" value="([0-9a-f]+)"/.exec(html);
  return match ? match[1] : null;
}
