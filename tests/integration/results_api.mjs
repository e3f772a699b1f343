// Election night over the JSON API against the real server: a county clerk
// uploads returns (accepted, idempotent, rejected with the line), is kept to
// their own county, cannot publish, and the public /results pages follow.
import { Client, check, makeInstance, serve } from './support.mjs';

const instance = makeInstance();
const server = await serve(instance.dir);
try {
  const clerk = new Client(server.base);
  let r = await clerk.post('/login', { form: { username: 'alder-clerk', password: instance.passwords['alder-clerk'] } });
  check(r.status === 303, `clerk login (${r.status})`);
  const me = (await clerk.get('/api/me')).body;
  const upload = (county, csv) => fetch(`${server.base}/api/counties/${county}/returns?file_name=night.csv`, {
    method: 'POST',
    headers: { Cookie: clerk.cookie, 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'text/csv' },
    body: csv,
  }).then(async (response) => ({ status: response.status, body: await response.json() }));

  const header = 'precinct,contest,choice,counting_group,votes,ballots_cast\n';
  const good = `${header}pct-a0001,contest-1,choice-1-1,election-day,40,100\npct-a0001,contest-1,choice-1-2,election-day,30,\n`;
  r = await upload('Alder', good);
  check(r.status === 201 && r.body.unchanged === false && r.body.mode === 'live' && r.body.total_votes === 70,
        `upload accepted (${r.status} ${JSON.stringify(r.body)})`);
  const version = r.body.version;
  r = await upload('Alder', good);
  check(r.status === 200 && r.body.unchanged === true && r.body.version === version, `same file unchanged (${r.status})`);
  r = await upload('Alder', `${header}pct-a0001,contest-1,choice-1-1,election-day,40,100\npct-b0001,contest-1,choice-1-1,early,1,5\n`);
  check(r.status === 400 && r.body.error.field === 'precinct' && r.body.error.message.startsWith('line 3:'),
        `bad file rejected with its line (${r.status} ${JSON.stringify(r.body)})`);
  r = await upload('Birch', good);
  check(r.status === 403, `clerk of Alder refused Birch (${r.status})`);
  r = await clerk.post('/api/results/publish', { json: {}, headers: { 'X-CSRF-Token': me.csrf_token } });
  check(r.status === 403, `clerk cannot publish (${r.status})`);

  const anonymous = new Client(server.base);
  r = await anonymous.get('/results/index.html');
  check(r.status === 200 && r.body.includes('<h1>Election results</h1>'), `public results page (${r.status})`);
  r = await anonymous.get('/results/publication.json');
  check(r.status === 200 && r.body.publication === 1 && r.body.mode === 'live', 'publication.json of the demo');
  // The site's root, with or without the trailing slash, leads to its index.
  for (const root of ['/results', '/results/']) {
    r = await anonymous.get(root);
    check(r.status === 303 && r.headers.get('location') === '/results/index.html', `${root} redirects (${r.status})`);
  }
  // Contest maps are SVG files of their own, served with their type.
  r = await anonymous.get('/results/maps/c1.svg');
  check(r.status === 200 && r.headers.get('content-type') === 'image/svg+xml' && r.body.startsWith('<svg xmlns='),
        `contest map SVG (${r.status} ${r.headers.get('content-type')})`);
} finally {
  await server.stop();
  instance.remove();
}
console.log('results_api: ok');
