/**
 * @module
 * Benchmark of evaluation results, in a fresh database:
 * 1. one campaign of 300 targets × 100 raters × 10 items (300,000 answers): `campaignResults`
 *    p95 against a 300 ms ceiling;
 * 2. five annual campaigns (1.5 million answers): `districtComparison` p95 against 1 s.
 * Each is printed beside the bare SQL aggregate of the same answers, timed in the same run
 * through the same driver.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/evaluation.ts
 *
 * Without TEST_DATABASE_URL an embedded PostgreSQL starts in a temporary directory.
 */
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { connect } from '../db/client.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { runMigrations } from '../db/migrate.ts';
import { seedDemo } from '../core/demo.ts';
import { ensureBuiltInTemplates, latestTemplateVersion, POLITICAL_QUALITY, templateIdByKey, templateItems } from '../core/evaluation/templates.ts';
import { campaignResults, districtComparison } from '../core/evaluation/results.ts';
import { DEFAULT_ALERT_RULES, DEFAULT_WEIGHTS } from '../core/evaluation/scoring.ts';
import { DEFAULT_REMINDER_PLAN } from '../core/evaluation/reminders.ts';
import { DEFAULT_VALIDITY_RULES } from '../core/evaluation/campaigns.ts';
import { shuffleBallotBox, vacuumBallotBox } from '../core/evaluation/ballot-box.ts';

const RATERS = 100;
const YEARS = [2022, 2023, 2024, 2025, 2026];
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<{ p95: number; median: number }> {
  for (let i = 0; i < 2; i++) await fn(); // warm caches and plans
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { p95: p95(samples), median: sorted[Math.floor(sorted.length / 2)]! };
}

