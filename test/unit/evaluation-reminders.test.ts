import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.ts';
import { DEFAULT_REMINDER_PLAN, dueReminder, reminderPlanIssues, reminderSlots, snoozeUntil, type ReminderPlan } from '../../core/evaluation/reminders.ts';
import { evaluationDictionary, issueText } from '../../web/pages/evaluation/text.ts';

const zh = evaluationDictionary('zh');

/** A local time in Asia/Shanghai (UTC+8, no daylight saving). */
const local = (s: string) => new Date(`${s.replace(' ', 'T')}:00+08:00`);
const tz = 'Asia/Shanghai';

// Opens Monday 2026-11-30 at 22:00 (inside quiet hours), closes Monday 2026-12-07 at 18:00.
const window = { opensAt: local('2026-11-30 22:00'), closesAt: local('2026-12-07 18:00'), tz };
const plan: ReminderPlan = { ...DEFAULT_REMINDER_PLAN, dailyAt: '10:00', skipWeekends: true, maxReminders: 5 };

describe('reminder slots', () => {
  it('moves the opening reminder out of quiet hours, skips the weekend and marks the last day', () => {
    const slots = reminderSlots(plan, window).map((s) => [s.key, s.at.toISOString()]);
    expect(slots).toEqual([
      ['opening', local('2026-12-01 08:00').toISOString()],
      ['daily:2026-12-01', local('2026-12-01 10:00').toISOString()],
      ['daily:2026-12-02', local('2026-12-02 10:00').toISOString()],
      ['daily:2026-12-03', local('2026-12-03 10:00').toISOString()],
      ['daily:2026-12-04', local('2026-12-04 10:00').toISOString()],
      // Saturday 5th and Sunday 6th skipped
      ['last:2026-12-07', local('2026-12-07 10:00').toISOString()],
    ]);
  });

  it('keeps weekend days when the plan allows them', () => {
    const keys = reminderSlots({ ...plan, skipWeekends: false }, window).map((s) => s.key);
    expect(keys).toContain('daily:2026-12-05');
    expect(keys).toContain('daily:2026-12-06');
  });

  it('reminds on the last morning when there is no daily time', () => {
    const slots = reminderSlots({ ...plan, dailyAt: null }, window);
    expect(slots.map((s) => [s.key, s.at.getTime()])).toEqual([
      ['opening', local('2026-12-01 08:00').getTime()],
      ['last:2026-12-07', local('2026-12-07 08:00').getTime()],
    ]);
  });
});

describe('which reminder is due now (fake clock)', () => {
  const clock = fixedClock(local('2026-11-30 23:00'));

  it('sends nothing in quiet hours, then the opening reminder after them, once', () => {
    expect(dueReminder(plan, window, { sent: 0, lastSentAt: null }, clock.now())).toEqual({
      due: null,
      next: { key: 'opening', at: local('2026-12-01 08:00') },
    });
    clock.set(local('2026-12-01 08:05'));
    expect(dueReminder(plan, window, { sent: 0, lastSentAt: null }, clock.now()).due?.key).toBe('opening');
    clock.set(local('2026-12-01 09:00'));
    const after = dueReminder(plan, window, { sent: 1, lastSentAt: local('2026-12-01 08:05') }, clock.now());
    expect(after.due).toBeNull();
    expect(after.next?.key).toBe('daily:2026-12-01');
  });

  it('sends only the latest missed slot after an outage, not a burst', () => {
    clock.set(local('2026-12-03 15:00'));
    expect(dueReminder(plan, window, { sent: 1, lastSentAt: local('2026-12-01 08:05') }, clock.now()).due?.key).toBe('daily:2026-12-03');
  });

  it('waits through a weekend even when Friday was missed', () => {
    clock.set(local('2026-12-05 10:00'));
    const saturday = dueReminder(plan, window, { sent: 3, lastSentAt: local('2026-12-03 10:00') }, clock.now());
    expect(saturday.due).toBeNull();
    expect(saturday.next?.key).toBe('last:2026-12-07');
  });

  it('reminds on the last day, stops at the cap and at closing', () => {
    clock.set(local('2026-12-07 10:00'));
    expect(dueReminder(plan, window, { sent: 4, lastSentAt: local('2026-12-04 10:00') }, clock.now()).due?.key).toBe('last:2026-12-07');
    expect(dueReminder(plan, window, { sent: 5, lastSentAt: local('2026-12-04 10:00') }, clock.now())).toEqual({ due: null, next: null });
    clock.set(local('2026-12-07 18:00'));
    expect(dueReminder(plan, window, { sent: 0, lastSentAt: null }, clock.now())).toEqual({ due: null, next: null });
  });

  it('a late-evening sweep inside quiet hours sends nothing', () => {
    clock.set(local('2026-12-02 21:30'));
    expect(dueReminder(plan, window, { sent: 2, lastSentAt: local('2026-12-01 10:00') }, clock.now()).due).toBeNull();
  });
});

