// Foundation integration test against the real server on loopback: sign-in,
// CSRF refusal, county scoping (a clerk of Alder is refused Birch: 403), an
// auditor refused writes, an admin forced through TOTP enrolment, public
// audit endpoints, and a clean `audit verify` after the server stops.
import { Client, check, csrfFrom, makeInstance, run, serve } from './support.mjs';
import { totp } from '../browser/lib.mjs';

const instance = makeInstance();
const auditorPassword = /password: (\S+)/.exec(
  run('user', 'add', '--data', instance.dir, '--role', 'auditor', '--county', 'Alder', 'alder-auditor'))[1];
const server = await serve(instance.dir);
try {
  const anonymous = new Client(server.base);
  check((await anonymous.get('/api/me')).status === 401, 'anonymous /api/me is 401');
  check((await anonymous.get('/api/counties/Alder')).status === 401, 'anonymous county data is 401');
  check((await anonymous.get('/admin')).status === 401, 'anonymous /admin is 401');

  // A clerk of Alder.
  const clerk = new Client(server.base);
  let r = await clerk.post('/login', { form: { username: 'alder-clerk', password: 'wrong password!!' } });
  check(r.status === 401 && r.body.includes('role="alert"'), `wrong password gives the form again with an error (${r.status})`);
  r = await clerk.post('/login', { form: { username: 'alder-clerk', password: instance.passwords['alder-clerk'] } });
  check(r.status === 303 && r.headers.get('location') === '/admin', `clerk login redirects to /admin (${r.status})`);
  check(/HttpOnly/.test(r.headers.get('set-cookie')) && /SameSite=Strict/.test(r.headers.get('set-cookie')), 'session cookie flags');
  const me = await clerk.get('/api/me');
  check(me.status === 200 && me.body.county === 'Alder' && me.body.role === 'clerk', 'clerk /api/me');
  check((await clerk.get('/api/counties/Alder')).status === 200, 'clerk reads own county');
  check((await clerk.get('/api/counties/Birch')).status === 403, 'clerk of Alder is refused Birch (403)');
  check((await clerk.get('/api/counties/Nowhere')).status === 404, 'unknown county is 404');
  check((await clerk.get('/admin/users')).status === 403, 'clerk refused state user management');
  check((await clerk.get('/admin/counties/Alder/users')).status === 403, 'clerk refused county user management');

  // CSRF: a cookie-authenticated write without the token is refused.
  const change = { current_password: instance.passwords['alder-clerk'], new_password: 'a brand new passphrase' };
  check((await clerk.post('/api/me/password', { json: change })).status === 403, 'write without CSRF token is 403');
  check((await clerk.post('/api/me/password', { json: change, headers: { 'X-CSRF-Token': '0'.repeat(64) } })).status === 403,
        'write with a wrong CSRF token is 403');
  r = await clerk.post('/api/me/password', { json: change, headers: { 'X-CSRF-Token': me.body.csrf_token } });
  check(r.status === 200 && r.body.changed === true, `write with the CSRF token succeeds (${r.status})`);
  // Changing the password ends the sessions.
  check((await clerk.get('/api/me')).status === 401, 'password change ends the session');

  // An auditor of Alder reads but never writes.
  const auditor = new Client(server.base);
  r = await auditor.post('/login', { form: { username: 'alder-auditor', password: auditorPassword } });
  check(r.status === 303, `auditor login (${r.status})`);
  const auditorMe = (await auditor.get('/api/me')).body;
  check((await auditor.get('/api/counties/Alder')).status === 200, 'auditor reads own county');
  r = await auditor.patch('/api/counties/Alder', { json: { office_phone: '555-0100' }, headers: { 'X-CSRF-Token': auditorMe.csrf_token } });
  check(r.status === 403, `auditor refused a write (${r.status})`);
  r = await auditor.post('/api/counties/Alder/users', { json: { username: 'sneaky', role: 'clerk' }, headers: { 'X-CSRF-Token': auditorMe.csrf_token } });
  check(r.status === 403, `auditor refused creating a user (${r.status})`);

  // The state admin must enrol TOTP before anything else.
  const admin = new Client(server.base);
  r = await admin.post('/login', { form: { username: 'admin', password: instance.passwords.admin } });
  check(r.status === 303 && r.headers.get('location') === '/account/totp', 'admin without TOTP is sent to enrolment');
  check((await admin.get('/api/me')).status === 403, 'admin without TOTP is refused the API');
  let page = await admin.get('/account/totp');
  check(page.status === 200 && page.body.includes('must use an authenticator'), 'enrolment page says it is required');
  page = await admin.post('/account/totp/begin', { form: { csrf_token: csrfFrom(page.body) } });
  check(page.status === 200 && page.body.includes('<svg'), 'enrolment shows a QR code');
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.body)[1];
  // The server takes the codes of the previous, current and next 30-second
  // steps: a wrong code must differ from all of them (and from the one after,
  // should a step begin before the server checks).
  const accepted = [-30, 0, 30, 60].map((s) => totp(secret, Date.now() / 1000 + s));
  const wrongCode = ['000000', '111111', '222222', '333333', '444444'].find((c) => !accepted.includes(c));
  r = await admin.post('/account/totp', { form: { csrf_token: csrfFrom(page.body), code: wrongCode } });
  check(r.status === 400, `a wrong code is refused (${r.status})`);
  page = await admin.post('/account/totp/begin', { form: { csrf_token: csrfFrom(page.body) } });
  const secret2 = /id="totp-secret">([A-Z2-7]+)</.exec(page.body)[1];
  r = await admin.post('/account/totp', { form: { csrf_token: csrfFrom(page.body), code: totp(secret2) } });
  check(r.status === 303 && r.headers.get('location') === '/admin', `enrolment confirmed (${r.status})`);
  const adminMe = (await admin.get('/api/me')).body;
  check(adminMe.role === 'state_admin', 'admin reaches the API after enrolment');
  r = await admin.patch('/api/counties/Birch', { json: { office_phone: '555-0199' }, headers: { 'X-CSRF-Token': adminMe.csrf_token } });
  check(r.status === 200 && r.body.office_phone === '555-0199', `state admin updates a county (${r.status})`);
  check((await admin.get('/admin/users')).body.includes('alder-auditor'), 'state admin sees every account');

  // API tokens for scripts: shown once, scoped, no CSRF needed, revocable.
  r = await admin.post('/api/me/tokens', { json: { label: 'nightly export', scope: 'read' }, headers: { 'X-CSRF-Token': adminMe.csrf_token } });
  check(r.status === 201 && /^pct_[0-9a-f]{64}$/.test(r.body.token), `read token created (${r.status})`);
  const readToken = r.body;
  r = await admin.post('/api/me/tokens', { json: { label: 'county sync', scope: 'write' }, headers: { 'X-CSRF-Token': adminMe.csrf_token } });
  const writeToken = r.body;
  const script = new Client(server.base);
  const bearer = (token) => ({ Authorization: `Bearer ${token}` });
  check((await script.get('/api/counties/Elm', { headers: bearer(readToken.token) })).status === 200, 'read token reads');
  r = await script.patch('/api/counties/Elm', { json: { website: 'https://elm.example' }, headers: bearer(readToken.token) });
  check(r.status === 403, `read token refused a write (${r.status})`);
  r = await script.patch('/api/counties/Elm', { json: { website: 'https://elm.example' }, headers: bearer(writeToken.token) });
  check(r.status === 200 && r.body.website === 'https://elm.example', `write token writes without CSRF (${r.status})`);
  r = await script.post('/api/me/tokens', { json: { label: 'x' }, headers: bearer(writeToken.token) });
  check(r.status === 403 || r.status === 400, `a token cannot mint tokens (${r.status})`);
  const listed = (await admin.get('/api/me/tokens')).body.tokens;
  check(listed.length === 2 && !JSON.stringify(listed).includes(readToken.token), 'tokens listed without their secret');
  r = await admin.request('DELETE', `/api/me/tokens/${readToken.id}`, { headers: { 'X-CSRF-Token': adminMe.csrf_token } });
  check(r.status === 200, `token revoked (${r.status})`);
  check((await script.get('/api/counties/Elm', { headers: bearer(readToken.token) })).status === 401, 'revoked token is refused');
  check((await script.get('/api/counties/Elm', { headers: bearer('pct_' + '0'.repeat(64)) })).status === 401, 'unknown token is refused');

  // Signing in again needs the code.
  await admin.post('/logout', { form: { csrf_token: adminMe.csrf_token } });
  check((await admin.get('/api/me')).status === 401, 'logout ends the session');
  r = await admin.post('/login', { form: { username: 'admin', password: instance.passwords.admin } });
  check(r.status === 401, 'admin login without a code is refused');
  r = await admin.post('/login', { form: { username: 'admin', password: instance.passwords.admin, code: totp(secret2, Date.now() / 1000 + 30) } });
  check(r.status === 303 && r.headers.get('location') === '/admin', `admin login with a code (${r.status})`);

  // County admins manage their own county only.
  const countyAdmin = new Client(server.base);
  r = await countyAdmin.post('/login', { form: { username: 'alder-admin', password: instance.passwords['alder-admin'] } });
  check(r.headers.get('location') === '/account/totp', 'county admin must enrol too');

  // Public audit endpoints.
  const checkpoint = await anonymous.get('/api/audit/checkpoint');
  check(checkpoint.status === 200 && checkpoint.body.tree_size >= 1 && checkpoint.body.signature, 'public checkpoint');
  const proof = await anonymous.get(`/api/audit/proof/inclusion?seq=1&size=${checkpoint.body.tree_size}`);
  check(proof.status === 200 && proof.body.root_hash === checkpoint.body.root_hash, 'inclusion proof against the checkpoint');
  check((await anonymous.get('/api/audit/proof/inclusion?seq=abc')).status === 400, 'bad proof parameter is 400');
  check((await anonymous.get('/api/audit/entries')).status === 401, 'audit entries need sign-in');
  const entries = await auditor.get('/api/audit/entries?limit=1000');
  const actions = entries.body.entries.map((e) => e.action);
  check(actions.includes('auth.login') && actions.includes('auth.login_failed') && actions.includes('county.update'),
        'logins, failures and changes are in the audit log');
  check(!JSON.stringify(entries.body).includes(instance.passwords.admin), 'no password in the audit log');
} finally {
  const code = await server.stop();
  check(code === 0, `server exits 0 on SIGTERM (got ${code})`);
}
const verify = run('audit', 'verify', '--data', instance.dir);
check(/audit log verified: OK/.test(verify), 'audit verify after the run');
instance.remove();
console.log('web auth integration: ok');
