/**
 * @module
 * Democratic evaluation (民主测评): questionnaire templates, campaigns, who rates whom, and the
 * anonymous ballot box.
 *
 * Anonymity is a property of these tables, not of the code that reads them:
 * - `evaluation_completions` (who has voted) and `evaluation_ballots` (what was voted) share no
 *   key. Neither has a serial id, a timestamp or a date.
 * - Slips do not reach the box when they are cast: they wait sealed (authenticated encryption
 *   under the ballot key, which is not in the database) in `evaluation_held_slips` until at
 *   least five are waiting for the same target and category, or the campaign closes, and then
 *   go into the box together in random order (core/evaluation/ballot-box.ts). So a reader of
 *   the database who watches the ledger cannot tell which slip a voter cast.
 * - A slip does not say how it was cast (chat, web, code or paper): results do not need it,
 *   and it would split a category's slips into smaller groups of voters.
 * - A ballot row is one rater's verdict on ONE target (a "slip"): a rater's slips are not tied
 *   together, so the set of targets on a ballot (which, for peers, leaves out the rater) never
 *   points at its author.
 * - Ballot ids are random UUIDs, so their order says nothing about when they came in.
 * - core/evaluation/ballots.ts rewrites the campaign's ledger in random physical order on every
 *   submission and reshuffles the ballot box when a campaign closes, so neither row order nor
 *   the transaction id stamped on a row (xmin) lines a ledger row up with a ballot.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { cadres, units } from './org.ts';
import { panelUsers } from './users.ts';

/** 日常 / 年度 / 专项 / 任期 evaluation. */
export const evaluationKind = pgEnum('evaluation_kind', ['routine', 'annual', 'special', 'end_of_term']);
export const campaignStatus = pgEnum('evaluation_campaign_status', ['draft', 'open', 'closed']);
/** 上级 / 同级 / 下级 / 群众 */
export const raterCategory = pgEnum('evaluation_rater_category', ['superior', 'peer', 'subordinate', 'public']);
/** The annual-assessment scale 优秀 / 称职 / 基本称职 / 不称职. */
export const overallGrade = pgEnum('evaluation_overall_grade', ['excellent', 'competent', 'basically_competent', 'incompetent']);

export const evaluationTemplates = pgTable(
  'evaluation_templates',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    /** Stable name, e.g. `political_quality`; built-in templates keep theirs. */
    key: text().notNull(),
    name: text().notNull(),
    builtIn: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('evaluation_templates_key_uq').on(t.key)],
);

/**
 * Every edit of a template is a new version; a version never changes (a trigger refuses
 * updates), so a campaign that references one keeps exactly the questions it opened with.
 */
export const evaluationTemplateVersions = pgTable(
  'evaluation_template_versions',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    templateId: integer()
      .notNull()
      .references(() => evaluationTemplates.id, { onDelete: 'restrict' }),
    version: integer().notNull(),
    /** A `TemplateDefinition` (core/evaluation/templates.ts): scale, dimensions, items. */
    definition: jsonb().notNull(),
    createdBy: integer().references(() => panelUsers.id, { onDelete: 'restrict' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('evaluation_template_versions_uq').on(t.templateId, t.version)],
);

export const evaluationCampaigns = pgTable(
  'evaluation_campaigns',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    title: text().notNull(),
    kind: evaluationKind().notNull(),
    year: integer().notNull(),
    /** While a draft: the version it will use; at opening it is frozen to the latest one. */
    templateVersionId: integer()
      .notNull()
      .references(() => evaluationTemplateVersions.id, { onDelete: 'restrict' }),
    status: campaignStatus().notNull().default('draft'),
    opensAt: timestamp({ withTimezone: true }).notNull(),
    closesAt: timestamp({ withTimezone: true }).notNull(),
    /** The units whose leadership teams are evaluated (for proposals and comparisons). */
    unitIds: integer().array().notNull().default(sql`'{}'::int[]`),
    /** {superior, peer, subordinate, public}, summing to 1. */
    weights: jsonb().notNull(),
    /** A `ReminderPlan` (core/evaluation/reminders.ts). */
    reminderPlan: jsonb().notNull(),
    /** {maxTopShare: number | null}: flag a ballot giving the top level to more than this share. */
    validityRules: jsonb().notNull(),
    /** {minExcellentCompetentShare, maxIncompetentShare} */
    alertRules: jsonb().notNull(),
    createdBy: integer().references(() => panelUsers.id, { onDelete: 'restrict' }),
    openedAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('evaluation_campaigns_kind_year_idx').on(t.kind, t.year),
    index('evaluation_campaigns_status_idx').on(t.status, t.closesAt),
    check('evaluation_campaigns_window', sql`${t.closesAt} > ${t.opensAt}`),
  ],
);

