/**
 * @module
 * The campaign settings form: title, kind, year, questionnaire, window, category weights,
 * reminder plan, validity and alert rules. Parsing turns the posted strings into a
 * `CampaignInput` and collects every problem in Chinese; core's `campaignIssues` adds the rules.
 */
import type { CampaignInput, ValidityRules } from '../../../core/evaluation/campaigns.ts';
import type { ReminderPlan } from '../../../core/evaluation/reminders.ts';
import { CATEGORIES, DEFAULT_ALERT_RULES, DEFAULT_WEIGHTS, type AlertRules, type Weights } from '../../../core/evaluation/scoring.ts';
import { localParts, zonedTime } from '../../../core/reminders/time.ts';
import { parseLocalDateTime } from '../../../core/dates.ts';
import { DEFAULT_REMINDER_PLAN } from '../../../core/evaluation/reminders.ts';
import type { EvaluationCampaign, EvaluationKind } from '../../../db/schema/evaluation.ts';
import { evaluationKind } from '../../../db/schema/evaluation.ts';
import type { TemplateRow } from '../../../core/evaluation/admin.ts';
import type { EvaluationDictionary } from './text.ts';
import { Field, Options } from '../../components/ui.tsx';
import { toId } from '../../../core/ids.ts';
import { Form } from '../../components/form.tsx';

