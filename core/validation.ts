/**
 * @module
 * The shared zod helpers for what people type into the panel's forms. Text is trimmed, bounded
 * and free of control characters: a NUL byte (which PostgreSQL refuses, so the save would fail
 * with a 500), a line break in a one-line field, or an escape sequence is a validation error
 * with a code the panel translates, like any other. Dates are real calendar dates
 * (core/dates.ts). Error messages are codes: `required`, `too_long`, `control_chars`, `bad_date`.
 */
import { z } from 'zod';
import { isDay } from './dates.ts';

/** C0 controls (tab and line breaks included), DEL, and C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, but tab and line breaks are allowed (a multi-line field). */
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Whether `text` holds a control character (tab and line breaks allowed when `multiline`). */
export function hasControlChars(text: string, options: { multiline?: boolean } = {}): boolean {
  return (options.multiline ? CONTROL_MULTILINE : CONTROL).test(text);
}

/** One line of text, trimmed, at most `max` characters; may be empty. */
export const text = (max: number, options: { multiline?: boolean } = {}) =>
  z
    .string()
    .trim()
    .max(max, 'too_long')
    .refine((v) => !hasControlChars(v, options), 'control_chars');

/** One line of text that must be given. */
export const requiredText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'required')
    .max(max, 'too_long')
    .refine((v) => !hasControlChars(v), 'control_chars');

/** One line of text or nothing: an empty value is stored as null. */
export const optionalText = (max: number) =>
  text(max)
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .optional();

/** A real `YYYY-MM-DD` date (`1990-02-30` is refused, not stored as 2 March). */
export const dayText = z.string().trim().refine(isDay, 'bad_date');

/** For query-string filters: a bad value means "no filter", never an error page. */
export const filterText = (max: number) => text(max).optional().catch(undefined);
