import { describe, expect, it } from 'vitest';
import { inScope } from '../../core/org/scope.ts';
import { parseCadreFilters } from '../../core/org/cadres.ts';
import { ageOn, withQuery } from '../../web/components/ui.tsx';
import { safeNext } from '../../web/context.ts';

describe('cadre list filters from the URL', () => {
  it('keeps valid filters and drops what a tampered URL adds', () => {
    expect(parseCadreFilters({ q: ' 王 ', unit: '8', age: 'under35', team: 'leader', status: 'active', sort: 'age', dir: 'desc', page: '3' })).toEqual({
      q: '王', unit: 8, age: 'under35', team: 'leader', status: 'active', sort: 'age', dir: 'desc', page: 3, rank: undefined, tag: undefined,
    });
    const bad = parseCadreFilters({ unit: 'x', age: 'old', team: 'boss', status: 'fired', sort: 'salary; drop table', dir: 'up', page: '-1' });
    expect(bad).toMatchObject({ unit: undefined, age: undefined, team: undefined, status: undefined, sort: 'unit', dir: 'asc', page: 1 });
  });

  it('treats empty form fields as no filter', () => {
    expect(parseCadreFilters({ q: '', unit: '', rank: '' })).toEqual({ sort: 'unit', dir: 'asc', page: 1 });
  });
});

describe('scope', () => {
  it('lets a district-wide scope see every unit and a unit scope only its own', () => {
    expect(inScope({ kind: 'all' }, 99)).toBe(true);
    expect(inScope({ kind: 'units', unitIds: [8, 14] }, 14)).toBe(true);
    expect(inScope({ kind: 'units', unitIds: [8, 14] }, 9)).toBe(false);
    expect(inScope({ kind: 'units', unitIds: [] }, 8)).toBe(false);
  });
});

describe('small panel helpers', () => {
  it('counts age in whole years, birthday included', () => {
    const today = new Date('2026-11-25T00:00:00Z');
    expect(ageOn('1990-11-25', today)).toBe(36);
    expect(ageOn('1990-11-26', today)).toBe(35);
  });

  it('returns only to local paths after sign-in', () => {
    expect(safeNext('/cadres?q=1')).toBe('/cadres?q=1');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
  });

  it('refuses every spelling of another site in next, however encoded, and keeps local paths', () => {
    const offSite = [
      '/\t/evil.example/x', // what ?next=/%09/evil.example/x decodes to: browsers drop the tab
      '/%09/evil.example/x',
      '/\n/evil.example', '/\r\n/evil.example', '/x\ny', '\t/evil.example',
      '//evil.example', '///evil.example', '/\\evil.example', '\\\\evil.example', '/x\\y',
      '/%2F%2Fevil.example', '/%2f/evil.example', '%2F%2Fevil.example', '/%252F%252Fevil.example',
      '/%5Cevil.example', '/%5cevil.example', '/%255Cevil.example',
      '/.//evil.example', '/a/..//evil.example', '/./%2F/evil.example',
      'https://evil.example', 'http:/evil.example', 'javascript:alert(1)', 'evil.example', ' /x', '', `/${'a'.repeat(3000)}`,
    ];
    for (const next of offSite) expect(safeNext(next), JSON.stringify(next)).toBe('/');
    expect(safeNext(undefined)).toBe('/');
    expect(safeNext('/')).toBe('/');
    expect(safeNext('/cadres/12/edit')).toBe('/cadres/12/edit');
    expect(safeNext('/?from=王')).toBe(`/?from=${encodeURIComponent('王')}`);
    expect(safeNext('/cadres?q=a&unit=8#top')).toBe('/cadres?q=a&unit=8#top');
    expect(safeNext('/cadres?q=100%')).toBe('/cadres?q=100%');
  });

  it('builds shareable URLs without empty parameters', () => {
    expect(withQuery('/cadres', { q: '王', unit: undefined, tag: '' }, { page: 2 })).toBe(`/cadres?q=${encodeURIComponent('王')}&page=2`);
  });
});
