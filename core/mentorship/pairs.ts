/**
 * @module
 * Creating and changing pairs, scoped and audited. A unit admin sees and edits only pairs that
 * touch their units (a member works in one of them), and adds only cadres they can see; a pair
 * out of scope reads as absent. Errors are codes the panel words in the reader's language.
 */
import { canManagePairs } from '../roles.ts';
import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { cadres } from '../../db/schema/org.ts';
import { mentorshipGoals, mentorshipGoalStatus, mentorshipMembers, mentorshipPairs, mentorshipPauses, type MentorshipPair } from '../../db/schema/mentorship.ts';
import type { Db } from '../../db/client.ts';
import { audit, diffOf } from '../audit.ts';
import { idSchema } from '../ids.ts';
import { inScope, type RequestContext, type Scope } from '../org/scope.ts';
import { addDays } from '../reminders/calendar.ts';
import { dayText, optionalText, requiredText } from '../validation.ts';
import { CADENCES } from './due.ts';

export const PAIR_STATUSES = ['active', 'paused', 'ended'] as const;
export const GOAL_STATUSES = mentorshipGoalStatus.enumValues;
export const MAX_GOALS = 8;

export type Shape = MentorshipPair['shape'];

/** What a create or an edit may say. */
export const pairInputSchema = z
  .object({
    mentorIds: z.array(idSchema()).min(1, 'required').max(5, 'too_many'),
    menteeIds: z.array(idSchema()).min(1, 'required').max(10, 'too_many'),
    startsOn: dayText,
    endsOn: dayText.optional().or(z.literal('').transform(() => undefined)),
    cadence: z.enum(CADENCES, 'required'),
    status: z.enum(PAIR_STATUSES, 'required'),
    pauseReason: optionalText(200),
    goals: z.array(z.object({ title: requiredText(100), status: z.enum(GOAL_STATUSES) })).max(MAX_GOALS, 'too_many'),
  })
  .superRefine((v, ctx) => {
    if (v.mentorIds.length > 1 && v.menteeIds.length > 1) ctx.addIssue({ code: 'custom', path: ['menteeIds'], message: 'many_to_many' });
    if (v.mentorIds.some((id) => v.menteeIds.includes(id))) ctx.addIssue({ code: 'custom', path: ['menteeIds'], message: 'both_sides' });
    if (new Set(v.mentorIds).size !== v.mentorIds.length) ctx.addIssue({ code: 'custom', path: ['mentorIds'], message: 'duplicate' });
    if (new Set(v.menteeIds).size !== v.menteeIds.length) ctx.addIssue({ code: 'custom', path: ['menteeIds'], message: 'duplicate' });
    if (v.endsOn && v.endsOn < v.startsOn) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'before_start' });
    if (v.status === 'paused' && !v.pauseReason) ctx.addIssue({ code: 'custom', path: ['pauseReason'], message: 'required' });
  });
export type PairInput = z.infer<typeof pairInputSchema>;

export type PairResult = { ok: true; id: number } | { ok: false; errors: Record<string, string> } | { ok: false; notFound: true };

export function shapeOf(mentors: number, mentees: number): Shape {
  return mentors > 1 ? 'many_to_one' : mentees > 1 ? 'one_to_many' : 'one_to_one';
}

/** Pairs with a member in the scope's units. */
export function pairInScope(scope: Scope, pairId: SQL | typeof mentorshipPairs.id = mentorshipPairs.id): SQL | undefined {
  if (scope.kind === 'all') return undefined;
  if (scope.unitIds.length === 0) return sql`false`;
  return sql`exists (select 1 from ${mentorshipMembers} m join ${cadres} c on c.id = m.cadre_id
    where m.pair_id = ${pairId} and c.unit_id in (${sql.join(scope.unitIds.map((u) => sql`${u}`), sql`, `)}))`;
}

/** Only admins change pairs; a viewer's or partner's request is refused like an absent pair. */
function mayEdit(ctx: RequestContext): boolean {
  return canManagePairs(ctx.actor);
}

