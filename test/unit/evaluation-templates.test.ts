import { describe, expect, it } from 'vitest';
import { ANNUAL_ASSESSMENT, POLITICAL_QUALITY, templateIssues, templateItems, validateTemplate } from '../../core/evaluation/templates.ts';
import { EvaluationError } from '../../core/evaluation/errors.ts';
import { errorText, evaluationDictionary, issueText } from '../../web/pages/evaluation/text.ts';

const zh = evaluationDictionary('zh');

describe('questionnaire templates', () => {
  it('ships the political-quality and 德能勤绩廉 templates, valid as they are', () => {
    expect(templateIssues(POLITICAL_QUALITY)).toEqual([]);
    expect(templateIssues(ANNUAL_ASSESSMENT)).toEqual([]);
    expect(POLITICAL_QUALITY.dimensions.map((d) => d.label)).toEqual(['政治忠诚', '政治定力', '政治担当', '政治能力', '政治自律']);
    expect(ANNUAL_ASSESSMENT.dimensions.map((d) => d.label)).toEqual(['德', '能', '勤', '绩', '廉']);
    expect(ANNUAL_ASSESSMENT.overallGrade).toBe(true);
    expect(POLITICAL_QUALITY.scale.map((l) => `${l.label}${l.score}`)).toEqual(['好100', '较好80', '一般60', '差40']);
    expect(templateItems(POLITICAL_QUALITY)).toHaveLength(10);
  });

  it('accepts edited labels and scores', () => {
    const edited = { ...POLITICAL_QUALITY, scale: [{ key: 'good', label: '优', score: 95 }, { key: 'ok', label: '中', score: 70 }, { key: 'bad', label: '差', score: 30 }] };
    expect(validateTemplate(edited)).toBe(edited);
  });

  it('refuses a one-level scale, duplicate keys and scores out of order, in Chinese', () => {
    const bad = {
      ...POLITICAL_QUALITY,
      scale: [{ key: 'good', label: '好', score: 100 }],
      dimensions: [
        { key: 'a', label: '甲', items: [{ key: 'same', label: '一' }] },
        { key: 'b', label: '乙', items: [{ key: 'same', label: '二' }] },
      ],
    };
    expect(templateIssues(bad).map((i) => issueText(zh, i))).toEqual(['评价等次至少需要 2 档', '项目编码“same”重复']);
    const unordered = { ...POLITICAL_QUALITY, scale: [{ key: 'a', label: '好', score: 60 }, { key: 'b', label: '差', score: 80 }] };
    expect(templateIssues(unordered).map((i) => issueText(zh, i))).toEqual(['等次须从高到低排列：第 2 档“差”的分值须低于“好”']);
    expect(() => validateTemplate(bad)).toThrow(EvaluationError);
    expect(() => validateTemplate(bad)).toThrow(EvaluationError);
    expect(errorText(zh, (() => { try { validateTemplate(bad); } catch (e) { return e as EvaluationError; } })()!)).toBe('问卷模板有误：评价等次至少需要 2 档；项目编码“same”重复');
  });
});
