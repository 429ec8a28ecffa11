/**
 * @module
 * The review inbox `/review` (审阅): every feature's items awaiting an admin, filtered by feature,
 * unit, age and state in the query string, a page at a time, with counts per feature, the inline
 * actions each item allows (htmx: the item's row is swapped), and an .xlsx export of what is
 * filtered. Viewers read; admins act, every action audited; an item the viewer's sources do not
 * list (another unit's, or already handled) is a 404.
 */
import { canActOnInbox, canReadInbox } from '../../core/roles.ts';
import { Hono } from 'hono';
import ExcelJS from 'exceljs';
import { audit } from '../../core/audit.ts';
import {
  COMMENT_MAX,
  filterInbox,
  gatherInbox,
  INBOX_ACTIONS,
  INBOX_AGES,
  INBOX_PAGE_SIZE,
  isDone,
  markInboxItem,
  parseInboxFilters,
  type AnnotatedItem,
  type FeatureInbox,
  type InboxAction,
  type InboxFilters,
  type InboxViewer,
} from '../../core/review.ts';
import { requireRole, requireUser } from '../auth.ts';
import { Field, formatTime, Options, Pager, withQuery } from '../components/ui.tsx';
import { clientIp, isPartial, langOf, requestContext, safeNext, t, type PanelContext, type PanelDeps, type PanelEnv } from '../context.ts';
import type { Dictionary, Lang } from '../i18n.ts';
import { errorPage, renderFragment, renderPage } from '../render.tsx';


function viewerOf(c: PanelContext): InboxViewer {
  return { user: c.var.user, scope: c.var.scope, lang: langOf(c) };
}

function filterParams(f: InboxFilters): Record<string, unknown> {
  return { feature: f.feature, unit: f.unit, age: f.age, state: f.state === 'done' ? 'done' : undefined, page: f.page > 1 ? f.page : undefined };
}

/** The features' names as the viewer reads them (several sources of one feature share one). */
function featureLabels(sources: readonly FeatureInbox[], lang: Lang): Map<string, string> {
  const labels = new Map<string, string>();
  for (const s of sources) if (!labels.has(s.feature)) labels.set(s.feature, s.label(lang));
  return labels;
}

/** Open items per feature, every feature listed (with 0), for the tabs and the dashboard. */
export function countsByFeature(items: readonly AnnotatedItem[], labels: ReadonlyMap<string, string>): Array<{ feature: string; label: string; count: number }> {
  return [...labels].map(([feature, label]) => ({ feature, label, count: items.filter((i) => i.feature === feature).length }));
}

/**
 * The dashboard's part: open items per feature in the viewer's scope, each linking into the
 * inbox filtered by it. Partners have no inbox.
 */
export async function inboxCounts(deps: Pick<PanelDeps, 'db' | 'inbox' | 'clock' | 'timeZone'>, viewer: InboxViewer) {
  if (viewer.user.role === 'partner' || !deps.inbox?.length) return null;
  const { all } = await gatherInbox(deps.db, deps.inbox, viewer);
  return countsByFeature(filterInbox(all, { state: 'open' }, deps.clock.now(), deps.timeZone ?? 'Asia/Shanghai'), featureLabels(deps.inbox, viewer.lang));
}

/** The dashboard's card: open items per feature, each a link into the inbox filtered by it. */
export function InboxCounts({ t, counts }: { t: Dictionary; counts: ReturnType<typeof countsByFeature> }) {
  const total = counts.reduce((s, c) => s + c.count, 0);
  return (
    <section class="card inbox-counts">
      <h2>{t.review.dashboardTitle}</h2>
      {total === 0 && <p class="muted">{t.review.dashboardNone}</p>}
      <nav class="tabs" aria-label={t.review.dashboardTitle}>
        <a href="/review" class="tab">{t.review.dashboardAll(total)}</a>
        {counts.map((c) => (
          <a href={withQuery('/review', { feature: c.feature })} class={`tab${c.count > 0 ? ' has-items' : ''}`}>{c.label}<span class="count">{c.count}</span></a>
        ))}
      </nav>
    </section>
  );
}

interface RowProps {
  t: Dictionary;
  item: AnnotatedItem;
  label: string;
  canAct: boolean;
  timeZone: string;
  back: string;
  error?: string;
}

