/**
 * @module
 * The one strict reader of the dates and times people type (date and datetime-local inputs,
 * `HH:MM` fields, roster-like `YYYY-MM-DD` text). JavaScript's Date rolls an impossible date
 * over (`2026-02-30` becomes 2 March) and Date.parse guesses at anything; these functions accept
 * only a real calendar date and a real time of day, and say null otherwise, so the caller can
 * refuse the input with a message instead of storing another day.
 */

export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

export interface ClockTime {
  hour: number;
  minute: number;
}

export type LocalDateTime = CalendarDay & ClockTime;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** `YYYY-MM-DD` as a day of the calendar (years 1000–9999), or null. */
export function parseDay(text: unknown): CalendarDay | null {
  if (typeof text !== 'string') return null;
  const m = DAY.exec(text.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** `HH:MM` (or `HH:MM:SS`, seconds dropped) as a time of day 00:00–23:59, or null. */
export function parseTime(text: unknown): ClockTime | null {
  if (typeof text !== 'string') return null;
  const m = TIME.exec(text.trim());
  if (!m) return null;
  const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute };
}

/** A datetime-local value, `YYYY-MM-DDTHH:MM` (a space for the T, and seconds, allowed), or null. */
export function parseLocalDateTime(text: unknown): LocalDateTime | null {
  if (typeof text !== 'string') return null;
  const [date, time, ...rest] = text.trim().split(/[T ]/);
  if (rest.length || date === undefined || time === undefined) return null;
  const day = parseDay(date);
  const clock = parseTime(time);
  return day && clock ? { ...day, ...clock } : null;
}

/** Whether `text` is a real `YYYY-MM-DD` date. */
export const isDay = (text: unknown): text is string => parseDay(text) != null;

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of a day. */
export const formatDay = (d: CalendarDay) => `${d.year}-${pad(d.month)}-${pad(d.day)}`;
