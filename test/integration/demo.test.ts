import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { demoCadres, DEMO_CADRE_COUNT, seedDemo } from '../../core/demo.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';

describe('demo district', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase();
  });
  afterAll(() => t.drop());

  it('is the same fictional people every time', () => {
    const first = demoCadres();
    const second = demoCadres();
    expect(first).toEqual(second);
    expect(first).toHaveLength(DEMO_CADRE_COUNT);
    expect(new Set(first.map((c) => c.name)).size).toBe(DEMO_CADRE_COUNT);
    expect(new Set(first.map((c) => c.mobile)).size).toBe(DEMO_CADRE_COUNT);
    expect(new Set(first.map((c) => c.larkOpenId)).size).toBe(DEMO_CADRE_COUNT);
    for (const c of first) expect(c.name).toMatch(/^[\u4e00-\u9fa5]{2,3}$/);
  });

  it('seeds an empty organization once, with leadership teams in every unit', async () => {
    const result = await seedDemo(t.db);
    expect(result).toEqual({ seeded: true, units: 13, cadres: 300 });
    expect((await seedDemo(t.db)).seeded).toBe(false);

    const perUnit = await t.db.execute<{ name: string; kind: string; cadres: number; leaders: number; principals: number }>(sql`
      select u.name, u.kind, count(c.id)::int as cadres,
             count(*) filter (where c.is_leader)::int as leaders,
             count(*) filter (where c.is_principal)::int as principals
      from units u left join cadres c on c.unit_id = u.id group by u.id order by u.sort_order`);
    expect(perUnit).toHaveLength(13);
    expect(perUnit[0]).toMatchObject({ name: '青禾区', kind: 'district' });
    for (const unit of perUnit) {
      expect(unit.leaders).toBeGreaterThanOrEqual(4);
      expect(unit.principals).toBeGreaterThanOrEqual(1);
    }
    const [ages] = await t.db.execute<{ youngest: number; oldest: number }>(sql`
      select min(extract(year from age(date '2026-11-25', birth_date)))::int as youngest,
             max(extract(year from age(date '2026-11-25', birth_date)))::int as oldest from cadres`);
    expect(ages!.youngest).toBeGreaterThanOrEqual(22);
    expect(ages!.oldest).toBeLessThanOrEqual(61);
  });
});