function issuesOf(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path[0] === 'goals' && issue.path.length > 1 ? `goals.${String(issue.path[1])}` : String(issue.path[0] ?? 'form');
    errors[key] ??= /^[a-z_]+$/.test(issue.message) ? issue.message : 'invalid';
  }
  return errors;
}

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Checks that every cadre exists and that the ones the actor adds are in their scope. */
async function memberIssues(tx: Tx, scope: Scope, input: PairInput, kept: ReadonlySet<number>): Promise<Record<string, string>> {
  const ids = [...input.mentorIds, ...input.menteeIds];
  const rows = await tx.select({ id: cadres.id, unitId: cadres.unitId }).from(cadres).where(inArray(cadres.id, ids));
  const unitOf = new Map(rows.map((r) => [r.id, r.unitId]));
  const errors: Record<string, string> = {};
  for (const [field, list] of [['mentorIds', input.mentorIds], ['menteeIds', input.menteeIds]] as const) {
    for (const id of list) {
      const unitId = unitOf.get(id);
      // A cadre the actor cannot see reads as unknown, so the form says nothing about them.
      if (unitId === undefined || (!kept.has(id) && !inScope(scope, unitId))) errors[field] ??= 'unknown_cadre';
    }
  }
  return errors;
}

async function writeMembersAndGoals(tx: Tx, pairId: number, input: PairInput): Promise<void> {
  await tx.delete(mentorshipMembers).where(eq(mentorshipMembers.pairId, pairId));
  await tx.insert(mentorshipMembers).values([
    ...input.mentorIds.map((cadreId, position) => ({ pairId, cadreId, role: 'mentor' as const, position })),
    ...input.menteeIds.map((cadreId, position) => ({ pairId, cadreId, role: 'mentee' as const, position })),
  ]);
  await tx.delete(mentorshipGoals).where(eq(mentorshipGoals.pairId, pairId));
  if (input.goals.length) await tx.insert(mentorshipGoals).values(input.goals.map((g, position) => ({ pairId, title: g.title, status: g.status, position })));
}

/** Creates a pair; `today` (local) starts a pause when it is created paused. */
export async function createPair(db: Db, ctx: RequestContext, raw: unknown, today: string): Promise<PairResult> {
  if (!mayEdit(ctx)) return { ok: false, notFound: true };
  return db.transaction((tx) => createPairIn(tx, ctx, raw, today));
}

/** `createPair` inside the caller's transaction (an import writes every row in one). */
export async function createPairIn(tx: Tx, ctx: RequestContext, raw: unknown, today: string): Promise<PairResult> {
  if (!mayEdit(ctx)) return { ok: false, notFound: true };
  const parsed = pairInputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: issuesOf(parsed.error) };
  const input = parsed.data;
  const errors = await memberIssues(tx, ctx.scope, input, new Set());
  if (Object.keys(errors).length) return { ok: false, errors };
  const [pair] = await tx
    .insert(mentorshipPairs)
    .values({
      shape: shapeOf(input.mentorIds.length, input.menteeIds.length),
      startsOn: input.startsOn,
      endsOn: input.endsOn ?? null,
      cadence: input.cadence,
      status: input.status,
      pauseReason: input.status === 'paused' ? input.pauseReason! : null,
      createdBy: ctx.actor.id,
    })
    .returning({ id: mentorshipPairs.id });
  await writeMembersAndGoals(tx, pair!.id, input);
  if (input.status === 'paused') await tx.insert(mentorshipPauses).values({ pairId: pair!.id, startsOn: today, reason: input.pauseReason! });
  await audit(tx, { actorId: ctx.actor.id, action: 'create', entity: 'mentorship_pair', entityId: pair!.id, diff: { ...input }, ip: ctx.ip });
  return { ok: true, id: pair!.id };
}

