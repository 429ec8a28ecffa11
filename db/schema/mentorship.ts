/**
 * @module
 * Mentorship (师徒结对): pairs of mentors and mentees, the pair's goals, its pauses, and the
 * check-ins mentors log and mentees confirm. A pair's shape is one-to-one, one mentor with
 * several mentees, or several mentors with one mentee ("2+1"); several-to-several is refused
 * by the core, since nobody could say whose meeting covers whom.
 */
import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgEnum, pgTable, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import { cadres } from './org.ts';
import { panelUsers } from './users.ts';

export const mentorshipShape = pgEnum('mentorship_shape', ['one_to_one', 'one_to_many', 'many_to_one']);
export const mentorshipCadence = pgEnum('mentorship_cadence', ['weekly', 'fortnightly', 'monthly']);
export const mentorshipStatus = pgEnum('mentorship_status', ['active', 'paused', 'ended']);
export const mentorshipRole = pgEnum('mentorship_role', ['mentor', 'mentee']);
export const mentorshipGoalStatus = pgEnum('mentorship_goal_status', ['open', 'in_progress', 'met', 'dropped']);
/** 面对面 / 线上 / 岗位实践 */
export const mentorshipForm = pgEnum('mentorship_form', ['face_to_face', 'online', 'on_the_job']);
/** submitted by a mentor; confirmed or disputed by a mentee. Only confirmed ones count. */
export const mentorshipCheckinStatus = pgEnum('mentorship_checkin_status', ['submitted', 'confirmed', 'disputed']);

export const mentorshipPairs = pgTable(
  'mentorship_pairs',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    shape: mentorshipShape().notNull(),
    startsOn: date({ mode: 'string' }).notNull(),
    endsOn: date({ mode: 'string' }),
    cadence: mentorshipCadence().notNull(),
    status: mentorshipStatus().notNull().default('active'),
    /** Why the pair is paused; set exactly while it is. */
    pauseReason: text(),
    createdBy: integer().references(() => panelUsers.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('mentorship_pairs_status_idx').on(t.status),
    check('mentorship_pairs_period', sql`${t.endsOn} is null or ${t.startsOn} <= ${t.endsOn}`),
    check('mentorship_pairs_pause_reason', sql`(${t.status} = 'paused') = (${t.pauseReason} is not null)`),
  ],
);

/** Who is in a pair and as what; `position` is the mentors' turn order for nudges. */
export const mentorshipMembers = pgTable(
  'mentorship_members',
  {
    pairId: integer()
      .notNull()
      .references(() => mentorshipPairs.id, { onDelete: 'cascade' }),
    cadreId: integer()
      .notNull()
      .references(() => cadres.id, { onDelete: 'restrict' }),
    role: mentorshipRole().notNull(),
    position: smallint().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.pairId, t.cadreId] }), index('mentorship_members_cadre_idx').on(t.cadreId)],
);

export const mentorshipGoals = pgTable(
  'mentorship_goals',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    pairId: integer()
      .notNull()
      .references(() => mentorshipPairs.id, { onDelete: 'cascade' }),
    title: text().notNull(),
    status: mentorshipGoalStatus().notNull().default('open'),
    position: smallint().notNull().default(0),
  },
  (t) => [index('mentorship_goals_pair_idx').on(t.pairId)],
);

/** Past and current pauses: a pause moves the due day like an absence does. */
export const mentorshipPauses = pgTable(
  'mentorship_pauses',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    pairId: integer()
      .notNull()
      .references(() => mentorshipPairs.id, { onDelete: 'cascade' }),
    startsOn: date({ mode: 'string' }).notNull(),
    /** Null while the pause lasts. */
    endsOn: date({ mode: 'string' }),
    reason: text().notNull(),
  },
  (t) => [index('mentorship_pauses_pair_idx').on(t.pairId)],
);

export const mentorshipCheckins = pgTable(
  'mentorship_checkins',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    pairId: integer()
      .notNull()
      .references(() => mentorshipPairs.id, { onDelete: 'cascade' }),
    mentorId: integer()
      .notNull()
      .references(() => cadres.id, { onDelete: 'restrict' }),
    /** The day they met (a check-in logged late still counts from this day). */
    metOn: date({ mode: 'string' }).notNull(),
    form: mentorshipForm().notNull(),
    topics: text().notNull(),
    nextStep: text(),
    status: mentorshipCheckinStatus().notNull().default('submitted'),
    /** The mentee's line: what helped, what they need, what they taught the mentor (新促老). */
    menteeNote: text(),
    answeredBy: integer().references(() => cadres.id, { onDelete: 'set null' }),
    answeredAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('mentorship_checkins_pair_idx').on(t.pairId, t.status, t.metOn)],
);

/** The mentee's progress against one goal as the mentor saw it at a check-in (1 to 4). */
export const mentorshipProgress = pgTable(
  'mentorship_progress',
  {
    checkinId: integer()
      .notNull()
      .references(() => mentorshipCheckins.id, { onDelete: 'cascade' }),
    goalId: integer()
      .notNull()
      .references(() => mentorshipGoals.id, { onDelete: 'cascade' }),
    level: smallint().notNull(),
  },
  (t) => [primaryKey({ columns: [t.checkinId, t.goalId] }), check('mentorship_progress_level', sql`${t.level} between 1 and 4`)],
);

export type MentorshipPair = typeof mentorshipPairs.$inferSelect;
export type MentorshipGoal = typeof mentorshipGoals.$inferSelect;
export type MentorshipCheckin = typeof mentorshipCheckins.$inferSelect;

/** "Not yet": a mentor says why the pair has not met and when it will; the nudges wait for that day. */
export const mentorshipPostponements = pgTable(
  'mentorship_postponements',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    pairId: integer()
      .notNull()
      .references(() => mentorshipPairs.id, { onDelete: 'cascade' }),
    mentorId: integer()
      .notNull()
      .references(() => cadres.id, { onDelete: 'restrict' }),
    reason: text().notNull(),
    newDate: date({ mode: 'string' }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('mentorship_postponements_pair_idx').on(t.pairId, t.newDate)],
);

/**
 * The escalation steps taken for a pair's missed period (its start day): written with the
 * message in one transaction, so a sweep that runs twice, or a worker restarted mid-sweep,
 * takes each step once; digests to admins list many pairs in one message, so the step cannot
 * be read back from the outbox's per-message keys.
 */
export const mentorshipLadderSteps = pgTable(
  'mentorship_ladder_steps',
  {
    pairId: integer()
      .notNull()
      .references(() => mentorshipPairs.id, { onDelete: 'cascade' }),
    periodStart: date({ mode: 'string' }).notNull(),
    /** The ladder's step key, e.g. `step2:urgent`. */
    step: text().notNull(),
    /** The mentor nudged (for card, repeat and urgent). */
    mentorId: integer().references(() => cadres.id, { onDelete: 'set null' }),
    takenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.pairId, t.periodStart, t.step] })],
);