describe('the first reminder after the invitation', () => {
  // Opens Tuesday 2026-12-01 at 08:00 with a daily reminder at 10:00.
  const w = { opensAt: local('2026-12-01 08:00'), closesAt: local('2026-12-07 18:00'), tz };
  const daily: ReminderPlan = { ...DEFAULT_REMINDER_PLAN, dailyAt: '10:00', skipWeekends: false, maxReminders: 5 };

  it('opened after the day\'s slot has passed: the next day\'s slot, not a second after the invitation', () => {
    const invitedAt = local('2026-12-01 11:00');
    const now = new Date(invitedAt.getTime() + 1000);
    const decision = dueReminder(daily, w, { sent: 0, lastSentAt: invitedAt, invitedAt }, now);
    expect(decision.due).toBeNull();
    expect(decision.next).toEqual({ key: 'daily:2026-12-02', at: local('2026-12-02 10:00') });
    // Not even when the caller knows only the opening slot as the last message (what the sweep did).
    expect(dueReminder(daily, w, { sent: 0, lastSentAt: local('2026-12-01 08:00'), invitedAt }, now).due).toBeNull();
  });

  it('invited just before the day\'s slot: that slot is skipped too', () => {
    const invitedAt = local('2026-12-01 09:59');
    expect(dueReminder(daily, w, { sent: 0, lastSentAt: invitedAt, invitedAt }, local('2026-12-01 10:00')).due).toBeNull();
    expect(dueReminder(daily, w, { sent: 0, lastSentAt: invitedAt, invitedAt }, local('2026-12-02 10:01')).due?.key).toBe('daily:2026-12-02');
  });

  it('a campaign that opens in quiet hours invites at their end and reminds from the next day', () => {
    const late = { ...w, opensAt: local('2026-11-30 22:00') };
    const invitedAt = local('2026-12-01 08:00');
    const decision = dueReminder(daily, late, { sent: 0, lastSentAt: invitedAt, invitedAt }, local('2026-12-01 10:05'));
    expect(decision.due).toBeNull();
    expect(decision.next?.key).toBe('daily:2026-12-02');
  });
});

describe('remind me in 2 hours', () => {
  it('fires two hours later, or after quiet hours and the weekend', () => {
    expect(snoozeUntil(plan, window, local('2026-12-01 14:00'))).toEqual(local('2026-12-01 16:00'));
    expect(snoozeUntil(plan, window, local('2026-12-01 20:00'))).toEqual(local('2026-12-02 08:00'));
    // Friday 20:30 → 22:30 is quiet → Saturday 08:00 is a weekend → Monday 08:00
    expect(snoozeUntil(plan, window, local('2026-12-04 20:30'))).toEqual(local('2026-12-07 08:00'));
    // Two hours before closing is too late
    expect(snoozeUntil(plan, window, local('2026-12-07 16:30'))).toBeNull();
  });
});

describe('reminder plan validation', () => {
  it('explains bad times and caps in Chinese', () => {
    expect(reminderPlanIssues({ ...plan, dailyAt: '25:00', maxReminders: -1 }).map((i) => issueText(zh, i))).toEqual(['每日提醒时间须为 HH:MM 格式，例如 10:00', '提醒次数上限须为 0–20 的整数']);
    expect(reminderPlanIssues(DEFAULT_REMINDER_PLAN)).toEqual([]);
  });
});