/** One item: what it is, where it is handled, its office's mark, and its inline actions. */
export function InboxRow({ t, item, label, canAct, timeZone, back, error }: RowProps) {
  const r = t.review;
  const mark = item.mark;
  const states = item.actions.filter((a): a is Exclude<InboxAction, 'comment'> => a !== 'comment');
  const hx = { 'hx-post': '/review/act', 'hx-target': 'closest li', 'hx-swap': 'outerHTML' };
  return (
    <li class={`inbox-item${isDone(item) ? ' done' : ''}`} data-key={item.key}>
      <div class="inbox-main">
        <div class="inbox-meta">
          <span class="badge">{label}</span>
          <span class="badge kind">{item.kindLabel}</span>
          <span class="muted">{item.unit.name}</span>
          {item.cadre && <span class="muted">{item.cadre.name}</span>}
          <time class="muted" datetime={item.submittedAt.toISOString()}>{formatTime(item.submittedAt, timeZone).slice(0, 16)}</time>
        </div>
        <a class="inbox-title" href={item.href}>{item.title}</a>
        {item.detail && <p class="inbox-detail">{item.detail}</p>}
        {mark?.state && (
          <p class="inbox-mark">
            <span class="badge ok">{r.marked[mark.state]}</span>{' '}
            <span class="muted">{r.markedBy(mark.actorName ?? '—', formatTime(mark.at, timeZone).slice(0, 16))}</span>
          </p>
        )}
        {mark?.comment && (
          <blockquote class="inbox-comment">
            {mark.comment}
            <footer class="muted">{r.commentBy(mark.actorName ?? '—', formatTime(mark.at, timeZone).slice(0, 16))}</footer>
          </blockquote>
        )}
        {error && <p class="alert alert-error" role="alert">{error}</p>}
      </div>
      <div class="inbox-actions">
        <a class="button small" href={item.href}>{r.open}</a>
        {canAct &&
          !isDone(item) &&
          states.map((action) => (
            <form method="post" action="/review/act" {...hx}>
              <input type="hidden" name="key" value={item.key} />
              <input type="hidden" name="action" value={action} />
              <input type="hidden" name="back" value={back} />
              <button type="submit" class={`button small${action === 'read' || action === 'accept' ? ' primary' : ''}`} data-action={action}>{r.action[action]}</button>
            </form>
          ))}
        {canAct && item.actions.includes('comment') && (
          <form method="post" action="/review/act" class="inbox-comment-form" {...hx}>
            <input type="hidden" name="key" value={item.key} />
            <input type="hidden" name="action" value="comment" />
            <input type="hidden" name="back" value={back} />
            <input type="text" name="comment" maxlength={COMMENT_MAX} placeholder={r.commentPlaceholder} aria-label={r.comment} required />
            <button type="submit" class="button small" data-action="comment">{r.action.comment}</button>
          </form>
        )}
      </div>
    </li>
  );
}

/**
 * Open items per feature under the other filters. Plain links: the filter form, outside the
 * swapped part, carries the feature too. After an action it comes again out of band.
 */
function FeatureTabs({ t, f, counts, oob }: { t: Dictionary; f: InboxFilters; counts: ReturnType<typeof countsByFeature>; oob?: boolean }) {
  const params = filterParams(f);
  const tab = (feature: string | undefined, label: string, count: number) => (
    <a class={`tab${f.feature === feature ? ' current' : ''}`} href={withQuery('/review', params, { feature, page: undefined })} aria-current={f.feature === feature ? 'true' : undefined}>
      {label}
      <span class="count">{count}</span>
    </a>
  );
  return (
    <nav class="tabs" id="inbox-tabs" aria-label={t.review.feature} hx-swap-oob={oob ? 'true' : undefined}>
      {tab(undefined, t.review.all, counts.reduce((s, c) => s + c.count, 0))}
      {counts.map((c) => tab(c.feature, c.label, c.count))}
    </nav>
  );
}

interface ResultsProps {
  t: Dictionary;
  f: InboxFilters;
  rows: AnnotatedItem[];
  total: number;
  counts: ReturnType<typeof countsByFeature>;
  labels: ReadonlyMap<string, string>;
  failed: string[];
  canAct: boolean;
  timeZone: string;
  back: string;
  /** A fragment answer also refreshes the export link to the new filters. */
  oob?: boolean;
}