/** What a pair's form shows: the current values as an input. */
export async function pairInput(db: Db | Tx, pairId: number): Promise<PairInput | null> {
  const [pair] = await db.select().from(mentorshipPairs).where(eq(mentorshipPairs.id, pairId));
  if (!pair) return null;
  const members = await db.select().from(mentorshipMembers).where(eq(mentorshipMembers.pairId, pairId)).orderBy(mentorshipMembers.position);
  const goals = await db.select().from(mentorshipGoals).where(eq(mentorshipGoals.pairId, pairId)).orderBy(mentorshipGoals.position);
  return {
    mentorIds: members.filter((m) => m.role === 'mentor').map((m) => m.cadreId),
    menteeIds: members.filter((m) => m.role === 'mentee').map((m) => m.cadreId),
    startsOn: pair.startsOn,
    endsOn: pair.endsOn ?? undefined,
    cadence: pair.cadence,
    status: pair.status,
    pauseReason: pair.pauseReason,
    goals: goals.map((g) => ({ title: g.title, status: g.status })),
  };
}

/** Whether the pair exists and is in scope. */
export async function pairVisible(db: Db | Tx, scope: Scope, pairId: number): Promise<boolean> {
  const [row] = await db.select({ id: mentorshipPairs.id }).from(mentorshipPairs).where(and(eq(mentorshipPairs.id, pairId), pairInScope(scope)));
  return Boolean(row);
}

/**
 * Saves an edit within scope, with the changes in the audit log. Pausing opens a pause from
 * `today`; resuming or ending closes it the day before, so the days paused move the due day.
 */
export async function updatePair(db: Db, ctx: RequestContext, pairId: number, raw: unknown, today: string): Promise<PairResult> {
  if (!mayEdit(ctx) || !(await pairVisible(db, ctx.scope, pairId))) return { ok: false, notFound: true };
  const parsed = pairInputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: issuesOf(parsed.error) };
  const input = parsed.data;
  return db.transaction(async (tx): Promise<PairResult> => {
    const [locked] = await tx.select().from(mentorshipPairs).where(and(eq(mentorshipPairs.id, pairId), pairInScope(ctx.scope))).for('update');
    if (!locked) return { ok: false, notFound: true };
    const before = (await pairInput(tx, pairId))!;
    const kept = new Set([...before.mentorIds, ...before.menteeIds]);
    const errors = await memberIssues(tx, ctx.scope, input, kept);
    if (Object.keys(errors).length) return { ok: false, errors };
    const next: PairInput = { ...input, endsOn: input.endsOn, pauseReason: input.status === 'paused' ? input.pauseReason! : null };
    const diff = diffOf(before as unknown as Record<string, unknown>, next as unknown as Record<string, unknown>);
    if (Object.keys(diff).length === 0) return { ok: true, id: pairId };
    await tx
      .update(mentorshipPairs)
      .set({
        shape: shapeOf(next.mentorIds.length, next.menteeIds.length),
        startsOn: next.startsOn,
        endsOn: next.endsOn ?? null,
        cadence: next.cadence,
        status: next.status,
        pauseReason: next.pauseReason ?? null,
        updatedAt: new Date(),
      })
      .where(eq(mentorshipPairs.id, pairId));
    await writeMembersAndGoals(tx, pairId, next);
    if (locked.status !== 'paused' && next.status === 'paused') await tx.insert(mentorshipPauses).values({ pairId, startsOn: today, reason: next.pauseReason! });
    if (locked.status === 'paused' && next.status !== 'paused') {
      await tx
        .update(mentorshipPauses)
        .set({ endsOn: sql`greatest(${mentorshipPauses.startsOn}, ${addDays(today, -1)}::date)` })
        .where(and(eq(mentorshipPauses.pairId, pairId), isNull(mentorshipPauses.endsOn)));
    }
    await audit(tx, { actorId: ctx.actor.id, action: 'update', entity: 'mentorship_pair', entityId: pairId, diff, ip: ctx.ip });
    return { ok: true, id: pairId };
  });
}
