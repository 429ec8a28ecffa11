/**
 * @module
 * Ids from paths and forms (what an id is: core/ids.ts). A path id that is not one is the 404
 * page (nothing has that id); a form field that is not one is a 422 naming the field.
 * @example const id = idParam(c) // from /units/:id
 */
import { HTTPException } from 'hono/http-exception';
import type { Context } from 'hono';
import { toId } from '../core/ids.ts';
import { t } from './context.ts';

export { toId };

/** The path parameter `name` as an id; otherwise a 404 with `message` (by default "not found"). */
export function idParam(c: Context, name = 'id', message?: string): number {
  const id = toId(c.req.param(name));
  if (id === null) throw new HTTPException(404, { message: message ?? t(c).common.notFound });
  return id;
}

/**
 * A form field as an id: `label` names the field in the 422's message. With `optional`, an
 * empty or absent field is null.
 */
export function formId(c: Context, value: unknown, label: string, options: { optional: true }): number | null;
export function formId(c: Context, value: unknown, label: string, options?: { optional?: false }): number;
export function formId(c: Context, value: unknown, label: string, options: { optional?: boolean } = {}): number | null {
  const text = typeof value === 'string' ? value.trim() : value;
  if (options.optional && (text === undefined || text === '')) return null;
  const id = toId(text);
  if (id === null) throw new HTTPException(422, { message: t(c).common.invalidField(label) });
  return id;
}
