// Voter API against the real server: a demo instance gets a generated roll
// (its own counties), then a clerk of Alder reads Alder voters by NCID and
// by name, is refused Birch (403), never sees a birth date, and a Birch
// voter asked for under Alder is 404.
import { Client, check, makeInstance, run, serve } from './support.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const instance = makeInstance();
const roll = join(instance.dir, '..', 'roll.tsv');
run('voters', 'generate', '--data', instance.dir, '--count', '3000', '--seed', '4', '--dup-rate', '0', '--out', roll, '--quiet');
run('voters', 'import', '--data', instance.dir, '--quiet', roll);
const lines = readFileSync(roll, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
const alder = lines.find((f) => f[1] === 'ALDER');
const birch = lines.find((f) => f[1] === 'BIRCH');
check(alder && birch, 'generated voters in Alder and Birch');
const server = await serve(instance.dir);
try {
  const clerk = new Client(server.base);
  const r = await clerk.post('/login', { form: { username: 'alder-clerk', password: instance.passwords['alder-clerk'] } });
  check(r.status === 303, `clerk login (${r.status})`);
  const one = await clerk.get(`/api/counties/Alder/voters/${alder[3]}`);
  check(one.status === 200 && one.body.ncid === alder[3] && one.body.last_name === alder[4], `read an Alder voter (${one.status})`);
  check(one.body.birth_year === Number(alder[30]), 'birth year shown');
  check(!JSON.stringify(one.body).includes(alder[67]), 'no birth date in the answer');
  check((await clerk.get(`/api/counties/Birch/voters/${birch[3]}`)).status === 403, 'Birch refused to an Alder clerk');
  check((await clerk.get(`/api/counties/Alder/voters/${birch[3]}`)).status === 404, 'a Birch voter is not found under Alder');
  const found = await clerk.get(`/api/counties/Alder/voters?last=${encodeURIComponent(alder[4].slice(0, 3))}`);
  check(found.status === 200 && found.body.voters.some((v) => v.ncid === alder[3]), 'name search finds the voter');
  check(found.body.voters.every((v) => lines.find((f) => f[3] === v.ncid)[1] === 'ALDER'), 'search stays in Alder');
  check((await clerk.get('/api/counties/Alder/voters')).status === 400, 'search needs a last name');
} finally {
  await server.stop();
  instance.remove();
}
console.log('ok');
