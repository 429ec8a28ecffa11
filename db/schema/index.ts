/** @module All tables, for drizzle's relational queries and drizzle-kit. */
export * from './org.ts';
export * from './users.ts';
export * from './audit.ts';
export * from './system.ts';
export * from './evaluation.ts';
export * from './lark.ts';
export * from './sessions.ts';
export * from './reminders.ts';
export * from './review.ts';
export * from './mentorship.ts';