async function main() {
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let tempDir: string | undefined;
  if (!adminUrl) {
    tempDir = await mkdtemp(join(tmpdir(), 'miaopu-bench-'));
    await chmod(tempDir, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: tempDir, log: (m) => console.error(m) });
    adminUrl = server.url;
    stopEmbedded = server.stop;
  }
  // BENCH_REUSE=<database> measures an earlier run's data (kept with BENCH_KEEP=1) again.
  const reuse = process.env.BENCH_REUSE;
  const keep = Boolean(process.env.BENCH_KEEP || reuse);
  const name = reuse ?? `miaopu_bench_${Date.now().toString(36)}`;
  const admin = connect(adminUrl, { max: 1 });
  if (!reuse) await admin.sql.unsafe(`create database ${name}`);
  const { db, sql: client } = connect(withDatabase(adminUrl, name), { max: 10 });
  try {
    if (!reuse) {
      await runMigrations(db, client);
      await seedDemo(db);
      await ensureBuiltInTemplates(db);
    }
    const version = await latestTemplateVersion(db, (await templateIdByKey(db, 'political_quality'))!);
    const itemKeys = templateItems(POLITICAL_QUALITY).map((i) => i.key);
    const itemArray = sql.raw(`array[${itemKeys.map((k) => `'${k}'`).join(',')}]::text[]`);
    const [{ version: pgVersion }] = (await db.execute(sql`select current_setting('server_version') as version`)) as unknown as [{ version: string }];

    const generateStart = performance.now();
    await db.execute(sql`select setseed(0.2026)`);
    const campaignIds: number[] = reuse ? (await db.execute<{ id: number }>(sql`select id from evaluation_campaigns order by year`)).map((r) => r.id) : [];
    for (const year of reuse ? [] : YEARS) {
      const [row] = await db.execute<{ id: number }>(sql`
        insert into evaluation_campaigns (title, kind, year, template_version_id, status, opens_at, closes_at, weights, reminder_plan, validity_rules, alert_rules)
        values (${`${year}年度民主测评`}, 'annual', ${year}, ${version!.id}, 'closed', ${`${year}-12-01T00:00:00Z`}, ${`${year}-12-10T00:00:00Z`},
                ${JSON.stringify(DEFAULT_WEIGHTS)}, ${JSON.stringify(DEFAULT_REMINDER_PLAN)}, ${JSON.stringify(DEFAULT_VALIDITY_RULES)}, ${JSON.stringify(DEFAULT_ALERT_RULES)})
        returning id`);
      const id = row!.id;
      campaignIds.push(id);
      // Every demo cadre (300) is a target, in their own unit.
      await db.execute(sql`insert into evaluation_targets (campaign_id, cadre_id, unit_id) select ${id}, id, unit_id from cadres`);
      // 100 raters per target: 10 superiors, 20 peers, 40 subordinates, 30 public.
      await db.execute(sql`
        insert into evaluation_ballots (id, campaign_id, target_id, category, overall_grade, score_sum, answer_count, level_counts, item_scores)
        select gen_random_uuid(), ${id}, t.cadre_id,
               (case when r <= 10 then 'superior' when r <= 30 then 'peer' when r <= 70 then 'subordinate' else 'public' end)::evaluation_rater_category,
               (array['excellent','competent','competent','basically_competent','incompetent'])[1 + floor(random() * 5)::int]::evaluation_overall_grade,
               0, ${itemKeys.length}, '{0,0,0,0}', '{}'
        from evaluation_targets t cross join generate_series(1, ${RATERS}) r
        where t.campaign_id = ${id}`);
      // Each target has a "quality" that tilts its answers toward 好 or 差.
      await db.execute(sql`
        insert into evaluation_answers (ballot_id, campaign_id, target_id, category, item_key, score)
        select b.id, b.campaign_id, b.target_id, b.category, k.key,
               (array[100, 80, 60, 40])[1 + least(3, floor(random() * (1.2 + 2.8 * ((b.target_id * 7919 + ${year}) % 100) / 100.0)))::int]
        from evaluation_ballots b cross join unnest(${itemArray}) as k(key)
        where b.campaign_id = ${id}`);
      await db.execute(sql`
        update evaluation_ballots b set score_sum = s.total, level_counts = s.levels, item_scores = s.items
        from (select ballot_id, sum(score)::int as total,
                     array_agg(score order by array_position(${itemArray}, item_key))::smallint[] as items,
                     array[count(*) filter (where score = 100), count(*) filter (where score = 80),
                           count(*) filter (where score = 60), count(*) filter (where score = 40)]::smallint[] as levels
              from evaluation_answers where campaign_id = ${id} group by ballot_id) s
        where s.ballot_id = b.id`);
    }
    await client.unsafe('vacuum analyze');
    const [{ answers }] = (await db.execute(sql`select count(*)::int as answers from evaluation_answers`)) as unknown as [{ answers: number }];
    const generateMs = performance.now() - generateStart;
    const latest = campaignIds.at(-1)!;
    const [{ campaign_answers }] = (await db.execute(sql`select count(*)::int as campaign_answers from evaluation_answers where campaign_id = ${latest}`)) as unknown as [{ campaign_answers: number }];

    const results = await time(RUNS, () => campaignResults(db, latest));
    const bare = await time(RUNS, () =>
      client`select target_id, category, item_key, avg(score), count(*) from evaluation_answers where campaign_id = ${latest} group by 1, 2, 3`,
    );
    const comparison = await time(Math.max(5, Math.floor(RUNS / 2)), () => districtComparison(db, { kind: 'annual', years: YEARS }));
    const bareDistrict = await time(Math.max(5, Math.floor(RUNS / 2)), () =>
      client`select campaign_id, target_id, category, avg(score), count(*) from evaluation_answers where campaign_id in ${client(campaignIds)} group by 1, 2, 3`,
    );

    const shuffleStart = performance.now();
    await db.transaction((tx) => shuffleBallotBox(tx, latest));
    await vacuumBallotBox(db);
    const shuffleMs = performance.now() - shuffleStart;
    const afterClose = await time(RUNS, () => campaignResults(db, latest));
    const check = (await campaignResults(db, latest)).targets;
    const table = await districtComparison(db, { kind: 'annual', years: YEARS });
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    console.log(`PostgreSQL ${pgVersion}; ${reuse ? `reused ${name} with` : "generated"} ${answers.toLocaleString("en")} answers${reuse ? "" : ` in ${(generateMs / 1000).toFixed(1)} s`}`);
    console.log(`campaign results  (${check.length} targets × ${RATERS} raters × ${itemKeys.length} items = ${campaign_answers.toLocaleString('en')} answers): ` +
      `p95 ${ms(results.p95)} (median ${ms(results.median)}), ceiling 300 ms ${results.p95 < 300 ? 'OK' : 'EXCEEDED'}; bare SQL aggregate p95 ${ms(bare.p95)} (median ${ms(bare.median)})`);
    console.log(`district comparison (${YEARS.length} years, ${answers.toLocaleString('en')} answers, ${table.length} target-years): ` +
      `p95 ${ms(comparison.p95)} (median ${ms(comparison.median)}), ceiling 1 s ${comparison.p95 < 1000 ? 'OK' : 'EXCEEDED'}; bare SQL aggregate p95 ${ms(bareDistrict.p95)} (median ${ms(bareDistrict.median)})`);
    console.log(`closing a campaign (reshuffling its ${campaign_answers.toLocaleString('en')} answers and ${check.length * RATERS} slips, then vacuum): ${(shuffleMs / 1000).toFixed(1)} s; ` +
      `campaign results after closing p95 ${ms(afterClose.p95)} (median ${ms(afterClose.median)})`);
  } finally {
    await client.end({ timeout: 2 });
    if (keep) console.log(`kept database ${name}`);
    else await admin.sql.unsafe(`drop database if exists ${name} with (force)`);
    await admin.sql.end();
    if (stopEmbedded) await stopEmbedded();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

await main();
