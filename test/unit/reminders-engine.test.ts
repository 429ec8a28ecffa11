import { describe, expect, it } from 'vitest';
import { WorkCalendar, builtinSpecialDays } from '../../core/reminders/calendar.ts';
import { planReminders, type EngineContext, type ReminderCandidate } from '../../core/reminders/engine.ts';
import { nextAllowed, previousAllowed, type SendWindow } from '../../core/reminders/window.ts';
import { shiftedDueDay } from '../../core/reminders/absence.ts';
import { DEFAULT_LADDER, dueLadderStep, ladderIssues, ladderPlan } from '../../core/reminders/ladder.ts';
import { applyDailyCap } from '../../core/reminders/cap.ts';
import { fixedClock } from '../../core/clock.ts';
import type { Absence } from '../../core/reminders/absence.ts';

const TZ = 'Asia/Shanghai';
const calendar = new WorkCalendar(builtinSpecialDays());
const workingDays: SendWindow = { quietHours: { from: '21:00', to: '08:00' }, workingDaysOnly: true };
const anyDay: SendWindow = { quietHours: { from: '21:00', to: '08:00' }, workingDaysOnly: false };
/** Local time in Shanghai (UTC+8) as an instant. */
const local = (s: string) => new Date(`${s}:00+08:00`);

function context(now: Date, over: Partial<EngineContext> = {}): EngineContext {
  return { now, timeZone: TZ, calendar, absencesOf: () => [], sentToday: () => 0, dailyCap: 6, ...over };
}

const nudge = (slot: string, over: Partial<ReminderCandidate> = {}): ReminderCandidate => ({
  purpose: 'mentorship.nudge',
  recipient: 'ou_mentor',
  cadreId: 7,
  slot,
  window: workingDays,
  ...over,
});

describe('reminder engine across 国庆 2026 with a fake clock', () => {
  it('sends a working-day nudge on the make-up Sunday, not the Saturday; skips the holiday; sends on the make-up Saturday', () => {
    const clock = fixedClock(local('2026-09-19T10:00'));
    const sentDays: string[] = [];
    for (let day = 0; day < 23; day++) {
      const plan = planReminders([nudge(`daily:${day}`)], context(clock.now()));
      if (plan.send.length) sentDays.push(clock.now().toISOString().slice(0, 10));
      else expect(plan.held[0]!.reason).toBe('day_off');
      clock.advance(86_400_000);
    }
    expect(sentDays).not.toContain('2026-09-19');
    expect(sentDays).toContain('2026-09-20');
    for (let d = 1; d <= 7; d++) expect(sentDays).not.toContain(`2026-10-0${d}`);
    expect(sentDays).toContain('2026-10-08');
    expect(sentDays).toContain('2026-10-10');
    expect(sentDays).not.toContain('2026-10-11');
  });

  it('moves a nudge due on a holiday to the next working day after quiet hours', () => {
    expect(nextAllowed(local('2026-10-01T10:00'), workingDays, { timeZone: TZ, calendar })).toEqual(local('2026-10-08T08:00'));
    expect(nextAllowed(local('2026-09-30T22:30'), workingDays, { timeZone: TZ, calendar })).toEqual(local('2026-10-08T08:00'));
    expect(nextAllowed(local('2026-10-09T23:00'), workingDays, { timeZone: TZ, calendar })).toEqual(local('2026-10-10T08:00'));
    expect(nextAllowed(local('2026-10-03T23:00'), anyDay, { timeZone: TZ, calendar })).toEqual(local('2026-10-04T08:00'));
  });

  it('moves a deadline warning in quiet hours or on a day off earlier, never later', () => {
    expect(previousAllowed(local('2026-09-29T06:00'), anyDay, { timeZone: TZ, calendar })).toEqual(local('2026-09-28T20:59'));
    expect(previousAllowed(local('2026-10-05T10:00'), workingDays, { timeZone: TZ, calendar })).toEqual(local('2026-09-30T20:59'));
    expect(previousAllowed(local('2026-09-29T15:00'), workingDays, { timeZone: TZ, calendar })).toEqual(local('2026-09-29T15:00'));
  });

  it('holds everything in quiet hours', () => {
    const plan = planReminders([nudge('a', { window: anyDay })], context(local('2026-09-29T22:00')));
    expect(plan.send).toEqual([]);
    expect(plan.held.map((h) => h.reason)).toEqual(['quiet']);
  });

  it('gives each message its (purpose, recipient, slot) key and skips keys already sent', () => {
    const now = local('2026-09-29T10:00');
    const first = planReminders([nudge('daily:2026-09-29')], context(now));
    expect(first.send.map((s) => s.dedupeKey)).toEqual(['mentorship.nudge:ou_mentor:daily:2026-09-29']);
    const sent = new Set(first.send.map((s) => s.dedupeKey));
    const again = planReminders([nudge('daily:2026-09-29')], context(now, { alreadySent: (k) => sent.has(k) }));
    expect(again.send).toEqual([]);
    expect(again.held).toEqual([]);
  });
});

