/**
 * @module
 * Escalation ladders (催办升级): what happens, and when, while something a person owes stays
 * undone. A ladder is a list of steps with offsets in working days from the day it started:
 * the card itself, a repeat (the same card updated in place, so the chat does not fill with
 * copies), Lark's urgent notice on the bot's message (加急), the unit admin's digest, then the
 * district admins. Each step is keyed, so a sweep that runs twice takes it once; when the thing
 * is done the ladder closes and no later step is taken.
 */
import type { WorkCalendar } from './calendar.ts';

export const LADDER_STEP_KINDS = ['card', 'repeat', 'urgent', 'unit_digest', 'district_digest'] as const;
export type LadderStepKind = (typeof LADDER_STEP_KINDS)[number];

export interface LadderStep {
  kind: LadderStepKind;
  /** Working days after the ladder's start day; 0 is the start day itself. */
  afterWorkingDays: number;
}

export type EscalationLadder = readonly LadderStep[];

/** A sensible default: card, repeat after 2 working days, urgent after 4, unit admin after 5, district after 10. */
export const DEFAULT_LADDER: EscalationLadder = [
  { kind: 'card', afterWorkingDays: 0 },
  { kind: 'repeat', afterWorkingDays: 2 },
  { kind: 'urgent', afterWorkingDays: 4 },
  { kind: 'unit_digest', afterWorkingDays: 5 },
  { kind: 'district_digest', afterWorkingDays: 10 },
];

export type LadderIssue =
  | { code: 'ladder.empty' }
  | { code: 'ladder.firstNotCard' }
  | { code: 'ladder.offset'; step: number }
  | { code: 'ladder.order'; step: number };

/**
 * What is wrong with a ladder a feature or an admin states: it starts with the card (a repeat
 * or an urgent notice needs a message to act on), offsets are whole days from 0 to 60, in order.
 */
export function ladderIssues(ladder: EscalationLadder): LadderIssue[] {
  if (ladder.length === 0) return [{ code: 'ladder.empty' }];
  const issues: LadderIssue[] = [];
  if (ladder[0]!.kind !== 'card') issues.push({ code: 'ladder.firstNotCard' });
  ladder.forEach((step, i) => {
    if (!Number.isInteger(step.afterWorkingDays) || step.afterWorkingDays < 0 || step.afterWorkingDays > 60) issues.push({ code: 'ladder.offset', step: i });
    else if (i > 0 && step.afterWorkingDays < ladder[i - 1]!.afterWorkingDays) issues.push({ code: 'ladder.order', step: i });
  });
  return issues;
}

export interface PlannedStep {
  /** Stable within the ladder: part of the (purpose, recipient, slot) key. */
  key: string;
  kind: LadderStepKind;
  /** The local day the step becomes due. */
  day: string;
}

/** Each step with the working day it falls due, counted from `startDay`. */
export function ladderPlan(ladder: EscalationLadder, startDay: string, calendar: WorkCalendar): PlannedStep[] {
  return ladder.map((step, i) => ({ key: `step${i}:${step.kind}`, kind: step.kind, day: calendar.addWorkingDays(startDay, step.afterWorkingDays) }));
}

export interface LadderState {
  startDay: string;
  /** The thing is done: the ladder is closed. */
  done: boolean;
  /** Keys of the steps already taken. */
  taken: ReadonlySet<string>;
}

/**
 * The step to take today, or null. Only the highest step that has fallen due is taken: a sweep
 * that was down for a week escalates once, to where the ladder now stands, not through every
 * step in a burst; and a ladder never steps back below a step already taken.
 */
export function dueLadderStep(ladder: EscalationLadder, state: LadderState, today: string, calendar: WorkCalendar): PlannedStep | null {
  if (state.done) return null;
  const plan = ladderPlan(ladder, state.startDay, calendar);
  const highestTaken = plan.reduce((h, s, i) => (state.taken.has(s.key) ? i : h), -1);
  for (let i = plan.length - 1; i > highestTaken; i--) if (plan[i]!.day <= today) return plan[i]!;
  return null;
}