type Body = Record<string, string | File | (string | File)[]>;
/** The form's values as strings, so a refused form comes back exactly as typed. */
export type FormValues = Record<string, string>;

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DDTHH:MM` in the panel's time zone, for datetime-local inputs. */
export function toLocalInput(at: Date, tz: string): string {
  const p = localParts(at, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * A datetime-local value in the panel's time zone, or null when it is not a real date and time:
 * `2026-02-30T08:00` is refused (not read as 2 March), and so is a wall-clock time the zone
 * skips (a daylight-saving gap).
 */
export function fromLocalInput(value: string, tz: string): Date | null {
  const p = parseLocalDateTime(value);
  if (!p) return null;
  const at = zonedTime(tz, p.year, p.month, p.day, p.hour, p.minute);
  const back = localParts(at, tz);
  return back.year === p.year && back.month === p.month && back.day === p.day && back.hour === p.hour && back.minute === p.minute ? at : null;
}

const pct = (n: number) => String(Math.round(n * 1000) / 10);

/** The form values of a saved campaign (or the defaults for a new one). */
export function campaignValues(campaign: EvaluationCampaign | null, templates: TemplateRow[], now: Date, tz: string): FormValues {
  const weights = (campaign?.weights as Weights | undefined) ?? DEFAULT_WEIGHTS;
  const plan = (campaign?.reminderPlan as ReminderPlan | undefined) ?? DEFAULT_REMINDER_PLAN;
  const validity = (campaign?.validityRules as ValidityRules | undefined) ?? { maxTopShare: null };
  const alerts = (campaign?.alertRules as AlertRules | undefined) ?? DEFAULT_ALERT_RULES;
  const opens = campaign?.opensAt ?? new Date(now.getTime() + 24 * 3600_000);
  const closes = campaign?.closesAt ?? new Date(opens.getTime() + 7 * 24 * 3600_000);
  return {
    title: campaign?.title ?? '',
    kind: campaign?.kind ?? 'annual',
    year: String(campaign?.year ?? localParts(now, tz).year),
    templateVersionId: String(campaign?.templateVersionId ?? templates[0]?.latestVersionId ?? ''),
    opensAt: toLocalInput(opens, tz),
    closesAt: toLocalInput(closes, tz),
    ...Object.fromEntries(CATEGORIES.map((c) => [`w_${c}`, String(weights[c])])),
    atOpening: plan.atOpening ? 'on' : '',
    dailyAt: plan.dailyAt ?? '',
    lastDay: plan.lastDay ? 'on' : '',
    quietFrom: plan.quietHours.from,
    quietTo: plan.quietHours.to,
    skipWeekends: plan.skipWeekends ? 'on' : '',
    maxReminders: String(plan.maxReminders),
    maxTopShare: validity.maxTopShare == null ? '' : pct(validity.maxTopShare),
    minExcellentCompetent: pct(alerts.minExcellentCompetentShare),
    maxIncompetent: pct(alerts.maxIncompetentShare),
  };
}

/** Posted strings → the campaign input, plus every problem the strings themselves have. */
export function parseCampaignForm(body: Body, t: EvaluationDictionary, tz: string): { values: FormValues; input: CampaignInput; issues: string[] } {
  const e = t.evaluation;
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  const values: FormValues = {};
  for (const k of ['title', 'kind', 'year', 'templateVersionId', 'opensAt', 'closesAt', 'dailyAt', 'quietFrom', 'quietTo', 'maxReminders', 'maxTopShare', 'minExcellentCompetent', 'maxIncompetent', 'atOpening', 'lastDay', 'skipWeekends', ...CATEGORIES.map((c) => `w_${c}`)]) {
    values[k] = str(k).trim();
  }
  const issues: string[] = [];
  const num = (k: string, label: string): number => {
    const v = values[k]!;
    const n = v === '' ? NaN : Number(v);
    if (!Number.isFinite(n)) issues.push(e.invalidNumber(label));
    return n;
  };
  if (toId(values.templateVersionId) === null) issues.push(e.invalidChoice(e.template));
  const weights = Object.fromEntries(CATEGORIES.map((c) => [c, num(`w_${c}`, e.weightOf(e.category[c]!))])) as Weights;
  const opensAt = fromLocalInput(values.opensAt!, tz);
  const closesAt = fromLocalInput(values.closesAt!, tz);
  // An empty field is core's "请填写…"; a filled one that is no real date and time is refused here.
  if (values.opensAt && !opensAt) issues.push(e.invalidDateTime(e.opensAt, values.opensAt.slice(0, 40)));
  if (values.closesAt && !closesAt) issues.push(e.invalidDateTime(e.closesAt, values.closesAt.slice(0, 40)));
  const input: CampaignInput = {
    title: values.title!,
    kind: values.kind as EvaluationKind,
    year: Number(values.year),
    templateVersionId: toId(values.templateVersionId) ?? NaN,
    opensAt: opensAt ?? new Date(NaN),
    closesAt: closesAt ?? new Date(NaN),
    weights,
    reminderPlan: {
      atOpening: values.atOpening === 'on',
      dailyAt: values.dailyAt || null,
      lastDay: values.lastDay === 'on',
      quietHours: { from: values.quietFrom!, to: values.quietTo! },
      skipWeekends: values.skipWeekends === 'on',
      maxReminders: Number(values.maxReminders),
    },
    validityRules: { maxTopShare: values.maxTopShare === '' ? null : num('maxTopShare', e.maxTopShare) / 100 },
    alertRules: {
      minExcellentCompetentShare: num('minExcellentCompetent', e.minExcellentCompetent) / 100,
      maxIncompetentShare: num('maxIncompetent', e.maxIncompetent) / 100,
    },
  };
  return { values, input, issues: [...new Set(issues)] };
}

export function CampaignForm(props: { t: EvaluationDictionary; values: FormValues; templates: TemplateRow[]; action: string; target: string; submit: string; issues?: string[] }) {
  const { t, values: v } = props;
  const e = t.evaluation;
  return (
    <Form class="card campaign-form" action={props.action} target={props.target}>
      <h2>{e.settings}</h2>
      {props.issues && props.issues.length > 0 && (
        <div class="alert alert-error" role="alert">
          <ul class="issues">{props.issues.map((i) => <li>{i}</li>)}</ul>
        </div>
      )}
      <div class="form-grid">
        <Field label={e.name} class="span-2"><input name="title" value={v.title} required maxlength={100} /></Field>
        <Field label={e.kind}><select name="kind"><Options options={evaluationKind.enumValues.map((k) => [k, e.kindName[k]!])} selected={v.kind} /></select></Field>
        <Field label={e.year}><input name="year" type="number" min={2000} max={2100} value={v.year} required /></Field>
        <Field label={e.template}>
          <select name="templateVersionId"><Options options={props.templates.map((tp) => [tp.latestVersionId, e.templateVersion(tp.name, tp.latestVersion)])} selected={v.templateVersionId} /></select>
        </Field>
        <Field label={e.opensAt}><input name="opensAt" type="datetime-local" value={v.opensAt} required /></Field>
        <Field label={e.closesAt}><input name="closesAt" type="datetime-local" value={v.closesAt} required /></Field>
      </div>
      <fieldset class="form-section">
        <legend>{e.weights}</legend>
        <div class="form-grid narrow">
          {CATEGORIES.map((c) => (
            <Field label={e.category[c]!}><input name={`w_${c}`} inputmode="decimal" value={v[`w_${c}`]} required /></Field>
          ))}
        </div>
        <small class="hint">{e.weightsHint}</small>
      </fieldset>
      <fieldset class="form-section">
        <legend>{e.reminders}</legend>
        <div class="form-grid narrow">
          <label class="check"><input type="checkbox" name="atOpening" checked={v.atOpening === 'on'} />{e.atOpening}</label>
          <Field label={e.dailyAt} hint={e.dailyHint}><input name="dailyAt" type="time" value={v.dailyAt} /></Field>
          <label class="check"><input type="checkbox" name="lastDay" checked={v.lastDay === 'on'} />{e.lastDay}</label>
          <Field label={e.quietFrom}><input name="quietFrom" type="time" value={v.quietFrom} required /></Field>
          <Field label={e.quietTo}><input name="quietTo" type="time" value={v.quietTo} required /></Field>
          <label class="check"><input type="checkbox" name="skipWeekends" checked={v.skipWeekends === 'on'} />{e.skipWeekends}</label>
          <Field label={e.maxReminders}><input name="maxReminders" type="number" min={0} max={20} value={v.maxReminders} required /></Field>
        </div>
      </fieldset>
      <fieldset class="form-section">
        <legend>{e.validity} · {e.alerts}</legend>
        <div class="form-grid narrow">
          <Field label={e.maxTopShare} hint={e.maxTopShareHint}><input name="maxTopShare" inputmode="decimal" value={v.maxTopShare} /></Field>
          <Field label={e.minExcellentCompetent}><input name="minExcellentCompetent" inputmode="decimal" value={v.minExcellentCompetent} required /></Field>
          <Field label={e.maxIncompetent}><input name="maxIncompetent" inputmode="decimal" value={v.maxIncompetent} required /></Field>
        </div>
      </fieldset>
      <div class="form-actions"><button type="submit" class="button primary">{props.submit}</button></div>
    </Form>
  );
}
