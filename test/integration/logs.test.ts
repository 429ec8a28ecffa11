/**
 * Personal data in logs: a database error is logged with its SQLSTATE code and the statement's
 * first words, never with its parameters (a cadre's name, birth date, mobile) nor the server's
 * detail, which quotes the row. And a NUL byte in a cadre's name, which PostgreSQL cannot
 * store, is a validation error in the user's language, not a failed query and a 500.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { cadres, units } from '../../db/schema/org.ts';
import { seedDemo } from '../../core/demo.ts';
import { createLogger, redactError } from '../../core/logger.ts';
import { testDatabase, type TestDatabase } from '../helpers/db.ts';
import { addUser, browser, buildPanel } from '../helpers/panel.ts';
import { until } from '../helpers/wait.ts';

const MOBILE = '13912345678';
const NAME = '欧阳测试';
const BIRTH = '1979-04-03';

describe('errors in the log', () => {
  let t: TestDatabase;
  let panel: ReturnType<typeof buildPanel>;
  let admin: ReturnType<typeof browser>;
  let a: typeof cadres.$inferSelect;
  let b: typeof cadres.$inferSelect;

  beforeAll(async () => {
    t = await testDatabase();
    await seedDemo(t.db);
    const [unit] = await t.db.select().from(units).where(eq(units.name, '东山街道'));
    [a, b] = await t.db.select().from(cadres).where(eq(cadres.unitId, unit!.id)).orderBy(cadres.id).limit(2) as [typeof a, typeof b];
    await addUser(t.db, 'district', 'district_admin');
    panel = buildPanel(t.db);
    admin = browser(panel.app, '10.7.0.1');
    await admin.signIn('district');
  });
  afterAll(() => t.drop());

  const form = (over: Record<string, string> = {}) => ({
    name: a.name,
    gender: a.gender,
    birthDate: a.birthDate,
    unitId: String(a.unitId),
    position: a.position,
    rank: a.rank,
    education: a.education ?? '',
    field: a.field ?? '',
    tags: a.tags.join('，'),
    employeeNo: a.employeeNo ?? '',
    mobile: a.mobile ?? '',
    status: a.status,
    ...over,
  });

  it('logs a unique violation from a panel edit with its code and statement, not the mobile, name or birth date', async () => {
    // Two saves race for one mobile: another session gives B the number and has not committed
    // when the edit of A checks that the number is free; A's update then waits on the unique
    // index and fails with 23505 once B's change commits. The failed query's parameters are A's
    // new name, birth date and mobile.
    let response: Promise<Response> | undefined;
    await t.db.transaction(async (tx) => {
      await tx.update(cadres).set({ mobile: MOBILE }).where(eq(cadres.id, b.id));
      response = admin.post(`/cadres/${a.id}`, form({ name: NAME, birthDate: BIRTH, mobile: MOBILE }));
      await until(async () => {
        const waiting = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        return waiting[0]!.n > 0 ? true : undefined;
      });
    });
    const res = await response!;
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain(MOBILE);

    const line = panel.log.lines.find((l) => l.level === 'error' && l.msg === 'request failed');
    expect(line).toBeDefined();
    const err = (line!.obj as { err: Record<string, any> }).err;
    expect(err.code).toBe('23505');
    expect(err.statement).toBe('update "cadres"');
    expect(err.cause).toMatchObject({ type: 'PostgresError', code: '23505', constraint: 'cadres_mobile_uq', table: 'cadres' });
    const text = panel.log.text();
    for (const personal of [MOBILE, NAME, BIRTH, a.employeeNo ?? MOBILE]) expect(text).not.toContain(personal);
    expect(text).not.toMatch(/params|parameters|Key \(mobile\)|detail/);
    // The edit did not happen.
    expect((await t.db.select().from(cadres).where(eq(cadres.id, a.id)))[0]!.name).toBe(a.name);
    await t.db.update(cadres).set({ mobile: b.mobile }).where(eq(cadres.id, b.id));
  });

  it('writes the same through the process logger (pino), and a job failure keeps no parameters', async () => {
    const chunks: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => void (chunks.push(String(chunk)), done()) });
    const log = createLogger({ level: 'info', base: { role: 'test' } }, sink).child({ component: 'test' });
    const error = await t.db
      .insert(cadres)
      .values({ ...a, id: undefined, name: NAME, birthDate: BIRTH, mobile: b.mobile, employeeNo: null, larkOpenId: null, larkUserId: null } as never)
      .then(() => null, (e: unknown) => e);
    expect(error).toBeTruthy();
    // What drizzle would have logged: the statement and every value.
    expect(String((error as Error).message)).toContain(NAME);
    log.error({ err: error, cadreId: a.id }, 'insert failed');
    await until(async () => (chunks.length ? true : undefined));
    const entry = JSON.parse(chunks.join(''));
    expect(entry).toMatchObject({ role: 'test', component: 'test', cadreId: a.id, msg: 'insert failed', err: { code: '23505', statement: 'insert into "cadres"' } });
    for (const personal of [b.mobile!, NAME, BIRTH]) expect(chunks.join('')).not.toContain(personal);

    // A job that fails on it: the reason and stack kept in the queue hold no values either.
    const redacted = redactError(error) as Error & { code?: string };
    expect(redacted.code).toBe('23505');
    for (const personal of [b.mobile!, NAME, BIRTH]) {
      expect(redacted.message).not.toContain(personal);
      expect(redacted.stack).not.toContain(personal);
    }
    expect(redacted.message).toContain('cadres_mobile_uq');
  });

  it('refuses a NUL byte in a cadre form field with a 422 and a message, in Chinese and English', async () => {
    const zh = await admin.post(`/cadres/${a.id}`, form({ name: `张\u0000三` }), { 'HX-Request': 'true' });
    expect(zh.status).toBe(422);
    expect(await zh.text()).toContain('不能包含换行或控制字符');
    const en = await admin.post(`/cadres/${a.id}`, form({ position: `科长\u0000` }), { 'HX-Request': 'true', cookie: `${[...admin.jar].map(([k, v]) => `${k}=${v}`).join('; ')}; lang=en` });
    expect(en.status).toBe(422);
    expect(await en.text()).toContain('Must not contain line breaks or control characters');
    // A line break in a one-line field, and a NUL in a tag, too.
    expect((await admin.post(`/cadres/${a.id}`, form({ rank: '正科\n副处' }))).status).toBe(422);
    expect((await admin.post(`/cadres/${a.id}`, form({ tags: `优秀\u0000` }))).status).toBe(422);
    // A NUL in the list's search is no filter, not a failed query.
    expect((await admin.get(`/cadres?q=${encodeURIComponent('张\u0000')}`)).status).toBe(200);
    expect(panel.log.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect((await t.db.select().from(cadres).where(eq(cadres.id, a.id)))[0]!.name).toBe(a.name);
  });
});
