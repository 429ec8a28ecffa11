import { describe, expect, it } from 'vitest';
import { isDay } from '../../core/dates.ts';
import { WorkCalendar, builtinSpecialDays, parseCalendarCsv } from '../../core/reminders/calendar.ts';

const cal = new WorkCalendar(builtinSpecialDays());

describe('work calendar (2026, as the State Council published it)', () => {
  it('knows make-up workdays and holidays around 国庆', () => {
    expect(cal.isWorkingDay('2026-09-19')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2026-09-20')).toBe(true); // Sunday, make-up workday
    for (let d = 1; d <= 7; d++) expect(cal.isWorkingDay(`2026-10-0${d}`)).toBe(false);
    expect(cal.isWorkingDay('2026-10-08')).toBe(true);
    expect(cal.isWorkingDay('2026-10-10')).toBe(true); // Saturday, make-up workday
    expect(cal.isWorkingDay('2026-10-11')).toBe(false);
  });

  it('counts working days across the holiday', () => {
    expect(cal.nextWorkingDay('2026-10-01')).toBe('2026-10-08');
    expect(cal.addWorkingDays('2026-09-30', 1)).toBe('2026-10-08');
    expect(cal.addWorkingDays('2026-10-08', 2)).toBe('2026-10-10');
    // "3 working days before the deadline" of Friday 9 October: 30 September, then 8 October…
    expect(cal.addWorkingDays('2026-10-09', -3)).toBe('2026-09-29');
    expect(cal.workingDaysBetween('2026-09-30', '2026-10-10')).toBe(3);
    expect(cal.addWorkingDays('2026-10-03', 0)).toBe('2026-10-08');
  });

  it('covers 2026 and says it does not cover 2027', () => {
    expect(cal.covers(2026)).toBe(true);
    expect(cal.covers(2027)).toBe(false);
    expect(cal.isWorkingDay('2027-01-04')).toBe(true); // a Monday, by the week alone
  });

  it('reads a year list and reports every bad line, importing nothing', () => {
    const good = parseCalendarCsv('date,kind,name\n2027-01-01,休,元旦\r\n2027-02-06,班,春节\n');
    expect(good.issues).toEqual([]);
    expect(good.days).toEqual([
      { date: '2027-01-01', kind: 'holiday', name: '元旦' },
      { date: '2027-02-06', kind: 'workday', name: '春节' },
    ]);
    const bad = parseCalendarCsv('date,kind,name\n2027-02-30,holiday,春节\n2027-01-01,off,元旦\n2027-01-05,workday,x\n2027-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n');
    expect(bad.days).toEqual([]);
    expect(bad.issues.map((i) => i.code)).toEqual(['calendar.date', 'calendar.kind', 'calendar.workdayOnWeekday', 'calendar.duplicate']);
    expect(parseCalendarCsv('日期,类型\n').issues).toEqual([{ code: 'calendar.header', line: 1 }]);
  });

  it('refuses impossible dates', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-13-01')).toBe(false);
  });
});
