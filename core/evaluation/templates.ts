/**
 * @module
 * Questionnaire templates: items grouped by dimension, rated on an N-level scale, with an
 * optional comment and an optional overall grade (优秀/称职/基本称职/不称职) per target.
 * Two templates are built in; edits are validated and saved as a new version, so a campaign
 * that opened with a version keeps it.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  evaluationTemplates,
  evaluationTemplateVersions,
  type EvaluationTemplateVersion,
  type OverallGrade,
} from '../../db/schema/evaluation.ts';
import { audit } from '../audit.ts';
import { assertNoIssues, type Issue } from './errors.ts';
import { hasControlChars } from '../validation.ts';

export interface ScaleLevel {
  key: string;
  label: string;
  /** 0–100; the levels are listed best first, so scores strictly decrease. */
  score: number;
}
export interface TemplateItem {
  /** Unique across the whole template: answers are stored by item key. */
  key: string;
  label: string;
}
export interface TemplateDimension {
  key: string;
  label: string;
  items: TemplateItem[];
}
export interface TemplateDefinition {
  name: string;
  scale: ScaleLevel[];
  dimensions: TemplateDimension[];
  allowComment: boolean;
  /** Ask for one overall grade per target on the annual-assessment scale. */
  overallGrade: boolean;
}

export const OVERALL_GRADES: ReadonlyArray<{ key: OverallGrade; label: string }> = [
  { key: 'excellent', label: '优秀' },
  { key: 'competent', label: '称职' },
  { key: 'basically_competent', label: '基本称职' },
  { key: 'incompetent', label: '不称职' },
];

/** 好 / 较好 / 一般 / 差 */
export const DEFAULT_SCALE: ScaleLevel[] = [
  { key: 'good', label: '好', score: 100 },
  { key: 'fairly_good', label: '较好', score: 80 },
  { key: 'average', label: '一般', score: 60 },
  { key: 'poor', label: '差', score: 40 },
];

const dimension = (key: string, label: string, items: Array<[string, string]>): TemplateDimension => ({
  key,
  label,
  items: items.map(([itemKey, itemLabel]) => ({ key: itemKey, label: itemLabel })),
});

/** 政治素质: the indicator the department scores separately every year end. */
export const POLITICAL_QUALITY: TemplateDefinition = {
  name: '政治素质测评',
  scale: DEFAULT_SCALE,
  allowComment: true,
  overallGrade: false,
  dimensions: [
    dimension('loyalty', '政治忠诚', [['loyalty_party', '对党忠诚老实'], ['loyalty_decisions', '坚决贯彻党中央决策部署']]),
    dimension('resolve', '政治定力', [['resolve_belief', '理想信念坚定'], ['resolve_principle', '坚持原则、立场坚定']]),
    dimension('responsibility', '政治担当', [['responsibility_duty', '敢于担当、履职尽责'], ['responsibility_hard', '攻坚克难、敢于斗争']]),
    dimension('ability', '政治能力', [['ability_direction', '把握政治方向'], ['ability_risk', '防范化解风险']]),
    dimension('discipline', '政治自律', [['discipline_rules', '严守政治纪律和规矩'], ['discipline_clean', '廉洁自律、作风过硬']]),
  ],
};

/** 德、能、勤、绩、廉 with the overall annual grade. */
export const ANNUAL_ASSESSMENT: TemplateDefinition = {
  name: '年度考核民主测评（德能勤绩廉）',
  scale: DEFAULT_SCALE,
  allowComment: true,
  overallGrade: true,
  dimensions: [
    dimension('virtue', '德', [['virtue_politics', '政治品质'], ['virtue_ethics', '职业道德和社会公德']]),
    dimension('competence', '能', [['competence_lead', '组织领导能力'], ['competence_skill', '业务水平和创新能力']]),
    dimension('diligence', '勤', [['diligence_spirit', '工作态度和敬业精神'], ['diligence_style', '深入基层、作风扎实']]),
    dimension('achievement', '绩', [['achievement_goals', '完成目标任务'], ['achievement_effect', '工作实绩和社会效果']]),
    dimension('integrity', '廉', [['integrity_self', '廉洁从政'], ['integrity_duty', '履行党风廉政建设责任']]),
  ],
};

export const BUILT_IN_TEMPLATES: Record<string, TemplateDefinition> = {
  political_quality: POLITICAL_QUALITY,
  annual_assessment: ANNUAL_ASSESSMENT,
};

const KEY = /^[a-z][a-z0-9_]{0,39}$/;
export const MAX_LEVELS = 10;

