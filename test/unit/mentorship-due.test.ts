import { describe, expect, it } from 'vitest';
import { WorkCalendar, builtinSpecialDays } from '../../core/reminders/calendar.ts';
import { localDay } from '../../core/reminders/time.ts';
import { fixedClock } from '../../core/clock.ts';
import { addCadence, missedPeriods, nextDueDay, pairHealth, type DueInput } from '../../core/mentorship/due.ts';

const TZ = 'Asia/Shanghai';
const calendar = new WorkCalendar(builtinSpecialDays());
const DAY = 86_400_000;

function pair(over: Partial<DueInput> = {}): DueInput {
  return { status: 'active', startsOn: '2026-03-02', endsOn: null, cadence: 'fortnightly', lastConfirmedOn: null, pauses: [], menteeAbsences: [], mentorAbsences: [[]], ...over };
}

/** The local day on a fake clock set to 10:00 Shanghai time on `day`. */
function clockOn(day: string) {
  const clock = fixedClock(new Date(`${day}T10:00:00+08:00`));
  return { clock, today: () => localDay(clock.now(), TZ) };
}

describe('mentorship due day on a fake clock', () => {
  it('keeps a monthly cadence on the month end: 31 January is followed by the end of February', () => {
    expect(addCadence('2026-01-31', 'monthly')).toBe('2026-02-28');
    expect(addCadence('2026-03-31', 'monthly')).toBe('2026-04-30');
    expect(addCadence('2026-12-31', 'monthly')).toBe('2027-01-31');
    // 28 February 2026 is the Spring Festival's make-up Saturday: a working day, so it stays.
    expect(nextDueDay(pair({ startsOn: '2026-01-31', cadence: 'monthly' }), '2026-02-01', calendar)).toBe('2026-02-28');
    // 31 January 2027 is a Sunday: the meeting is due on the Monday.
    expect(nextDueDay(pair({ startsOn: '2026-12-31', cadence: 'monthly' }), '2027-01-01', calendar)).toBe('2027-02-01');
  });

  it('is not due while paused, and after the pause the due day has moved by the days paused', () => {
    const { clock, today } = clockOn('2026-03-16');
    const paused = pair({ status: 'paused', pauses: [{ startsOn: '2026-03-05', endsOn: null }] });
    expect(nextDueDay(paused, today(), calendar)).toBeNull();
    expect(pairHealth(paused, null, today(), calendar)).toBe('on_track');
    clock.advance(7 * DAY);
    const resumed = pair({ pauses: [{ startsOn: '2026-03-05', endsOn: '2026-03-11' }] });
    expect(nextDueDay(resumed, today(), calendar)).toBe('2026-03-23');
    expect(nextDueDay(pair(), today(), calendar)).toBe('2026-03-16');
  });

  it('moves the due day by a mentee absence, and by a mentor absence only when every mentor is away', () => {
    const today = '2026-03-03';
    const weekly = { cadence: 'weekly' as const };
    // Five days away: 9 March + 5 is Saturday 14 March, so the meeting is due on Monday 16.
    expect(nextDueDay(pair({ ...weekly, menteeAbsences: [{ startsOn: '2026-03-05', endsOn: '2026-03-09' }] }), today, calendar)).toBe('2026-03-16');
    const oneAway = pair({ ...weekly, mentorAbsences: [[{ startsOn: '2026-03-03', endsOn: '2026-03-06' }], []] });
    expect(nextDueDay(oneAway, today, calendar)).toBe('2026-03-09');
    const bothAway = pair({ ...weekly, mentorAbsences: [[{ startsOn: '2026-03-03', endsOn: '2026-03-06' }], [{ startsOn: '2026-03-05', endsOn: '2026-03-10' }]] });
    expect(nextDueDay(bothAway, today, calendar)).toBe('2026-03-11');
  });

  it('moves a meeting due in the 国庆 2026 holiday week to the first working day after it', () => {
    const input = pair({ startsOn: '2026-09-24', cadence: 'weekly' });
    expect(nextDueDay(input, '2026-09-28', calendar)).toBe('2026-10-08');
    const { clock, today } = clockOn('2026-10-07');
    expect(pairHealth(input, null, today(), calendar)).toBe('on_track');
    clock.advance(DAY);
    expect(pairHealth(input, null, today(), calendar)).toBe('due');
  });

  it('counts a check-in logged late from the day they met, and marks the pair overdue after two missed periods', () => {
    // They met on 10 March; the mentor logged it on the 18th and the mentee confirmed it later.
    const input = pair({ cadence: 'monthly', lastConfirmedOn: '2026-03-10' });
    const { clock, today } = clockOn('2026-04-09');
    expect(nextDueDay(input, today(), calendar)).toBe('2026-04-10');
    expect(pairHealth(input, null, today(), calendar)).toBe('on_track');
    clock.set(new Date('2026-04-10T10:00:00+08:00'));
    expect(pairHealth(input, null, today(), calendar)).toBe('due');
    // The second period ends on Sunday 10 May, so it counts from Monday 11 May.
    clock.set(new Date('2026-05-10T10:00:00+08:00'));
    expect(missedPeriods(input, today(), calendar)).toBe(1);
    clock.set(new Date('2026-05-11T10:00:00+08:00'));
    expect(missedPeriods(input, today(), calendar)).toBe(2);
    expect(pairHealth(input, null, today(), calendar)).toBe('overdue');
  });

  it('shows a pair whose check-in waited more than 7 days for the mentee as unconfirmed', () => {
    const input = pair({ cadence: 'monthly', lastConfirmedOn: '2026-03-10' });
    expect(pairHealth(input, { loggedOn: '2026-04-01' }, '2026-04-08', calendar)).toBe('on_track');
    expect(pairHealth(input, { loggedOn: '2026-04-01' }, '2026-04-09', calendar)).toBe('unconfirmed');
  });

  it('is not due after the pair has ended or past its period', () => {
    expect(nextDueDay(pair({ status: 'ended' }), '2026-03-20', calendar)).toBeNull();
    expect(nextDueDay(pair({ endsOn: '2026-03-10' }), '2026-03-03', calendar)).toBeNull();
  });
});
