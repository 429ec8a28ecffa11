import { describe, expect, it } from 'vitest';
import { checkBallot } from '../../core/evaluation/ballots.ts';
import { campaignIssues } from '../../core/evaluation/campaigns.ts';
import { DEFAULT_REMINDER_PLAN } from '../../core/evaluation/reminders.ts';
import { POLITICAL_QUALITY, templateIssues, type TemplateDefinition } from '../../core/evaluation/templates.ts';
import { evaluationDictionary, issueText } from '../../web/pages/evaluation/text.ts';
import { paperCapacityIssues, parsePaperCsv, parsePaperVoters } from '../../core/evaluation/paper.ts';
import { ANNUAL_ASSESSMENT, templateItems } from '../../core/evaluation/templates.ts';

const CJK = /[\u3400-\u9fff\u3001-\u303f\uff00-\uffef]/;
const en = evaluationDictionary('en');

describe('evaluation problems in English', () => {
  it('words every problem of a campaign, a questionnaire and a ballot by its code, with no Chinese but the data', () => {
    const campaign = campaignIssues({
      title: '',
      kind: 'weekly' as never,
      year: 1900,
      templateVersionId: 1,
      opensAt: new Date('2026-12-10T00:00:00Z'),
      closesAt: new Date('2026-12-01T00:00:00Z'),
      weights: { superior: 2, peer: 0.3, subordinate: 0.2, public: 0.2 },
      reminderPlan: { ...DEFAULT_REMINDER_PLAN, dailyAt: '25:00', maxReminders: -1 },
      validityRules: { maxTopShare: 3 },
    });
    const template = templateIssues({ name: 'Check', scale: [{ key: 'Good', label: 'Good', score: 120 }], dimensions: [{ key: 'd', label: 'Work', items: [] }], allowComment: true, overallGrade: false } as TemplateDefinition);
    const ballot = checkBallot(POLITICAL_QUALITY, { targetIds: [1, 2], raterCadreId: 2, answers: [{ targetId: 1, levels: {} }, { targetId: 9, levels: {} }, { targetId: 2, levels: {} }], rules: { maxTopShare: null }, targetNames: new Map([[1, 'Ann Lee']]) }).issues;
    const all = [...campaign, ...template, ...ballot];
    expect(all.length).toBeGreaterThanOrEqual(14);
    const labels = POLITICAL_QUALITY.dimensions.flatMap((d) => d.items.map((i) => i.label));
    for (const issue of all) {
      const text = issueText(en, issue);
      expect(text, issue.code).not.toBe(issue.code);
      expect(labels.reduce((t, l) => t.split(l).join(''), text), issue.code).not.toMatch(CJK);
    }
    expect(ballot.map((i) => issueText(en, i))).toContain('You cannot rate yourself');
  });

  it('words a paper file\'s problems in English, keeping only the tokens the file itself must hold', () => {
    const labels = templateItems(ANNUAL_ASSESSMENT).map((i) => i.label);
    const header = ['问卷编号', '类别', '被评价人编号', ...labels, '总体评价', '意见建议'].join(',');
    const row = (cells: string[]) => cells.join(',');
    const csv = [header, row(['', '领导', 'X1', ...labels.map(() => 'E'), '', '']), row(['P1', '群众', 'X1', ...labels.map(() => ''), '', ''])].join('\n');
    const targets = [{ cadreId: 11, employeeNo: 'X1', unitId: 1, name: 'Ann Lee' }];
    const parsed = parsePaperCsv(csv, ANNUAL_ASSESSMENT, targets, { maxTopShare: null });
    const issues = [
      ...parsed.errors,
      ...parsePaperVoters('X1 领导').errors,
      ...paperCapacityIssues([{ sheet: 'P2', category: 'peer', ballot: { slips: [{ targetId: 11, scores: {}, grade: null, comment: null }], flagged: false } }], [], new Map([[11, 'Ann Lee']])),
    ];
    expect(issues.length).toBeGreaterThanOrEqual(4);
    // What a scanner's file and the sign-in list are written in: their Chinese columns and tokens.
    const fileTokens = [...labels, '上级', '同级', '下级', '群众', '领导', '测评码'];
    for (const issue of issues) {
      const text = issueText(en, issue);
      expect(fileTokens.reduce((t, l) => t.split(l).join(''), text), issue.code).not.toMatch(CJK);
    }
    expect(issueText(en, parsed.errors[0]!)).toMatch(/^Row 2: the sheet number is empty; the category “领导” is not one of/);
  });
});