describe('absence', () => {
  const away: Absence[] = [{ startsOn: '2026-03-05', endsOn: '2026-03-09' }];

  it('pauses nudges while the cadre is away and resumes after', () => {
    const during = planReminders([nudge('x', { window: anyDay })], context(local('2026-03-06T10:00'), { absencesOf: (id) => (id === 7 ? away : []) }));
    expect(during.held.map((h) => h.reason)).toEqual(['absent']);
    const others = planReminders([nudge('x', { window: anyDay, cadreId: 8 })], context(local('2026-03-06T10:00'), { absencesOf: (id) => (id === 7 ? away : []) }));
    expect(others.send).toHaveLength(1);
    const after = planReminders([nudge('x', { window: anyDay })], context(local('2026-03-10T10:00'), { absencesOf: () => away }));
    expect(after.send).toHaveLength(1);
  });

  it('moves a cadence due date by the length of the absence', () => {
    expect(shiftedDueDay('2026-03-15', '2026-03-01', away)).toBe('2026-03-20');
    expect(shiftedDueDay('2026-03-15', '2026-03-01', [])).toBe('2026-03-15');
    // An absence that the first shift reaches is counted too, and overlaps count once.
    expect(shiftedDueDay('2026-03-15', '2026-03-01', [...away, { startsOn: '2026-03-16', endsOn: '2026-03-17' }, { startsOn: '2026-03-08', endsOn: '2026-03-09' }])).toBe('2026-03-22');
    // Absences before the period began do not count.
    expect(shiftedDueDay('2026-03-15', '2026-03-10', away)).toBe('2026-03-15');
  });
});

describe('escalation ladder', () => {
  it('plans its steps on working days and skips the holiday', () => {
    const plan = ladderPlan(DEFAULT_LADDER, '2026-09-29', calendar);
    expect(plan.map((s) => [s.kind, s.day])).toEqual([
      ['card', '2026-09-29'],
      ['repeat', '2026-10-08'],
      ['urgent', '2026-10-10'],
      ['unit_digest', '2026-10-12'],
      ['district_digest', '2026-10-19'],
    ]);
  });

  it('takes each step once, climbs to where it stands after an outage, and closes when done', () => {
    const taken = new Set<string>();
    const step = (today: string, done = false) => dueLadderStep(DEFAULT_LADDER, { startDay: '2026-09-29', done, taken }, today, calendar);
    expect(step('2026-09-29')?.kind).toBe('card');
    taken.add(step('2026-09-29')!.key);
    expect(step('2026-09-30')).toBeNull();
    expect(step('2026-10-05')).toBeNull();
    // The sweep was down from the 8th to the 10th: one step, the urgent notice, not a repeat as well.
    expect(step('2026-10-10')?.kind).toBe('urgent');
    taken.add(step('2026-10-10')!.key);
    expect(step('2026-10-10')).toBeNull();
    expect(step('2026-10-12')?.kind).toBe('unit_digest');
    expect(step('2026-10-30', true)).toBeNull();
  });

  it('refuses a ladder that does not start with the card or goes backwards', () => {
    expect(ladderIssues(DEFAULT_LADDER)).toEqual([]);
    expect(ladderIssues([])).toEqual([{ code: 'ladder.empty' }]);
    expect(ladderIssues([{ kind: 'urgent', afterWorkingDays: 0 }]).map((i) => i.code)).toEqual(['ladder.firstNotCard']);
    expect(ladderIssues([{ kind: 'card', afterWorkingDays: 3 }, { kind: 'repeat', afterWorkingDays: 1 }, { kind: 'urgent', afterWorkingDays: 1.5 }]).map((i) => i.code)).toEqual(['ladder.order', 'ladder.offset']);
  });
});

describe('daily cap across features', () => {
  const item = (recipient: string, n: number) => ({ recipient, n });

  it('sends up to the cap and merges the overflow into one digest in the last place', () => {
    const items = Array.from({ length: 9 }, (_, n) => item('ou_a', n));
    const r = applyDailyCap(items, () => 0, 6);
    expect(r.send.map((i) => i.n)).toEqual([0, 1, 2, 3, 4]);
    expect(r.digests).toEqual([{ recipient: 'ou_a', items: items.slice(5) }]);
    expect(r.deferred).toEqual([]);
  });

  it('counts what the person already had today, and defers when nothing fits', () => {
    const r = applyDailyCap([item('ou_a', 0), item('ou_a', 1), item('ou_b', 2)], (who) => (who === 'ou_a' ? 6 : 5), 6);
    expect(r.deferred.map((i) => i.n)).toEqual([0, 1]);
    expect(r.send.map((i) => i.n)).toEqual([2]);
  });

  it('applies inside the engine', () => {
    const candidates = Array.from({ length: 8 }, (_, n) => nudge(`s${n}`, { window: anyDay, purpose: n % 2 ? 'training.selfStudy' : 'mentorship.nudge' }));
    const plan = planReminders(candidates, context(local('2026-09-29T10:00'), { sentToday: () => 2 }));
    expect(plan.send).toHaveLength(3);
    expect(plan.digests[0]!.items).toHaveLength(5);
  });
});
