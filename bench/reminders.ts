/**
 * @module
 * Reminder engine benchmark: a sweep over 10,000 (purpose, recipient) candidates (10,000 cadres
 * owed a nudge, 500 of them away, 2,000 with a message already today, 200 at the daily cap,
 * 1,000 already reminded for this slot) decides what is due: the candidate query, the engine's context reads (calendar,
 * absences, today's counts, written keys) and the plan. Printed beside the bare SQL of the same
 * candidate query from the same run. Target: under 1 s.
 *
 *   node --import tsx bench/reminders.ts     (BENCH_DATABASE_URL, else an embedded PostgreSQL)
 */
import { writeFileSync } from 'node:fs';
import { fixedClock } from '../core/clock.ts';
import { demoCadres } from '../core/demo.ts';
import { ensureBuiltinCalendar } from '../core/reminders/store.ts';
import { planSweep } from '../core/reminders/sweep.ts';
import type { ReminderCandidate } from '../core/reminders/engine.ts';
import { DEFAULT_QUIET_HOURS } from '../core/reminders/window.ts';
import { cadres } from '../db/schema/org.ts';
import { benchDatabase } from './db.ts';

const CANDIDATES = 10_000;
const RUNS = 20;
const TARGET_MS = 1000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const bench = await benchDatabase();
const { db, sql } = bench;
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  console.log(line);
};
try {
  const people = demoCadres();
  const unitIds = (await sql<{ id: number }[]>`select id from units order by id`).map((u) => u.id);
  const extra = [];
  for (let i = 0; i < CANDIDATES; i++) {
    const p = people[i % people.length]!;
    const { unitKey: _unitKey, ...rest } = p;
    extra.push({ ...rest, unitId: unitIds[i % unitIds.length]!, name: `${p.name}${i}`, employeeNo: `R${i}`, status: 'active' as const, larkOpenId: `ou_bench_${i}`, larkUserId: null, mobile: `16${String(i).padStart(9, '0')}` });
  }
  for (let i = 0; i < extra.length; i += 1000) await db.insert(cadres).values(extra.slice(i, i + 1000));
  await ensureBuiltinCalendar(db);
  const day = '2026-11-26';
  await sql`insert into cadre_absences (cadre_id, starts_on, ends_on, kind)
            select id, date '2026-11-20', date '2026-11-30', 'leave' from cadres where id % 20 = 0 and lark_open_id like 'ou_bench_%'`;
  await sql`insert into outbox (recipient, purpose, msg_type, payload, status, created_at)
            select lark_open_id, 'evaluation.reminder', 'text', '{}'::jsonb, 'sent', timestamptz '2026-11-26 09:00+08'
            from cadres where id % 5 = 1 and lark_open_id is not null`;
  // 200 people have had their six messages today: the cap holds their nudge for tomorrow.
  await sql`insert into outbox (recipient, purpose, msg_type, payload, status, created_at)
            select lark_open_id, 'training.selfStudy', 'text', '{}'::jsonb, 'sent', timestamptz '2026-11-26 09:30+08'
            from cadres, generate_series(1, 6) where id % 50 = 7 and lark_open_id is not null`;
  await sql`insert into outbox (recipient, purpose, dedupe_key, msg_type, payload, status)
            select lark_open_id, 'bench.nudge', 'bench.nudge:' || lark_open_id || ${':daily:' + day}::text, 'text', '{}'::jsonb, 'sent'
            from cadres where id % 10 = 3 and lark_open_id is not null`;
  await sql`analyze`;

  // The candidate query a feature's rule would run: every cadre with a Lark account.
  const candidateSql = () => sql<{ id: number; open_id: string }[]>`select id, lark_open_id as open_id from cadres where lark_open_id like 'ou_bench_%' and status = 'active' order by id`;
  const clock = fixedClock('2026-11-26T10:00:00+08:00');
  let lastPlan: Awaited<ReturnType<typeof planSweep>> | undefined;
  const sweep = async () => {
    const rows = await candidateSql();
    const candidates: ReminderCandidate[] = rows.map((r) => ({
      purpose: 'bench.nudge',
      recipient: r.open_id,
      cadreId: r.id,
      slot: `daily:${day}`,
      window: { quietHours: DEFAULT_QUIET_HOURS, workingDaysOnly: true },
    }));
    lastPlan = await planSweep(candidates, { db, clock, timeZone: 'Asia/Shanghai' });
    return candidates.length;
  };
  for (let i = 0; i < 3; i++) {
    await candidateSql();
    await sweep();
  }
  const bare: number[] = [];
  const full: number[] = [];
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await candidateSql();
    bare.push(performance.now() - t);
    t = performance.now();
    count = await sweep();
    full.push(performance.now() - t);
  }
  const held = lastPlan!.held.reduce<Record<string, number>>((m, h) => ({ ...m, [h.reason]: (m[h.reason] ?? 0) + 1 }), {});
  say(`Reminder engine benchmark, ${new Date().toISOString()}: ${count} candidates, median of ${RUNS} runs`);
  say(`  bare SQL of the candidate query        ${median(bare).toFixed(1).padStart(7)} ms`);
  say(`  sweep: query + context + plan           ${median(full).toFixed(1).padStart(7)} ms   (target < ${TARGET_MS} ms → ${median(full) < TARGET_MS ? 'met' : 'NOT met'})`);
  say(`  decided: ${lastPlan!.send.length} to send, ${lastPlan!.digests.length} digests, held ${JSON.stringify(held)}`);
  writeFileSync(new URL('./results/reminders.txt', import.meta.url), `${lines.join('\n')}\n`);
} finally {
  await bench.drop();
}
