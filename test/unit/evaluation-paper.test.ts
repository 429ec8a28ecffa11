import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../core/csv.ts';
import { parsePaperCsv } from '../../core/evaluation/paper.ts';
import { ANNUAL_ASSESSMENT, templateItems } from '../../core/evaluation/templates.ts';

const labels = templateItems(ANNUAL_ASSESSMENT).map((i) => i.label);
const header = ['问卷编号', '类别', '被评价人编号', ...labels, '总体评价', '意见建议'].join(',');
const row = (sheet: string, category: string, target: string, level: string, grade = '称职', comment = '') =>
  [sheet, category, target, ...labels.map(() => level), grade, comment].join(',');
// Two units: unit 1 has targets 11 and 12, unit 2 has target 21.
const targets = [
  { cadreId: 11, unitId: 1, employeeNo: 'QH00011' },
  { cadreId: 12, unitId: 1, employeeNo: 'QH00012' },
  { cadreId: 21, unitId: 2, employeeNo: 'QH00021' },
];
const rules = { maxTopShare: 0.9 };

describe('scanner CSV', () => {
  it('reads quoted fields, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFa,"b,1","say ""hi"""\r\nc,,d\n')).toEqual([['a', 'b,1', 'say "hi"'], ['c', '', 'd']]);
  });

  it('turns rows into ballots: labels, keys or letters, employee numbers or ids', () => {
    const csv = [header, row('P1', '下级', 'QH00011', '好'), row('P1', '下级', '12', 'B'), row('P2', '群众', 'QH00021', 'average', '优秀', '"作风好,务实"')].join('\n');
    const parsed = parsePaperCsv(csv, ANNUAL_ASSESSMENT, targets, rules);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toBe(3);
    expect(parsed.ballots).toHaveLength(2);
    const [p1, p2] = parsed.ballots;
    expect(p1!.category).toBe('subordinate');
    expect(p1!.ballot.slips.map((s) => [s.targetId, Object.values(s.scores)[0], s.grade])).toEqual([[11, 100, 'competent'], [12, 80, 'competent']]);
    // 10 of 20 answers at 好 = 50%, not over 90%: not flagged
    expect(p1!.ballot.flagged).toBe(false);
    expect(p2!.ballot.slips[0]).toMatchObject({ targetId: 21, grade: 'excellent', comment: '作风好,务实' });
  });

  it('reports every bad row with its line, in Chinese', () => {
    const csv = [
      header,
      row('P1', '下级', 'QH00011', '好'),
      row('P1', '领导', 'QH00012', '好'), // line 3: bad category
      row('P2', '群众', 'QH09999', '好'), // line 4: not a target
      row('P3', '群众', 'QH00021', 'E', ''), // line 5: bad level, no grade
      row('P1', '下级', 'QH00011', '好'), // line 6: same target twice
    ].join('\n');
    const { errors } = parsePaperCsv(csv, ANNUAL_ASSESSMENT, targets, rules);
    expect(errors).toEqual([
      '第 3 行：类别“领导”无效（应为上级、同级、下级或群众）',
      '第 4 行：被评价人编号“QH09999”不是本次测评对象',
      `第 5 行：${labels.map((l) => `“${l}”的选项“E”无效`).join('；')}；总体评价未填涂`,
      '第 6 行：问卷 P1 重复评价了同一对象',
    ]);
  });

  it('refuses a sheet that leaves out part of a leadership team', () => {
    // Unit 1 has targets 11 and 12; a subordinate's sheet rates only 11.
    const { errors } = parsePaperCsv([header, row('P4', '下级', 'QH00011', '好')].join('\n'), ANNUAL_ASSESSMENT, targets, rules);
    expect(errors).toEqual(['问卷 P4（第 2 行起）漏评 1 位评价对象']);
  });

  it('refuses a file without the questionnaire columns', () => {
    expect(parsePaperCsv('问卷编号,类别\nP1,下级', ANNUAL_ASSESSMENT, targets, rules).errors[0]).toBe('第 1 行：缺少“被评价人编号”列');
  });

  it('lets a peer sheet leave out one target (its rater) and flags too many 好', () => {
    const csv = [header, row('S1', '同级', 'QH00011', '好')].join('\n');
    const parsed = parsePaperCsv(csv, ANNUAL_ASSESSMENT, targets, rules);
    expect(parsed.errors).toEqual([]);
    expect(parsed.ballots[0]!.ballot.flagged).toBe(true);
  });
});
