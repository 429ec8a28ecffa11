/**
 * @module
 * What an id is. Every table id is a PostgreSQL `integer`: written in plain decimal digits, in
 * 1 … 2³¹−1. `abc`, `1e20`, `0x10`, `-1`, `1.5` and `99999999999` are not ids (a query with
 * them would fail in the database, not find nothing).
 * @example toId('42') // 42; toId('1e20') // null
 */
import { z } from 'zod';

export const MAX_ID = 2_147_483_647;

/** The id written in `value`, or null when it is not one. */
export function toId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= MAX_ID ? value : null;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}$/.test(value.trim())) return null;
  const id = Number(value.trim());
  return id <= MAX_ID ? id : null;
}

/** An id in a zod schema (from a string or a number); `message` is the issue when it is not one. */
export const idSchema = (message = 'invalid_id') =>
  z.union([z.string(), z.number()], { message }).transform((v, ctx) => {
    const id = toId(v);
    if (id === null) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return id;
  });