/** The cadres being evaluated, with their unit as it was when the campaign was set up. */
export const evaluationTargets = pgTable(
  'evaluation_targets',
  {
    campaignId: integer()
      .notNull()
      .references(() => evaluationCampaigns.id, { onDelete: 'cascade' }),
    cadreId: integer()
      .notNull()
      .references(() => cadres.id, { onDelete: 'restrict' }),
    unitId: integer()
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.cadreId] }), index('evaluation_targets_cadre_idx').on(t.cadreId)],
);

/**
 * Who rates whom, in which category. A cadre may rate in two categories (a district leader is a
 * peer of the district team and a superior of the units' leaders): one assignment, one ballot,
 * each.
 */
export const evaluationRaters = pgTable(
  'evaluation_raters',
  {
    campaignId: integer()
      .notNull()
      .references(() => evaluationCampaigns.id, { onDelete: 'cascade' }),
    cadreId: integer()
      .notNull()
      .references(() => cadres.id, { onDelete: 'restrict' }),
    category: raterCategory().notNull(),
    /** The targets this rater rates; never contains the rater. */
    targetIds: integer().array().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.cadreId, t.category] }),
    index('evaluation_raters_cadre_idx').on(t.cadreId),
    check('evaluation_raters_no_self', sql`not (${t.cadreId} = any(${t.targetIds}))`),
  ],
);

/**
 * The completion ledger: who has voted, for reminders and turnout. No id, no time, nothing that
 * a ballot also has except the campaign and the category.
 */
export const evaluationCompletions = pgTable(
  'evaluation_completions',
  {
    campaignId: integer()
      .notNull()
      .references(() => evaluationCampaigns.id, { onDelete: 'cascade' }),
    cadreId: integer()
      .notNull()
      .references(() => cadres.id, { onDelete: 'restrict' }),
    category: raterCategory().notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.cadreId, t.category] })],
);

/** Paper ballots read by a scanner, imported as one CSV file each. */
export const evaluationPaperBatches = pgTable(
  'evaluation_paper_batches',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    campaignId: integer()
      .notNull()
      .references(() => evaluationCampaigns.id, { onDelete: 'cascade' }),
    fileName: text().notNull(),
    /**
     * sha256 of the file's text normalised (no BOM, LF line endings, no trailing whitespace):
     * the same scan cannot be counted twice, whatever the editor that saved it again did.
     */
    fileSha256: text().notNull(),
    ballots: integer().notNull(),
    rows: integer().notNull(),
    importedBy: integer().references(() => panelUsers.id, { onDelete: 'restrict' }),
    importedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('evaluation_paper_batches_file_uq').on(t.campaignId, t.fileSha256)],
);

/**
 * The ballot box: one row per (ballot, target), a "slip". No rater id. `scoreSum`,
 * `answerCount`, `levelCounts` and `itemScores` repeat what the answers hold, written in the
 * same statement, so that results aggregate slips (a tenth of the rows) instead of every
 * answer; a covering index (custom migration `evaluation_custom`) makes that an index-only
 * scan. `evaluation_answers` stays the one-row-per-answer record for exports and analysis.
 */
export const evaluationBallots = pgTable(
  'evaluation_ballots',
  {
    id: uuid().primaryKey().default(sql`gen_random_uuid()`),
    campaignId: integer()
      .notNull()
      .references(() => evaluationCampaigns.id, { onDelete: 'cascade' }),
    targetId: integer()
      .notNull()
      .references(() => cadres.id, { onDelete: 'restrict' }),
    category: raterCategory().notNull(),
    /** Set when the whole ballot broke a validity rule that flags rather than refuses. */
    flagged: boolean().notNull().default(false),
    overallGrade: overallGrade(),
    comment: text(),
    scoreSum: integer().notNull(),
    answerCount: smallint().notNull(),
    /** How many answers chose each scale level, best first (the distribution, per slip). */
    levelCounts: smallint().array().notNull(),
    /** The scores again, in the template's item order, so a campaign's item sums need no join. */
    itemScores: smallint().array().notNull(),
  },
  (t) => [index('evaluation_ballots_target_idx').on(t.targetId, t.campaignId)],
);

