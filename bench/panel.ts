/**
 * @module
 * Panel benchmark: with 10,000 cadres and 100,000 audit rows, the server time of the cadre list
 * with a filter and of the profile page (p50/p95 over many requests, in-process through
 * `app.request`, so no network is counted), next to the bare-SQL time of the same queries in
 * the same run. Target: p95 under 100 ms.
 *
 *   node --import tsx bench/panel.ts        (uses BENCH_DATABASE_URL, else the local server)
 */
import { writeFileSync } from 'node:fs';
import { connect } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { cadres } from '../db/schema/org.ts';
import { fixedClock } from '../core/clock.ts';
import { demoCadres, seedDemo } from '../core/demo.ts';
import { createUser } from '../core/users.ts';
import { createApp } from '../web/app.ts';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CADRES = 10_000;
const AUDIT_ROWS = 100_000;
const RUNS = 300;
const TARGET_MS = 100;

const quiet = { info() {}, warn() {}, error: console.error, debug() {}, child() { return quiet; } };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(runs: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await fn(i); // warm-up: JIT, plan cache, connections
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  return times;
}

const name = `miaopu_bench_${process.pid}`;
const admin = connect(ADMIN_URL, { max: 1 });
await admin.sql.unsafe(`create database ${name}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const { db, sql } = connect(url.toString(), { max: 10 });
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  console.log(line);
};
try {
  await runMigrations(db, sql);
  await seedDemo(db);
  // 10,000 cadres: the demo people repeated over the demo units, with unique ids and mobiles.
  const people = demoCadres();
  const unitIds = (await sql<{ id: number }[]>`select id from units order by id`).map((u) => u.id);
  const extra = [];
  for (let i = people.length; i < CADRES; i++) {
    const p = people[i % people.length]!;
    const { unitKey: _unitKey, ...rest } = p;
    extra.push({ ...rest, unitId: unitIds[i % unitIds.length]!, name: `${p.name}${i}`, employeeNo: `B${i}`, larkOpenId: null, larkUserId: null, mobile: `15${String(i).padStart(9, '0')}` });
  }
  for (let i = 0; i < extra.length; i += 1000) await db.insert(cadres).values(extra.slice(i, i + 1000));
  await sql`
    insert into audit_log (actor_id, action, entity, entity_id, diff, ip, at)
    select null, (array['view','update','export','login'])[1 + g % 4], 'cadre', (1 + g % ${CADRES})::text,
           jsonb_build_object('position', jsonb_build_array('a', 'b')), '10.0.0.1', now() - (g || ' seconds')::interval
    from generate_series(1, ${AUDIT_ROWS}) g`;
  await sql`analyze`;
  const cadreCount = (await sql<{ n: number }[]>`select count(*)::int as n from cadres`)[0]!.n;
  const auditCount = (await sql<{ n: number }[]>`select count(*)::int as n from audit_log`)[0]!.n;

  const created = await createUser(db, null, { username: 'bench', displayName: 'bench', role: 'district_admin', unitId: null, password: 'bench-password' });
  if (!created.ok) throw new Error('could not create the bench user');
  const app = createApp({
    db,
    log: quiet,
    pingQueue: async () => {},
    queueBackend: 'postgres',
    panel: { clock: fixedClock('2026-11-25T09:00:00Z'), publicUrl: 'http://localhost', sandbox: false, lark: { domain: 'http://localhost' } },
  });
  const login = await app.request('/login', { method: 'POST', body: new URLSearchParams({ username: 'bench', password: 'bench-password' }), headers: { origin: 'http://localhost' } });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const get = async (path: string) => {
    const res = await app.request(path, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    await res.text();
  };

  const listPath = '/cadres?team=leader&age=35to44&sort=name&page=2';
  const list = await timed(RUNS, () => get(listPath));
  const listSql = await timed(RUNS, () =>
    Promise.all([
      sql`select c.id, c.name, c.gender, c.birth_date, c.position, c.rank, c.is_leader, c.is_principal, c.tags, c.status, c.unit_id, u.name
          from cadres c join units u on u.id = c.unit_id
          where c.is_leader and c.birth_date <= '1991-11-25' and c.birth_date > '1981-11-25'
          order by c.name collate "C", c.id limit 20 offset 20`,
      sql`select count(*)::int from cadres c where c.is_leader and c.birth_date <= '1991-11-25' and c.birth_date > '1981-11-25'`,
    ]),
  );
  const search = await timed(RUNS, () => get(`/cadres?q=${encodeURIComponent('王')}`));

  const profile = await timed(RUNS, (i) => get(`/cadres/${1 + ((i * 37) % CADRES)}`));
  const profileSql = await timed(RUNS, async (i) => {
    const id = 1 + ((i * 37) % CADRES);
    await sql`select c.*, u.name from cadres c join units u on u.id = c.unit_id where c.id = ${id}`;
    await sql`select at, action, diff from audit_log where entity = 'cadre' and entity_id = ${String(id)} and action in ('create','update','import') order by at desc limit 50`;
  });

  const row = (label: string, t: number[]) => `${label.padEnd(44)} p50 ${percentile(t, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(t, 95).toFixed(1).padStart(6)} ms`;
  say(`Panel benchmark, ${new Date().toISOString()}: ${cadreCount} cadres, ${auditCount} audit rows, ${RUNS} requests each (in-process, server time)`);
  say(row(`GET ${listPath}`, list));
  say(row('  bare SQL of the same list + count', listSql));
  say(row(`GET /cadres?q=王 (search)`, search));
  say(row('GET /cadres/:id (profile, audited view)', profile));
  say(row('  bare SQL of the same profile reads', profileSql));
  const worst = Math.max(percentile(list, 95), percentile(profile, 95), percentile(search, 95));
  say(`Target: p95 < ${TARGET_MS} ms → ${worst < TARGET_MS ? 'met' : 'NOT met'} (worst p95 ${worst.toFixed(1)} ms)`);
  writeFileSync(new URL('./results/panel.txt', import.meta.url), `${lines.join('\n')}\n`);
} finally {
  await sql.end({ timeout: 2 });
  await admin.sql.unsafe(`drop database if exists ${name} with (force)`);
  await admin.sql.end();
}
