/** @module Small shared pieces of the panel: pager, form fields, badges. */
import type { Child } from 'hono/jsx';
import type { Dictionary } from '../i18n.ts';

/** The query string of `params` with `changes` applied; empty values are dropped. */
export function withQuery(path: string, params: Record<string, unknown>, changes: Record<string, unknown> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...changes })) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Previous/next links that fetch into `target` and keep the URL shareable. */
export function Pager(props: { t: Dictionary; path: string; params: Record<string, unknown>; page: number; total: number; pageSize: number; target: string }) {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const link = (page: number, label: string, rel: string) =>
    page < 1 || page > pages ? (
      <span class="button small" aria-disabled="true">{label}</span>
    ) : (
      <a class="button small" rel={rel} href={withQuery(props.path, props.params, { page })} hx-get={withQuery(props.path, props.params, { page })} hx-target={props.target} hx-push-url="true">
        {label}
      </a>
    );
  return (
    <div class="table-foot">
      <span>{props.t.common.total(props.total)}</span>
      <div class="pager">
        {link(props.page - 1, props.t.common.prev, 'prev')}
        <span>{props.t.common.page(Math.min(props.page, pages), pages)}</span>
        {link(props.page + 1, props.t.common.next, 'next')}
      </div>
    </div>
  );
}

export function Field(props: { label: string; error?: string; hint?: string; children: Child; class?: string }) {
  return (
    <label class={`field${props.error ? ' invalid' : ''}${props.class ? ` ${props.class}` : ''}`}>
      <span>{props.label}</span>
      {props.children}
      {props.hint && !props.error && <small class="hint">{props.hint}</small>}
      {props.error && <small class="error">{props.error}</small>}
    </label>
  );
}

export function Options(props: { options: Array<[string | number, string]>; selected?: string | number | null; blank?: string }) {
  return (
    <>
      {props.blank !== undefined && <option value="">{props.blank}</option>}
      {props.options.map(([value, label]) => (
        <option value={String(value)} selected={props.selected != null && String(props.selected) === String(value)}>
          {label}
        </option>
      ))}
    </>
  );
}

/** Age in whole years on `today`. */
export function ageOn(birthDate: string, today: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) age--;
  return age;
}

export function formatTime(at: Date, timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(at);
}
