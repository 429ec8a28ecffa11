import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../core/csv.ts';
import { paperCapacityIssues, paperFingerprint, parsePaperCsv, parsePaperVoters } from '../../core/evaluation/paper.ts';
import { ANNUAL_ASSESSMENT, templateItems } from '../../core/evaluation/templates.ts';
import type { Issue } from '../../core/evaluation/errors.ts';
import { evaluationDictionary, issueText } from '../../web/pages/evaluation/text.ts';

/** Problems worded as the panel words them in Chinese. */
const zh = (issues: Issue[]) => issues.map((i) => issueText(evaluationDictionary('zh'), i));

const labels = templateItems(ANNUAL_ASSESSMENT).map((i) => i.label);
const header = ['问卷编号', '类别', '被评价人编号', ...labels, '总体评价', '意见建议', '测评码'].join(',');
/** A public (群众) sheet carries the one-time code it came with. */
const row = (sheet: string, category: string, target: string, level: string, grade = '称职', comment = '', code = category === '群众' ? `CODE-${sheet}` : '') =>
  [sheet, category, target, ...labels.map(() => level), grade, comment, code].join(',');
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
    expect(p1!.code).toBeUndefined();
    expect(p2!.code).toBe('CODEP2');
  });

  it('needs the one-time code on every row of a public sheet, the same on each', () => {
    const noColumn = [header.replace(',测评码', ''), row('P2', '群众', 'QH00021', '好').replace(/,CODE-P2$/, '')].join('\n');
    expect(zh(parsePaperCsv(noColumn, ANNUAL_ASSESSMENT, targets, rules).errors)).toEqual(['第 2 行：群众问卷须有“测评码”列（随问卷发放的一次性测评码）']);
    const csv = [header, row('P5', '群众', 'QH00011', '好', '称职', '', 'AAAA'), row('P5', '群众', 'QH00012', '好', '称职', '', 'BBBB'), row('P6', '群众', 'QH00021', '好', '称职', '', '')].join('\n');
    expect(zh(parsePaperCsv(csv, ANNUAL_ASSESSMENT, targets, rules).errors)).toEqual(['第 3 行：问卷 P5 的测评码与第 2 行不一致', '第 4 行：群众问卷未填写测评码']);
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
    expect(zh(errors)).toEqual([
      '第 3 行：类别“领导”无效（应为上级、同级、下级或群众）',
      '第 4 行：被评价人编号“QH09999”不是本次测评对象',
      `第 5 行：${labels.map((l) => `“${l}”的选项“E”无效`).join('；')}；总体评价未填涂`,
      '第 6 行：问卷 P1 重复评价了同一对象',
    ]);
  });

  it('refuses a sheet that leaves out part of a leadership team', () => {
    // Unit 1 has targets 11 and 12; a subordinate's sheet rates only 11.
    const { errors } = parsePaperCsv([header, row('P4', '下级', 'QH00011', '好')].join('\n'), ANNUAL_ASSESSMENT, targets, rules);
    expect(zh(errors)).toEqual(['问卷 P4（第 2 行起）漏评 1 位评价对象']);
  });

  it('refuses a file without the questionnaire columns', () => {
    expect(parsePaperCsv('问卷编号,类别\nP1,下级', ANNUAL_ASSESSMENT, targets, rules).fileIssues[0]).toEqual({ code: 'paper.column', params: { column: '被评价人编号' } });
  });

  it('lets a peer sheet leave out one target (its rater) and flags too many 好', () => {
    const csv = [header, row('S1', '同级', 'QH00011', '好')].join('\n');
    const parsed = parsePaperCsv(csv, ANNUAL_ASSESSMENT, targets, rules);
    expect(parsed.errors).toEqual([]);
    expect(parsed.ballots[0]!.ballot.flagged).toBe(true);
  });
});

describe('a paper file\'s identity', () => {
  const file = [header, row('P1', '下级', 'QH00011', '好'), row('P1', '下级', 'QH00012', '较好')].join('\n');

  it('is its content, whatever the line endings, BOM and trailing whitespace of the copy', () => {
    const same = [
      file.replace(/\n/g, '\r\n'),
      `\uFEFF${file}\r\n\r\n`,
      file.replace(/\n/g, '\r'),
      file.split('\n').map((line) => `${line}  \t`).join('\n'),
      `${file.replace(/\n/g, ' \r\n')}\n`,
    ];
    for (const copy of same) expect(paperFingerprint(copy)).toBe(paperFingerprint(file));
  });

  it('changes with any answer', () => {
    expect(paperFingerprint(file.replace('较好', '一般'))).not.toBe(paperFingerprint(file));
    expect(paperFingerprint(file.replace('P1', 'P9'))).not.toBe(paperFingerprint(file));
  });
});

describe('the paper voters and how many slips they allow', () => {
  it('reads employee numbers one per line or separated, with a category where needed', () => {
    expect(parsePaperVoters('QH00012\r\nQH00031 同级， QH00040：下级、 21\n\n')).toEqual({
      voters: [
        { entry: 'QH00012', number: 'QH00012' },
        { entry: 'QH00031 同级', number: 'QH00031', category: 'peer' },
        { entry: 'QH00040：下级', number: 'QH00040', category: 'subordinate' },
        { entry: '21', number: '21' },
      ],
      errors: [],
    });
    expect(zh(parsePaperVoters('QH00012 领导\nQH00013 群众').errors)).toEqual([
      '纸质投票人“QH00012 领导”：应为工号，或工号加类别（上级、同级、下级），如“QH00012 同级”',
      '纸质投票人“QH00013 群众”：应为工号，或工号加类别（上级、同级、下级），如“QH00013 同级”',
    ]);
  });

  it('refuses more slips for a target than listed voters who rate it, per category', () => {
    const csv = [header, row('P1', '下级', 'QH00011', '好'), row('P1', '下级', 'QH00012', '好'), row('P2', '下级', 'QH00011', '好'), row('P2', '下级', 'QH00012', '好'), row('P3', '群众', 'QH00021', '好')].join('\n');
    const { ballots, errors } = parsePaperCsv(csv, ANNUAL_ASSESSMENT, targets, rules);
    expect(errors).toEqual([]);
    const names = new Map([[11, '甲'], [12, '乙'], [21, '丙']]);
    const unit1 = { category: 'subordinate' as const, targetIds: [11, 12] };
    expect(paperCapacityIssues(ballots, [unit1, unit1], names)).toEqual([]);
    // One listed subordinate for two sheets; a peer does not count for the subordinates' sheets.
    expect(zh(paperCapacityIssues(ballots, [unit1, { category: 'peer', targetIds: [11, 12] }], names))).toEqual([
      '下级对 甲 的纸质选票有 2 张，多于所列尚未投票的下级评价人（1 人）',
      '下级对 乙 的纸质选票有 2 张，多于所列尚未投票的下级评价人（1 人）',
      '“纸质投票人”须列出每位交回问卷的评价人（工号，每行一个）；已在飞书或网页投票的人不能再交纸质问卷',
    ]);
    // A voter who rates only target 11 makes room for 11, not 12.
    expect(paperCapacityIssues(ballots, [unit1, { category: 'subordinate', targetIds: [11] }], names)).toHaveLength(2);
  });
});