function Results(props: ResultsProps) {
  const { t, f } = props;
  const r = t.review;
  const params = filterParams(f);
  const empty = f.feature || f.unit || f.age ? r.emptyFiltered : f.state === 'done' ? r.emptyDone : r.empty;
  return (
    <div id="inbox">
      <FeatureTabs t={t} f={f} counts={props.counts} />
      {props.failed.length > 0 && (
        <p class="alert alert-warn" role="status">{r.failed(props.failed.map((name) => props.labels.get(name) ?? name).join('、'))}</p>
      )}
      {props.rows.length === 0 ? (
        <div class="card empty-state inbox-empty"><p>{empty}</p></div>
      ) : (
        <ul class="inbox-list">
          {props.rows.map((item) => (
            <InboxRow t={t} item={item} label={props.labels.get(item.feature) ?? item.feature} canAct={props.canAct} timeZone={props.timeZone} back={props.back} />
          ))}
        </ul>
      )}
      <Pager t={t} path="/review" params={params} page={f.page} total={props.total} pageSize={INBOX_PAGE_SIZE} target="#inbox" />
      {props.oob && <a id="export-link" hx-swap-oob="true" class="button" href={withQuery('/review/export.xlsx', { ...params, page: undefined })} download>{r.export}</a>}
    </div>
  );
}

