/**
 * @module
 * Mentorship's part of the demo district 青禾区: more than 300 pairs (the seed's scale), with a
 * year of check-ins behind them. Most pairs meet about every period; some drifted and are
 * overdue, some have a check-in the mentee never answered, a few were paused or ended. The
 * roster is grown with invented young cadres (without Lark accounts) so every mentee is in one
 * pair, as in the district. Deterministic for a given `today`: a fixed seed, dates counted back
 * from today so the list, the figures and a pair's page mean something on first start.
 */
import { asc, eq, ne, sql } from 'drizzle-orm';
import { cadres, units } from '../../db/schema/org.ts';
import { mentorshipCheckins, mentorshipGoals, mentorshipMembers, mentorshipPairs, mentorshipPauses, mentorshipProgress } from '../../db/schema/mentorship.ts';
import type { Db } from '../../db/client.ts';
import { audit } from '../audit.ts';
import { seededRandom } from '../demo.ts';
import { addDays } from '../reminders/calendar.ts';
import { addCadence, type Cadence } from './due.ts';

export const DEMO_PAIR_COUNT = 330;

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶';
const GIVEN = '子涵宇轩欣怡梓萱浩然若曦一诺思远雨桐佳琪俊熙语嫣明轩诗涵铭泽可馨睿哲';
const GOALS = ['熟悉信访接待流程', '独立起草综合材料', '掌握招商项目洽谈', '提升群众工作能力', '熟悉财政预算编制', '掌握应急处置流程', '参与一项重点项目', '提高调查研究能力', '熟悉基层党建工作', '掌握安全生产检查'];
const TOPICS = ['谈心谈话，交流近期工作体会', '一起走访企业，讲解项目推进要点', '修改调研报告，讲写作方法', '复盘一次信访接待', '讲解年度重点任务', '带着参加现场协调会', '讨论基层治理中的难题', '交流理论学习心得'];
const NOTES = ['导师讲得很具体，下次想学怎么协调多个部门', '收获很大，还需要多下基层', '帮我理清了思路；我也给导师演示了数据分析的新方法', '受益匪浅，希望多给实践机会', '教导师用了协同办公的新功能，互相促进'];
const NEXT = ['下周跟班参加接待', '月底前交一篇调研报告', '参与下一次项目洽谈', '整理一份工作台账'];
const PAUSE_REASONS = ['徒弟外出挂职', '导师参加脱产培训'];

type Person = { id: number; unitId: number; birthDate: string; isLeader: boolean };

