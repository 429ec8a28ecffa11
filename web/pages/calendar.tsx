/**
 * @module
 * The work calendar (工作日历) for district admins: a year as twelve month grids with the
 * statutory holidays and make-up workdays marked, the list of special days with add and remove,
 * and a year's list imported from CSV (preview, then one replacing transaction) or downloaded
 * in the same format. Also the dashboard's warning while a year's notice is missing.
 */
import type { Hono } from 'hono';
import { isDay } from '../../core/dates.ts';
import { bodyLimit } from 'hono/body-limit';
import type { Child } from 'hono/jsx';
import type { PanelUser } from '../../db/schema/users.ts';
import { audit } from '../../core/audit.ts';
import { addDays, parseCalendarCsv, weekdayOf, type CalendarCsvIssue, type SpecialDay, type SpecialDayIssue, type WorkCalendar } from '../../core/reminders/calendar.ts';
import { addCalendarDay, calendarYears, loadWorkCalendar, removeCalendarDay, replaceCalendarYear } from '../../core/reminders/store.ts';
import { localParts } from '../../core/reminders/time.ts';
import { requestContext, t, type PanelContext, type PanelDeps, type PanelEnv } from '../context.ts';
import type { Dictionary } from '../i18n.ts';
import { renderFragment, renderPage } from '../render.tsx';
import { Field, Options } from '../components/ui.tsx';
import { isDistrictAdmin } from '../../core/roles.ts';
import { panelApp } from '../panel-app.ts';
import { attachment } from '../download.ts';
import { Form } from '../components/form.tsx';

/** A year's notice is a few dozen lines; anything near this is the wrong file. */
const UPLOAD_LIMIT = 256 * 1024;
/** The confirmation carries the file's text form-encoded, which can triple its size. */
const CONFIRM_LIMIT = 4 * UPLOAD_LIMIT;

type Notice = { kind: 'ok' | 'error'; text: string };
type DayField = 'date' | 'kind' | 'name';
type Status = 200 | 404 | 413 | 422;

function thisYear(deps: PanelDeps): { year: number; month: number } {
  const p = localParts(deps.clock.now(), deps.timeZone ?? 'Asia/Shanghai');
  return { year: p.year, month: p.month };
}

function yearParam(raw: string | undefined, fallback: number): number {
  const year = Number(raw);
  return Number.isInteger(year) && year >= 2000 && year <= 2100 ? year : fallback;
}

function issueText(t: Dictionary, issue: SpecialDayIssue | CalendarCsvIssue, year: number): string {
  const value = 'value' in issue ? issue.value : '';
  const extra = issue.code === 'calendar.workdayOnWeekday' ? t.calendar.weekdayName[weekdayOf(value)]! : String(year);
  return t.calendar.issue[issue.code]?.(value, extra) ?? issue.code;
}

