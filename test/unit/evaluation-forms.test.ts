import { describe, expect, it } from 'vitest';
import { evaluationDictionary, issueText } from '../../web/pages/evaluation/text.ts';
import { campaignValues, parseCampaignForm, toLocalInput } from '../../web/pages/evaluation/form.tsx';
import { parseTemplateForm } from '../../web/pages/evaluation/templates.tsx';
import { displayCode } from '../../web/pages/evaluation/codes.tsx';
import { templateIssues } from '../../core/evaluation/templates.ts';

const zh = evaluationDictionary('zh');
const TZ = 'Asia/Shanghai';

describe('campaign form', () => {
  it('reads local times in the panel time zone and shares as percentages', () => {
    const values = campaignValues(null, [], new Date('2026-11-25T09:00:00Z'), TZ);
    const { input, issues } = parseCampaignForm({ ...values, templateVersionId: '3', title: '测评', opensAt: '2026-12-01T09:00', closesAt: '2026-12-08T18:00', maxTopShare: '95', minExcellentCompetent: '60', maxIncompetent: '33.3' }, zh, TZ);
    expect(issues).toEqual([]);
    expect(input.opensAt.toISOString()).toBe('2026-12-01T01:00:00.000Z');
    expect(toLocalInput(input.closesAt, TZ)).toBe('2026-12-08T18:00');
    expect(input.validityRules).toEqual({ maxTopShare: 0.95 });
    expect(input.alertRules!.maxIncompetentShare).toBeCloseTo(0.333);
    expect(input.weights).toEqual({ superior: 0.3, peer: 0.3, subordinate: 0.2, public: 0.2 });
    expect(input.reminderPlan).toMatchObject({ atOpening: true, dailyAt: '10:00', quietHours: { from: '21:00', to: '08:00' }, skipWeekends: false });
  });

  it('names every field that is not a number, in Chinese', () => {
    const values = campaignValues(null, [], new Date('2026-11-25T09:00:00Z'), TZ);
    const { issues } = parseCampaignForm({ ...values, templateVersionId: '3', w_public: '', w_peer: '三成' }, zh, TZ);
    expect(issues).toEqual(['同级权重须为数字', '群众权重须为数字']);
  });

  it('refuses a questionnaire that is not an id, before it reaches the database', () => {
    const values = campaignValues(null, [], new Date('2026-11-25T09:00:00Z'), TZ);
    for (const templateVersionId of ['abc', '', '1e20', '99999999999', '-1', '1.5']) {
      expect(parseCampaignForm({ ...values, templateVersionId }, zh, TZ).issues).toContain('请从列表中选择问卷模板');
    }
  });
});

describe('questionnaire form', () => {
  it('keeps given item keys, generates missing ones and ignores empty rows', () => {
    const def = parseTemplateForm({
      name: '专项测评',
      level_label_0: '好', level_key_0: 'good', level_score_0: '100',
      level_label_1: '差', level_key_1: 'poor', level_score_1: '40',
      level_label_2: '', level_key_2: '', level_score_2: '',
      dim_label_0: '作风', dim_key_0: 'style', dim_items_0: 'style_field: 深入基层\n求真务实\n\n',
      dim_label_1: '', dim_key_1: '', dim_items_1: '',
      allowComment: 'on',
    });
    expect(def.scale.map((l) => l.key)).toEqual(['good', 'poor']);
    expect(def.dimensions).toEqual([{ key: 'style', label: '作风', items: [{ key: 'style_field', label: '深入基层' }, { key: 'style_2', label: '求真务实' }] }]);
    expect(def.allowComment).toBe(true);
    expect(def.overallGrade).toBe(false);
    expect(templateIssues(def)).toEqual([]);
  });

  it('passes a missing score on to the rules as an error', () => {
    const def = parseTemplateForm({ name: 'x', level_label_0: '好', level_key_0: 'good', level_score_0: '', level_label_1: '差', level_key_1: 'poor', level_score_1: '40', dim_label_0: 'a', dim_key_0: 'a', dim_items_0: 'b' });
    expect(templateIssues(def).map((i) => issueText(zh, i))).toContain('第 1 档“好”的分值须为 0–100 的整数');
  });
});

describe('printed codes', () => {
  it('groups a code in fives for reading off paper', () => {
    expect(displayCode('ABCDE23456')).toBe('ABCDE-23456');
  });
});

describe('dates and times people type', () => {
  it('reads only real calendar dates and times of day', async () => {
    const { parseDay, parseLocalDateTime, parseTime } = await import('../../core/dates.ts');
    expect(parseDay('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    for (const bad of ['2026-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-5', '20260105', '', '2026-02-28x']) expect(parseDay(bad)).toBeNull();
    expect(parseTime('23:59')).toEqual({ hour: 23, minute: 59 });
    for (const bad of ['24:00', '08:60', '8:00', '08:00:60']) expect(parseTime(bad)).toBeNull();
    expect(parseLocalDateTime('2026-12-01T08:00')).toEqual({ year: 2026, month: 12, day: 1, hour: 8, minute: 0 });
    expect(parseLocalDateTime('2026-12-01T08:00:30')).toEqual({ year: 2026, month: 12, day: 1, hour: 8, minute: 0 });
    expect(parseLocalDateTime('2026-02-30T08:00')).toBeNull();
  });

  it('refuses 2026-02-30T08:00 in the campaign form with a message, in the user\'s language', () => {
    const values = campaignValues(null, [], new Date('2026-11-25T09:00:00Z'), TZ);
    const { issues, input } = parseCampaignForm({ ...values, templateVersionId: '3', title: '测评', opensAt: '2026-02-30T08:00' }, zh, TZ);
    expect(issues).toEqual(['开始时间“2026-02-30T08:00”不是有效的日期和时间，请按 2026-12-01 09:00 的格式填写实际存在的日期']);
    expect(Number.isNaN(input.opensAt.getTime())).toBe(true);
    const en = parseCampaignForm({ ...values, templateVersionId: '3', title: 'x', closesAt: '2026-11-31T18:00' }, evaluationDictionary('en'), TZ);
    expect(en.issues[0]).toContain('is not a real date and time');
  });

  it('refuses a wall-clock time that a daylight-saving zone skips', () => {
    const values = campaignValues(null, [], new Date('2026-11-25T09:00:00Z'), TZ);
    // Clocks in New York jump from 02:00 to 03:00 on 8 March 2026.
    expect(parseCampaignForm({ ...values, templateVersionId: '3', opensAt: '2026-03-08T02:30', closesAt: '2026-03-09T02:30' }, zh, 'America/New_York').issues).toHaveLength(1);
  });
});