/** Adds the pairs unless any exist; returns how many it added. */
export async function seedMentorshipDemo(db: Db, today: string): Promise<{ seeded: boolean; pairs: number; checkins: number }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${0x4d454e54})`);
    const [existing] = await tx.select({ n: sql<number>`count(*)::int` }).from(mentorshipPairs);
    if (existing!.n > 0) return { seeded: false, pairs: 0, checkins: 0 };
    const unitRows = await tx.select().from(units).where(ne(units.kind, 'district')).orderBy(asc(units.sortOrder), asc(units.id));
    if (unitRows.length === 0) return { seeded: false, pairs: 0, checkins: 0 };
    const random = seededRandom(20261210);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const thisYear = Number(today.slice(0, 4));

    // Young cadres to mentor: the roster's under-35 staff, grown to the programme's scale.
    const roster: Person[] = await tx.select({ id: cadres.id, unitId: cadres.unitId, birthDate: cadres.birthDate, isLeader: cadres.isLeader }).from(cadres).where(eq(cadres.status, 'active'));
    const young = (p: Person) => !p.isLeader && Number(p.birthDate.slice(0, 4)) > thisYear - 35;
    const mentees = roster.filter((p) => young(p) && unitRows.some((u) => u.id === p.unitId));
    const wanted = Math.ceil(DEMO_PAIR_COUNT * 1.15);
    const names = new Set((await tx.select({ name: cadres.name }).from(cadres)).map((r) => r.name));
    const grown: Array<typeof cadres.$inferInsert> = [];
    for (let i = 0; mentees.length + grown.length < wanted; i++) {
      let name: string;
      do name = pick([...SURNAMES]) + pick([...GIVEN]) + pick([...GIVEN]);
      while (names.has(name));
      names.add(name);
      const year = thisYear - 23 - Math.floor(random() * 10);
      grown.push({
        name,
        gender: random() < 0.5 ? 'male' : 'female',
        birthDate: `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
        unitId: unitRows[i % unitRows.length]!.id,
        position: pick(['科员', '综合办科员', '业务科室科员', '社区工作者']),
        rank: pick(['一级科员', '二级科员', '四级主任科员']),
        education: pick(['大学本科', '硕士研究生']),
        field: pick(['社会治理', '经济管理', '党建', '城市建设', '信息技术']),
        employeeNo: `QHM${String(i + 1).padStart(4, '0')}`,
        tags: ['年轻干部'],
      });
    }
    if (grown.length) mentees.push(...(await tx.insert(cadres).values(grown).returning({ id: cadres.id, unitId: cadres.unitId, birthDate: cadres.birthDate, isLeader: cadres.isLeader })));

    // Mentors: leaders and seasoned staff of the same unit, at most four pairs each.
    const load = new Map<number, number>();
    const mentorsOf = new Map<number, Person[]>();
    for (const p of roster) if (p.isLeader || Number(p.birthDate.slice(0, 4)) <= thisYear - 38) mentorsOf.set(p.unitId, [...(mentorsOf.get(p.unitId) ?? []), p]);
    const takeMentor = (unitId: number, except: number[] = []) => {
      const pool = (mentorsOf.get(unitId) ?? []).filter((m) => (load.get(m.id) ?? 0) < 4 && !except.includes(m.id));
      if (pool.length === 0) return undefined;
      const least = Math.min(...pool.map((m) => load.get(m.id) ?? 0));
      const m = pick(pool.filter((x) => (load.get(x.id) ?? 0) === least));
      load.set(m.id, (load.get(m.id) ?? 0) + 1);
      return m;
    };

    const queue = [...mentees];
    let pairs = 0;
    let checkinCount = 0;
    while (pairs < DEMO_PAIR_COUNT && queue.length) {
      const roll = random();
      const first = queue.shift()!;
      const group = [first];
      // One mentor with several mentees (一带多), or a leader and a backbone with one mentee ("2+1").
      if (roll < 0.1) for (let k = 0; k < 1 + Math.floor(random() * 2); k++) {
        const j = queue.findIndex((p) => p.unitId === first.unitId);
        if (j >= 0) group.push(queue.splice(j, 1)[0]!);
      }
      const m1 = takeMentor(first.unitId);
      if (!m1) continue;
      const mentors = [m1];
      if (roll > 0.9 && group.length === 1) {
        const m2 = takeMentor(first.unitId, [m1.id]);
        if (m2) mentors.push(m2);
      }
      const cadence: Cadence = pick(['monthly', 'monthly', 'monthly', 'fortnightly', 'fortnightly', 'weekly']);
      const startsOn = addDays(today, -(30 + Math.floor(random() * 365)));
      const profile = random();
      // 70% keep meeting, 12% drifted (overdue), 8% meet now and then, the rest paused or ended.
      const kind = profile < 0.7 ? 'steady' : profile < 0.82 ? 'drifted' : profile < 0.9 ? 'spotty' : profile < 0.95 ? 'paused' : 'ended';
      const endsOn = kind === 'ended' ? addDays(today, -Math.floor(random() * 30) - 1) : addDays(startsOn, 730);
      const status = kind === 'paused' ? 'paused' : kind === 'ended' ? 'ended' : 'active';
      const pauseReason = kind === 'paused' ? pick(PAUSE_REASONS) : null;
      const [pair] = await tx
        .insert(mentorshipPairs)
        .values({ shape: mentors.length > 1 ? 'many_to_one' : group.length > 1 ? 'one_to_many' : 'one_to_one', startsOn, endsOn: kind === 'ended' && endsOn < startsOn ? startsOn : endsOn, cadence, status, pauseReason })
        .returning({ id: mentorshipPairs.id });
      const pairId = pair!.id;
      pairs++;
      await tx.insert(mentorshipMembers).values([
        ...mentors.map((m, position) => ({ pairId, cadreId: m.id, role: 'mentor' as const, position })),
        ...group.map((m, position) => ({ pairId, cadreId: m.id, role: 'mentee' as const, position })),
      ]);
      const goalTitles = [...new Set([pick(GOALS), pick(GOALS), pick(GOALS)])].slice(0, 2 + Math.floor(random() * 2));
      const goals = await tx.insert(mentorshipGoals).values(goalTitles.map((title, position) => ({ pairId, title, position, status: 'in_progress' as const }))).returning({ id: mentorshipGoals.id });
      if (kind === 'paused') await tx.insert(mentorshipPauses).values({ pairId, startsOn: addDays(today, -20), reason: pauseReason! });

      // The history: a meeting about every period, late by a few days now and then.
      const stopAt = kind === 'drifted' ? addDays(today, -(75 + Math.floor(random() * 90))) : kind === 'paused' ? addDays(today, -20) : kind === 'ended' ? endsOn : today;
      const rows: Array<typeof mentorshipCheckins.$inferInsert> = [];
      const checkinRow = (metOn: string): typeof mentorshipCheckins.$inferInsert => {
        const mentor = mentors[rows.length % mentors.length]!;
        const answered = random() < 0.97 ? (random() < 0.02 ? 'disputed' : 'confirmed') : 'submitted';
        return {
          pairId,
          mentorId: mentor.id,
          metOn,
          form: pick(['face_to_face', 'face_to_face', 'online', 'on_the_job'] as const),
          topics: pick(TOPICS),
          nextStep: pick(NEXT),
          status: answered,
          menteeNote: answered === 'confirmed' ? pick(NOTES) : answered === 'disputed' ? '那天没有见面' : null,
          answeredBy: answered === 'submitted' ? null : group[0]!.id,
          answeredAt: answered === 'submitted' ? null : new Date(`${addDays(metOn, 1)}T10:00:00+08:00`),
          createdAt: new Date(`${metOn}T18:00:00+08:00`),
        };
      };
      for (let d = addCadence(startsOn, cadence); d <= stopAt; d = addCadence(d, cadence)) {
        // A steady pair has met in its latest period; earlier it skipped one now and then.
        const latest = addCadence(d, cadence) > stopAt;
        if (!(kind === 'steady' && latest) && random() > (kind === 'spotty' ? 0.5 : 0.9)) continue;
        const late = addDays(d, Math.floor(random() * 4));
        rows.push(checkinRow(late > today ? d : late));
      }
      // Some steady pairs' latest meeting is still waiting for the mentee, past a week.
      const last = rows.at(-1);
      if (last && kind === 'steady' && random() < 0.1) Object.assign(last, { status: 'submitted', menteeNote: null, answeredBy: null, answeredAt: null, metOn: addDays(today, -12), createdAt: new Date(`${addDays(today, -12)}T18:00:00+08:00`) });
      if (rows.length === 0) continue;
      const ids = await tx.insert(mentorshipCheckins).values(rows).returning({ id: mentorshipCheckins.id, status: mentorshipCheckins.status });
      checkinCount += ids.length;
      const progress = ids.flatMap((c, i) => goals.map((g) => ({ checkinId: c.id, goalId: g.id, level: Math.min(4, 1 + Math.floor((i / Math.max(1, ids.length)) * 4)) })));
      for (let i = 0; i < progress.length; i += 1000) await tx.insert(mentorshipProgress).values(progress.slice(i, i + 1000));
    }
    await audit(tx, { actorId: null, action: 'import', entity: 'demo_seed', diff: { mentorshipPairs: pairs, checkins: checkinCount, cadres: grown.length } });
    return { seeded: true, pairs, checkins: checkinCount };
  });
}