function MonthGrid(props: { t: Dictionary; cal: WorkCalendar; year: number; month: number }) {
  const { t, cal, year, month } = props;
  const first = `${year}-${String(month).padStart(2, '0')}-01`;
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  // Weeks start on Monday, as Chinese wall calendars do.
  const lead = (weekdayOf(first) + 6) % 7;
  const cells: Array<string | null> = [...Array<null>(lead).fill(null), ...Array.from({ length }, (_, i) => addDays(first, i))];
  while (cells.length % 7) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
  return (
    <section class="month">
      <h3>{t.calendar.month(month)}</h3>
      <table class="month-grid">
        <thead>
          <tr>{t.calendar.weekdaysShort.map((d) => <th scope="col">{d}</th>)}</tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr>
              {week.map((day) => {
                if (!day) return <td class="pad"></td>;
                const special = cal.special(day);
                const weekend = weekdayOf(day) === 0 || weekdayOf(day) === 6;
                const cls = `day${weekend ? ' weekend' : ''}${special ? ` ${special.kind}` : ''}`;
                return (
                  <td class={cls} data-date={day} title={special ? `${day} ${special.name} ${t.calendar.kindShort[special.kind]}` : undefined}>
                    {Number(day.slice(8))}
                    {special && <span class="mark">{t.calendar.kindShort[special.kind]}</span>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The year: warning, grids, legend, the list with remove buttons, and the add form. */
function YearSection(props: { t: Dictionary; cal: WorkCalendar; year: number; notice?: Notice; error?: { field: DayField; text: string }; draft?: Record<string, string> }) {
  const { t, cal, year } = props;
  const days = cal.specialDaysOf(year);
  const draft = props.draft ?? {};
  // The message goes above the row, so the narrow fields keep their places; the field is marked.
  const invalid = (field: DayField) => (props.error?.field === field ? 'invalid' : undefined);
  return (
    <div id="calendar-year">
      {props.notice && <p class={`alert ${props.notice.kind === 'ok' ? 'alert-ok' : 'alert-error'}`} role="status">{props.notice.text}</p>}
      {!cal.covers(year) && <p class="alert alert-warn" role="status" id="calendar-uncovered">{t.calendar.notCovered(year)}</p>}
      <section class="card">
        <h2>{year}</h2>
        <div class="months">
          {Array.from({ length: 12 }, (_, i) => <MonthGrid t={t} cal={cal} year={year} month={i + 1} />)}
        </div>
        <ul class="legend" aria-label={t.calendar.legend}>
          <li><span class="swatch holiday"></span>{t.calendar.legendHoliday}</li>
          <li><span class="swatch workday"></span>{t.calendar.legendWorkday}</li>
          <li><span class="swatch weekend"></span>{t.calendar.legendWeekend}</li>
        </ul>
      </section>
      <section class="card">
        <h2>{t.calendar.specialDays}</h2>
        {props.error && <p class="alert alert-error" role="alert">{props.error.text}</p>}
        <Form class="add-day" action="/calendar/days" target="#calendar-year" novalidate>
          <input type="hidden" name="year" value={String(year)} />
          <Field label={t.calendar.date} class={invalid('date')}>
            <input type="date" name="date" value={draft.date ?? ''} min={`${year}-01-01`} max={`${year}-12-31`} required />
          </Field>
          <Field label={t.calendar.kind} class={invalid('kind')}>
            <select name="kind"><Options selected={draft.kind ?? 'holiday'} options={[['holiday', t.calendar.kindName.holiday!], ['workday', t.calendar.kindName.workday!]]} /></select>
          </Field>
          <Field label={t.calendar.name} class={invalid('name')}>
            <input name="name" value={draft.name ?? ''} placeholder={t.calendar.namePlaceholder} maxlength={20} required />
          </Field>
          <button type="submit" class="button primary">{t.calendar.addButton}</button>
        </Form>
        {days.length === 0 ? (
          <p class="muted" id="special-days">{t.calendar.noSpecialDays}</p>
        ) : (
          <div class="table-wrap">
            <table class="table" id="special-days">
              <thead>
                <tr>
                  <th>{t.calendar.date}</th>
                  <th>{t.calendar.weekday}</th>
                  <th>{t.calendar.kind}</th>
                  <th>{t.calendar.name}</th>
                  <th>{t.common.actions}</th>
                </tr>
              </thead>
              <tbody>
                {days.map((d) => (
                  <tr>
                    <td class="mono">{d.date}</td>
                    <td>{t.calendar.weekdayName[weekdayOf(d.date)]}</td>
                    <td><span class={`badge ${d.kind === 'holiday' ? 'err' : 'warn'}`}>{t.calendar.kindShort[d.kind]}</span></td>
                    <td>{d.name}</td>
                    <td>
                      <Form class="inline-form" action={`/calendar/days/${d.date}/delete`} target="#calendar-year">
                        <button type="submit" class="button small danger" data-confirm={t.calendar.confirmRemove(d.date)}>{t.calendar.remove}</button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function DaysTable(props: { t: Dictionary; days: SpecialDay[] }) {
  const { t } = props;
  return (
    <div class="table-wrap">
      <table class="table">
        <thead><tr><th>{t.calendar.date}</th><th>{t.calendar.weekday}</th><th>{t.calendar.kind}</th><th>{t.calendar.name}</th></tr></thead>
        <tbody>
          {props.days.map((d) => (
            <tr><td class="mono">{d.date}</td><td>{t.calendar.weekdayName[weekdayOf(d.date)]}</td><td>{t.calendar.kindShort[d.kind]}</td><td>{d.name}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What an uploaded file would do: every bad line, or the days and the confirm button. */
function ImportPreview(props: { t: Dictionary; year: number; text: string; days: SpecialDay[]; issues: CalendarCsvIssue[] }) {
  const { t, year } = props;
  if (props.issues.length) {
    return (
      <div class="alert alert-error" role="alert">
        <p>{t.calendar.previewBad(props.issues.length)}</p>
        <ul class="issues">
          {props.issues.map((i) => <li>{t.calendar.line(i.line)}{issueText(t, i, year)}</li>)}
        </ul>
      </div>
    );
  }
  return (
    <div>
      <p class="alert alert-info" role="status">{t.calendar.previewOk(props.days.length, year)}</p>
      <DaysTable t={t} days={props.days} />
      <Form id="import-confirm" class="form-actions" action="/calendar/import/confirm" target="#calendar-page" disableButtons>
        <input type="hidden" name="year" value={String(year)} />
        <input type="hidden" name="csv" value={props.text} />
        <button type="submit" class="button primary">{t.calendar.confirm}</button>
      </Form>
    </div>
  );
}

function CalendarBody(props: { t: Dictionary; cal: WorkCalendar; year: number; years: number[]; notice?: Notice; importResult?: Child }) {
  const { t, year } = props;
  return (
    <div id="calendar-page">
      <div class="page-head">
        <h1>{t.calendar.title}</h1>
        <div class="actions"><a class="button" href={`/calendar/${year}.csv`} download>{t.calendar.download(year)}</a></div>
      </div>
      <p class="muted">{t.calendar.intro}</p>
      <nav class="year-tabs" aria-label={t.calendar.years}>
        {props.years.map((y) => (
          <a href={`/calendar?year=${y}`} class={y === year ? 'current' : undefined} aria-current={y === year ? 'page' : undefined}>{y}</a>
        ))}
      </nav>
      <YearSection t={t} cal={props.cal} year={year} notice={props.notice} />
      <section class="card">
        <h2>{t.calendar.import}</h2>
        <p class="muted">{t.calendar.importIntro(year)}</p>
        <Form id="import-form" class="inline-form" action={`/calendar/import?year=${year}`} target="#import-result" swap="innerHTML" multipart disableButtons>
          <input type="file" name="file" accept=".csv,text/csv" required aria-label={t.calendar.file} />
          <button type="submit" class="button">{t.calendar.preview}</button>
        </Form>
        <div id="import-result">{props.importResult}</div>
      </section>
    </div>
  );
}

/** A file's text: UTF-8, or GBK as Excel saves CSV on Chinese Windows. */
function decodeCsv(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gbk').decode(bytes);
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The shipped file's format, so a download imports back unchanged. */
function calendarCsv(days: SpecialDay[]): string {
  return `date,kind,name\n${days.map((d) => `${d.date},${d.kind},${csvField(d.name)}\n`).join('')}`;
}

/**
 * The years a district admin should enter now: this year's notice if missing, and from
 * November next year's (the State Council publishes it in late autumn). Others get none.
 */
export async function missingCalendarYears(deps: PanelDeps, user: PanelUser): Promise<number[]> {
  if (!isDistrictAdmin(user)) return [];
  const { year, month } = thisYear(deps);
  const entered = new Set((await calendarYears(deps.db)).map((y) => y.year));
  return [year, ...(month >= 11 ? [year + 1] : [])].filter((y) => !entered.has(y));
}

/** The dashboard's warning for each missing year, with the way to enter it. */
export function CalendarWarnings(props: { t: Dictionary; years: number[] }) {
  return (
    <>
      {props.years.map((y) => (
        <p class="alert alert-warn" role="status">
          {props.t.calendar.dashboardNotCovered(y)} <a href={`/calendar?year=${y}`}>{props.t.calendar.openCalendar}</a>
        </p>
      ))}
    </>
  );
}

export function calendarRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = panelApp(deps, { allow: isDistrictAdmin });

  const years = async (shown: number) => {
    const { year } = thisYear(deps);
    const known = (await calendarYears(deps.db)).map((y) => y.year);
    return [...new Set([...known, year, year + 1, shown])].sort((a, b) => a - b);
  };
  const body = async (c: PanelContext, year: number, extra: { notice?: Notice; importResult?: Child } = {}) => (
    <CalendarBody t={t(c)} cal={await loadWorkCalendar(deps.db)} year={year} years={await years(year)} {...extra} />
  );
  const answer = (c: PanelContext, content: Child, status: Status = 200) =>
    c.req.header('HX-Request') ? renderFragment(c, content, status) : renderPage(c, deps, t(c).calendar.title, content, status);
  const yearSection = async (c: PanelContext, year: number, props: { notice?: Notice; error?: { field: DayField; text: string }; draft?: Record<string, string> }, status: Status = 200) => {
    const section = <YearSection t={t(c)} cal={await loadWorkCalendar(deps.db)} year={year} {...props} />;
    return c.req.header('HX-Request') ? renderFragment(c, section, status) : answer(c, await body(c, year, { notice: props.notice }), status);
  };
  const alert = (text: string) => <p class="alert alert-error" role="alert">{text}</p>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');

  app.get('/', async (c) => renderPage(c, deps, t(c).calendar.title, await body(c, yearParam(c.req.query('year'), thisYear(deps).year))));

  app.get('/:file{[0-9]{4}\\.csv}', async (c) => {
    const year = Number(c.req.param('file').slice(0, 4));
    const days = (await loadWorkCalendar(deps.db)).specialDaysOf(year);
    const ctx = requestContext(c, deps);
    await audit(deps.db, { actorId: ctx.actor.id, action: 'export', entity: 'work_calendar', entityId: year, diff: { days: days.length }, ip: ctx.ip });
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', attachment({ name: `calendar-${year}.csv` }));
    c.header('Cache-Control', 'no-store');
    return c.body(calendarCsv(days));
  });

  app.post('/days', async (c) => {
    const form = await c.req.parseBody();
    const year = yearParam(str(form.year), thisYear(deps).year);
    const draft = { date: str(form.date).trim(), kind: str(form.kind), name: str(form.name) };
    const refuse = (issue: SpecialDayIssue | CalendarCsvIssue) => {
      const field: DayField = issue.code === 'calendar.kind' ? 'kind' : issue.code === 'calendar.name' ? 'name' : 'date';
      return yearSection(c, year, { error: { field, text: issueText(t(c), issue, year) }, draft }, 422);
    };
    if (isDay(draft.date) && !draft.date.startsWith(`${year}-`)) return refuse({ code: 'calendar.year', line: 0, value: draft.date });
    const result = await addCalendarDay(deps.db, requestContext(c, deps), draft);
    if ('issue' in result) return refuse(result.issue);
    return yearSection(c, year, { notice: { kind: 'ok', text: t(c).calendar.added(result.day.date) } });
  });

  app.post('/days/:date/delete', async (c) => {
    const date = c.req.param('date');
    const year = isDay(date) ? Number(date.slice(0, 4)) : thisYear(deps).year;
    if (!(await removeCalendarDay(deps.db, requestContext(c, deps), date))) return yearSection(c, year, { notice: { kind: 'error', text: t(c).common.notFound } }, 404);
    return yearSection(c, year, { notice: { kind: 'ok', text: t(c).calendar.removed(date) } });
  });

  const tooLarge = (c: PanelContext) => answer(c, alert(t(c).calendar.tooLarge), 413);

  app.post('/import', bodyLimit({ maxSize: UPLOAD_LIMIT, onError: (c) => tooLarge(c as PanelContext) }), async (c) => {
    const year = yearParam(c.req.query('year'), thisYear(deps).year);
    const file = (await c.req.parseBody()).file;
    if (!(file instanceof File) || file.size === 0) return answer(c, alert(t(c).calendar.noFile), 422);
    const text = decodeCsv(new Uint8Array(await file.arrayBuffer())).replace(/^\uFEFF/, '');
    const { days, issues } = parseCalendarCsv(text, year);
    return answer(c, <ImportPreview t={t(c)} year={year} text={text} days={days} issues={issues} />, issues.length ? 422 : 200);
  });

  app.post('/import/confirm', bodyLimit({ maxSize: CONFIRM_LIMIT, onError: (c) => tooLarge(c as PanelContext) }), async (c) => {
    const form = await c.req.parseBody();
    const year = yearParam(str(form.year), thisYear(deps).year);
    const text = str(form.csv);
    if (!text) return answer(c, await body(c, year, { importResult: alert(t(c).calendar.expired) }), 422);
    // Checked again: what is written is what passes the checks now, not what the page carried.
    const { days, issues } = parseCalendarCsv(text, year);
    if (issues.length) return answer(c, await body(c, year, { importResult: <ImportPreview t={t(c)} year={year} text={text} days={days} issues={issues} /> }), 422);
    await replaceCalendarYear(deps.db, requestContext(c, deps), year, days, 'import');
    return answer(c, await body(c, year, { notice: { kind: 'ok', text: t(c).calendar.imported(year, days.length) } }));
  });

  return app;
}