/**
 * Slips on their way to the box: one row per slip, sealed (core/evaluation/seal.ts `sealSlip`)
 * with the campaign, target and category bound in, and padded to a fixed length so the size
 * says nothing about a comment. No id, no time, no rater: what a row shows (its campaign,
 * target and category) the rater assignments already show. Emptied into the box in groups of
 * at least five per (campaign, target, category), and completely when the campaign closes.
 */
export const evaluationHeldSlips = pgTable(
  'evaluation_held_slips',
  {
    campaignId: integer()
      .notNull()
      .references(() => evaluationCampaigns.id, { onDelete: 'cascade' }),
    targetId: integer()
      .notNull()
      .references(() => cadres.id, { onDelete: 'restrict' }),
    category: raterCategory().notNull(),
    sealed: text().notNull(),
  },
  (t) => [index('evaluation_held_slips_group_idx').on(t.campaignId, t.targetId, t.category)],
);

/**
 * One rating of one item on a slip: the one-row-per-answer record, for exports and analysis
 * (results read the slips' tally columns). `ballotId` has no foreign key on purpose: answers
 * are only ever written with their slip by `insertSlips`, and closing a campaign rewrites
 * hundreds of thousands of them, where a per-row key check would double the time. Removing a
 * campaign still removes its answers through `campaignId`.
 */
export const evaluationAnswers = pgTable(
  'evaluation_answers',
  {
    ballotId: uuid().notNull(),
    campaignId: integer()
      .notNull()
      .references(() => evaluationCampaigns.id, { onDelete: 'cascade' }),
    targetId: integer().notNull(),
    category: raterCategory().notNull(),
    itemKey: text().notNull(),
    score: smallint().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.ballotId, t.itemKey] }),
    index('evaluation_answers_tally_idx').on(t.campaignId, t.targetId, t.category, t.itemKey, t.score),
  ],
);

/**
 * One-time codes for public raters (群众) outside Lark. Only a hash is kept; a used code keeps
 * no trace of the ballot it cast.
 */
export const evaluationPublicCodes = pgTable(
  'evaluation_public_codes',
  {
    codeHash: text().primaryKey(),
    campaignId: integer()
      .notNull()
      .references(() => evaluationCampaigns.id, { onDelete: 'cascade' }),
    category: raterCategory().notNull().default('public'),
    /** The unit whose targets the holder rates; null: every target of the campaign. */
    unitId: integer().references(() => units.id, { onDelete: 'restrict' }),
    used: boolean().notNull().default(false),
  },
  (t) => [index('evaluation_public_codes_campaign_idx').on(t.campaignId, t.used)],
);

export type EvaluationTemplate = typeof evaluationTemplates.$inferSelect;
export type EvaluationTemplateVersion = typeof evaluationTemplateVersions.$inferSelect;
export type EvaluationCampaign = typeof evaluationCampaigns.$inferSelect;
export type NewEvaluationCampaign = typeof evaluationCampaigns.$inferInsert;
export type EvaluationTarget = typeof evaluationTargets.$inferSelect;
export type EvaluationRater = typeof evaluationRaters.$inferSelect;
export type EvaluationBallot = typeof evaluationBallots.$inferSelect;
export type EvaluationAnswer = typeof evaluationAnswers.$inferSelect;
export type EvaluationPublicCode = typeof evaluationPublicCodes.$inferSelect;
export type EvaluationPaperBatch = typeof evaluationPaperBatches.$inferSelect;
export type EvaluationHeldSlip = typeof evaluationHeldSlips.$inferSelect;
export type EvaluationKind = (typeof evaluationKind.enumValues)[number];
export type RaterCategory = (typeof raterCategory.enumValues)[number];
export type OverallGrade = (typeof overallGrade.enumValues)[number];
export type CampaignStatus = (typeof campaignStatus.enumValues)[number];