export function reviewRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = new Hono<PanelEnv>();
  const timeZone = deps.timeZone ?? 'Asia/Shanghai';
  const sources = () => deps.inbox ?? [];
  app.onError(errorPage(deps));
  app.use('*', requireUser(deps), requireRole(canReadInbox));

  async function filtered(c: PanelContext, f: InboxFilters) {
    const view = await gatherInbox(deps.db, sources(), viewerOf(c));
    const now = deps.clock.now();
    return {
      view,
      rows: filterInbox(view.all, f, now, timeZone),
      counts: countsByFeature(filterInbox(view.all, f, now, timeZone, 'feature'), featureLabels(sources(), langOf(c))),
    };
  }

  app.get('/', async (c) => {
    const dict = t(c);
    const r = dict.review;
    const f = parseInboxFilters(c.req.query());
    const { view, rows, counts } = await filtered(c, f);
    const labels = featureLabels(sources(), langOf(c));
    const pageRows = rows.slice((f.page - 1) * INBOX_PAGE_SIZE, f.page * INBOX_PAGE_SIZE);
    const canAct = canActOnInbox(c.var.user);
    const back = withQuery('/review', filterParams(f));
    const props: ResultsProps = { t: dict, f, rows: pageRows, total: rows.length, counts, labels, failed: view.failed, canAct, timeZone, back };
    if (isPartial(c)) return renderFragment(c, <Results {...props} oob />);
    // The units that have items, in the viewer's scope: the unit menu offers only what can match.
    const units = [...new Map(view.all.map((i) => [i.unit.id, i.unit.name]))].sort((a, b) => a[1].localeCompare(b[1], 'zh-CN'));
    return renderPage(
      c,
      deps,
      r.title,
      <>
        <div class="page-head">
          <h1>{r.title}</h1>
          <div class="actions">
            <a id="export-link" class="button" href={withQuery('/review/export.xlsx', { ...filterParams(f), page: undefined })} download>{r.export}</a>
          </div>
        </div>
        <p class="muted">{r.intro}</p>
        {!canAct && <p class="alert alert-info" role="status">{r.readOnly}</p>}
        <form id="inbox-filters" class="card" method="get" action="/review" hx-get="/review" hx-trigger="change, submit" hx-target="#inbox" hx-push-url="true" hx-sync="this:replace" role="search">
          {f.feature && <input type="hidden" name="feature" value={f.feature} />}
          <div class="filters">
            <Field label={r.unit}>
              <select name="unit">
                <Options blank={dict.common.all} selected={f.unit} options={units} />
              </select>
            </Field>
            <Field label={r.age}>
              <select name="age">
                <Options blank={dict.common.all} selected={f.age} options={INBOX_AGES.map((a) => [a, r.ageName[a]!])} />
              </select>
            </Field>
            <Field label={r.state}>
              <select name="state">
                <Options selected={f.state} options={[['open', r.stateName.open!], ['done', r.stateName.done!]]} />
              </select>
            </Field>
          </div>
          <div class="filters-foot">
            <span class="spacer"></span>
            <a class="button" href="/review">{dict.common.reset}</a>
            <button type="submit" class="button primary">{dict.common.filter}</button>
          </div>
        </form>
        <Results {...props} />
      </>,
    );
  });

  app.post('/act', requireRole(canActOnInbox), async (c) => {
    const dict = t(c);
    const body = await c.req.parseBody();
    const key = typeof body.key === 'string' ? body.key : '';
    const action = (INBOX_ACTIONS as readonly string[]).includes(String(body.action)) ? (body.action as InboxAction) : null;
    const back = safeNext(typeof body.back === 'string' && body.back.startsWith('/review') ? body.back : '/review');
    const comment = typeof body.comment === 'string' ? body.comment : undefined;
    const fail = (status: 404 | 422, message: string) => (c.req.header('HX-Request') ? renderFragment(c, <li class="inbox-item"><p class="alert alert-error" role="alert">{message}</p></li>, status) : c.text(message, status));
    if (!action || key.length > 300) return fail(422, dict.review.error.not_supported);
    const result = await markInboxItem(deps.db, sources(), { ...requestContext(c, deps), lang: langOf(c), now: deps.clock.now(), actorName: c.var.user.displayName }, key, action, comment);
    if (!result.ok) {
      if (result.error === 'not_found') return fail(404, dict.review.error.not_found);
      const message = result.error === 'comment_long' ? dict.review.error.comment_long(COMMENT_MAX) : dict.review.error[result.error];
      // The row again with the reason, so the person sees which item refused and why.
      const { view } = await filtered(c, parseInboxFilters({}));
      const item = view.all.find((i) => i.key === key);
      if (!item || !c.req.header('HX-Request')) return fail(422, message);
      const label = featureLabels(sources(), langOf(c)).get(item.feature) ?? item.feature;
      return renderFragment(c, <InboxRow t={dict} item={item} label={label} canAct timeZone={timeZone} back={back} error={message} />, 422);
    }
    if (!c.req.header('HX-Request')) return c.redirect(back, 303);
    const label = featureLabels(sources(), langOf(c)).get(result.item.feature) ?? result.item.feature;
    // The counts of the list the person is on, after the change.
    const f = parseInboxFilters(Object.fromEntries(new URL(back, 'http://miaopu.invalid').searchParams));
    const { counts } = await filtered(c, f);
    return renderFragment(
      c,
      <>
        <InboxRow t={dict} item={result.item} label={label} canAct timeZone={timeZone} back={back} />
        <FeatureTabs t={dict} f={f} counts={counts} oob />
      </>,
    );
  });

  app.get('/export.xlsx', async (c) => {
    const dict = t(c);
    const r = dict.review;
    const f = parseInboxFilters(c.req.query());
    const { rows } = await filtered(c, f);
    const labels = featureLabels(sources(), langOf(c));
    const book = new ExcelJS.Workbook();
    book.created = deps.clock.now();
    const sheet = book.addWorksheet(r.sheet);
    sheet.columns = [
      { header: r.feature, key: 'feature', width: 12 },
      { header: r.kind, key: 'kind', width: 14 },
      { header: r.item, key: 'title', width: 40 },
      { header: r.unit, key: 'unit', width: 18 },
      { header: r.cadre, key: 'cadre', width: 10 },
      { header: r.submittedAt, key: 'at', width: 18 },
      { header: r.detail, key: 'detail', width: 40 },
      { header: r.state, key: 'state', width: 10 },
      { header: r.comment, key: 'comment', width: 30 },
      { header: r.link, key: 'link', width: 36 },
    ];
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
    for (const i of rows) {
      sheet.addRow({
        feature: labels.get(i.feature) ?? i.feature,
        kind: i.kindLabel,
        title: i.title,
        unit: i.unit.name,
        cadre: i.cadre?.name ?? '',
        at: formatTime(i.submittedAt, timeZone).slice(0, 16),
        detail: i.detail ?? '',
        state: i.mark?.state ? r.marked[i.mark.state] : r.stateName.open,
        comment: i.mark?.comment ?? '',
        link: new URL(i.href, deps.publicUrl).toString(),
      });
    }
    const buffer = await book.xlsx.writeBuffer();
    await audit(deps.db, { actorId: c.var.user.id, action: 'export', entity: 'review_item', diff: { filters: filterParams(f), rows: rows.length }, ip: clientIp(c, deps.trustProxy) });
    const stamp = deps.clock.now().toISOString().slice(0, 10);
    c.header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    c.header('Content-Disposition', `attachment; filename="review-${stamp}.xlsx"; filename*=UTF-8''${encodeURIComponent(`${r.sheet}-${stamp}.xlsx`)}`);
    c.header('Cache-Control', 'no-store');
    return c.body(new Uint8Array(buffer as ArrayBuffer));
  });

  return app;
}