/** Every problem with a template definition; empty when it is valid. */
export function templateIssues(def: TemplateDefinition): Issue[] {
  const issues: Issue[] = [];
  if (!def.name?.trim()) issues.push({ code: 'template.name' });
  const scale = def.scale ?? [];
  if (scale.length < 2) issues.push({ code: 'template.fewLevels', params: { min: 2 } });
  if (scale.length > MAX_LEVELS) issues.push({ code: 'template.manyLevels', params: { max: MAX_LEVELS } });
  const levelKeys = new Set<string>();
  scale.forEach((level, i) => {
    const n = i + 1;
    if (!KEY.test(level.key ?? '')) issues.push({ code: 'template.levelKey', params: { n, key: level.key ?? '' } });
    if (levelKeys.has(level.key)) issues.push({ code: 'template.levelKeyTwice', params: { key: level.key } });
    levelKeys.add(level.key);
    if (!level.label?.trim()) issues.push({ code: 'template.levelLabel', params: { n } });
    if (!Number.isInteger(level.score) || level.score < 0 || level.score > 100) issues.push({ code: 'template.levelScore', params: { n, label: level.label } });
    const previous = scale[i - 1];
    if (previous && Number.isInteger(level.score) && !(level.score < previous.score)) {
      issues.push({ code: 'template.levelOrder', params: { n, label: level.label, previous: previous.label } });
    }
  });
  const labels = scale.map((l) => l.label?.trim());
  if (new Set(labels).size !== labels.length) issues.push({ code: 'template.levelLabelTwice' });

  const dims = def.dimensions ?? [];
  if (dims.length === 0) issues.push({ code: 'template.noDimensions' });
  const dimKeys = new Set<string>();
  const itemKeys = new Set<string>();
  dims.forEach((dim, i) => {
    if (!KEY.test(dim.key ?? '')) issues.push({ code: 'template.dimensionKey', params: { n: i + 1, key: dim.key ?? '' } });
    if (dimKeys.has(dim.key)) issues.push({ code: 'template.dimensionKeyTwice', params: { key: dim.key } });
    dimKeys.add(dim.key);
    if (!dim.label?.trim()) issues.push({ code: 'template.dimensionLabel', params: { n: i + 1 } });
    if (!dim.items?.length) issues.push({ code: 'template.noItems', params: { dimension: dim.label } });
    for (const item of dim.items ?? []) {
      if (!KEY.test(item.key ?? '')) issues.push({ code: 'template.itemKey', params: { dimension: dim.label, key: item.key ?? '' } });
      if (itemKeys.has(item.key)) issues.push({ code: 'template.itemKeyTwice', params: { key: item.key } });
      itemKeys.add(item.key);
      if (!item.label?.trim()) issues.push({ code: 'template.itemLabel', params: { dimension: dim.label } });
    }
  });
  // Labels go into cards and pages, and a NUL byte cannot be stored: one line of text each.
  const texts = [def.name, ...scale.map((l) => l.label), ...dims.flatMap((d) => [d.label, ...(d.items ?? []).map((item) => item.label)])];
  if (texts.some((x) => typeof x === 'string' && hasControlChars(x))) issues.push({ code: 'template.control' });
  return issues;
}

export function validateTemplate(def: TemplateDefinition): TemplateDefinition {
  assertNoIssues('invalid_template', templateIssues(def));
  return def;
}

/** Items in questionnaire order, each with its dimension. */
export function templateItems(def: TemplateDefinition): Array<TemplateItem & { dimension: string }> {
  return def.dimensions.flatMap((d) => d.items.map((item) => ({ ...item, dimension: d.key })));
}

/** The top level of the scale (好); its share is the 好评率. */
export function topLevel(def: TemplateDefinition): ScaleLevel {
  return def.scale[0]!;
}

/** Installs the built-in templates once; safe at every start. */
export async function ensureBuiltInTemplates(db: Db): Promise<void> {
  for (const [key, def] of Object.entries(BUILT_IN_TEMPLATES)) {
    await db.transaction(async (tx) => {
      const inserted = await tx
        .insert(evaluationTemplates)
        .values({ key, name: def.name, builtIn: true })
        .onConflictDoNothing()
        .returning({ id: evaluationTemplates.id });
      if (inserted[0]) await tx.insert(evaluationTemplateVersions).values({ templateId: inserted[0].id, version: 1, definition: def });
    });
  }
}

export async function latestTemplateVersion(db: Pick<Db, 'select'>, templateId: number): Promise<EvaluationTemplateVersion | undefined> {
  const [row] = await db
    .select()
    .from(evaluationTemplateVersions)
    .where(eq(evaluationTemplateVersions.templateId, templateId))
    .orderBy(desc(evaluationTemplateVersions.version))
    .limit(1);
  return row;
}

export async function templateIdByKey(db: Pick<Db, 'select'>, key: string): Promise<number | undefined> {
  const [row] = await db.select({ id: evaluationTemplates.id }).from(evaluationTemplates).where(eq(evaluationTemplates.key, key));
  return row?.id;
}

/**
 * Saves an edit as the template's next version. Campaigns already open keep their version;
 * drafts pick up the new one when they open.
 */
export async function saveTemplateVersion(
  db: Db,
  input: { templateId: number; definition: TemplateDefinition; actorId: number | null },
): Promise<EvaluationTemplateVersion> {
  const def = validateTemplate(input.definition);
  return db.transaction(async (tx) => {
    // Serialise concurrent edits of one template so versions stay 1, 2, 3…
    await tx.select({ id: evaluationTemplates.id }).from(evaluationTemplates).where(eq(evaluationTemplates.id, input.templateId)).for('update');
    const latest = await latestTemplateVersion(tx, input.templateId);
    const [row] = await tx
      .insert(evaluationTemplateVersions)
      .values({ templateId: input.templateId, version: (latest?.version ?? 0) + 1, definition: def, createdBy: input.actorId })
      .returning();
    await tx.update(evaluationTemplates).set({ name: def.name }).where(and(eq(evaluationTemplates.id, input.templateId)));
    await audit(tx, { actorId: input.actorId, action: 'update', entity: 'evaluation_template', entityId: input.templateId, diff: { version: row!.version } });
    return row!;
  });
}
