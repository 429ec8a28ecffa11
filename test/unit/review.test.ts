import { describe, expect, it } from 'vitest';
import { ageOf, officeOf, parseInboxFilters } from '../../core/review.ts';

describe('the review inbox rules', () => {
  const now = new Date('2026-11-25T09:00:00Z'); // 17:00 in Shanghai
  it('counts "today" by the department\'s local day, not by UTC', () => {
    expect(ageOf(new Date('2026-11-24T16:30:00Z'), now, 'Asia/Shanghai')).toBe('today'); // 00:30 on the 25th
    expect(ageOf(new Date('2026-11-24T15:30:00Z'), now, 'Asia/Shanghai')).toBe('week'); // 23:30 on the 24th
    expect(ageOf(new Date('2026-11-18T09:00:00Z'), now, 'Asia/Shanghai')).toBe('week');
    expect(ageOf(new Date('2026-11-18T08:59:00Z'), now, 'Asia/Shanghai')).toBe('older');
  });

  it('ignores what it does not know in the query string', () => {
    expect(parseInboxFilters({ feature: '<x>', unit: '-3', age: 'yesterday', state: 'all', page: '1e9' })).toEqual({ feature: undefined, unit: undefined, age: undefined, state: 'open', page: 1 });
    expect(parseInboxFilters({ feature: 'evaluation', unit: '7', age: 'older', state: 'done', page: '2' })).toEqual({ feature: 'evaluation', unit: 7, age: 'older', state: 'done', page: 2 });
  });

  it('shares marks within an office: the district, or one unit', () => {
    expect(officeOf({ user: { id: 1, role: 'district_admin', unitId: null }, scope: { kind: 'all' } })).toBe('district');
    expect(officeOf({ user: { id: 2, role: 'unit_admin', unitId: 5 }, scope: { kind: 'units', unitIds: [5, 6] } })).toBe('unit:5');
  });
});
