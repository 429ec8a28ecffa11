/** @module The pair form (create and edit), and the form body read back as a pair input. */
import type { CadreChoice } from '../../../core/mentorship/choices.ts';
import { CADENCES } from '../../../core/mentorship/due.ts';
import { GOAL_STATUSES, MAX_GOALS, PAIR_STATUSES } from '../../../core/mentorship/pairs.ts';
import { Field, Options } from '../../components/ui.tsx';
import type { MentorshipText } from './text.ts';

export interface PairFormValues {
  mentorIds: string[];
  menteeIds: string[];
  startsOn: string;
  endsOn: string;
  cadence: string;
  status: string;
  pauseReason: string;
  goals: Array<{ title: string; status: string }>;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? [v] : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The posted form as typed, for a re-render after an error. */
export function valuesOfBody(body: Record<string, unknown>): PairFormValues {
  const goals: PairFormValues['goals'] = [];
  for (let i = 0; i < MAX_GOALS; i++) goals.push({ title: str(body[`goalTitle${i}`]), status: str(body[`goalStatus${i}`]) || 'open' });
  // Goals typed first, blanks after: an error on the n-th goal then marks the n-th row.
  goals.sort((a, b) => Number(a.title.trim() === '') - Number(b.title.trim() === ''));
  return {
    mentorIds: list(body.mentorIds),
    menteeIds: list(body.menteeIds),
    startsOn: str(body.startsOn),
    endsOn: str(body.endsOn),
    cadence: str(body.cadence),
    status: str(body.status) || 'active',
    pauseReason: str(body.pauseReason),
    goals,
  };
}

/** What `createPair` / `updatePair` validate: goals left blank are not goals. */
export function inputOfValues(v: PairFormValues) {
  return {
    mentorIds: v.mentorIds,
    menteeIds: v.menteeIds,
    startsOn: v.startsOn,
    endsOn: v.endsOn,
    cadence: v.cadence,
    status: v.status,
    pauseReason: v.pauseReason,
    goals: v.goals.filter((g) => g.title.trim() !== ''),
  };
}

export function PairForm(props: { m: MentorshipText; action: string; values: PairFormValues; errors?: Record<string, string>; choices: CadreChoice[]; cancel: string }) {
  const { m, values: v } = props;
  const err = (k: string) => (props.errors?.[k] ? (m.errors[props.errors[k]!] ?? m.errors.invalid) : undefined);
  const people = (name: 'mentorIds' | 'menteeIds', selected: string[]) => (
    <select name={name} multiple size={8}>
      {props.choices.map((c) => (
        <option value={String(c.id)} selected={selected.includes(String(c.id))}>
          {c.name} · {c.unitName} · {c.position}
        </option>
      ))}
    </select>
  );
  const rows = Math.min(MAX_GOALS, Math.max(3, v.goals.filter((g) => g.title).length + 2));
  return (
    <form id="pair-form" class="card form" method="post" action={props.action}>
      {props.errors && <p class="alert alert-error" role="alert">{m.fixErrors}</p>}
      <div class="grid-2">
        <Field label={m.mentors} error={err('mentorIds')} hint={m.pickHint}>{people('mentorIds', v.mentorIds)}</Field>
        <Field label={m.mentees} error={err('menteeIds')}>{people('menteeIds', v.menteeIds)}</Field>
        <Field label={m.startsOn} error={err('startsOn')}><input type="date" name="startsOn" value={v.startsOn} required /></Field>
        <Field label={m.endsOn} error={err('endsOn')}><input type="date" name="endsOn" value={v.endsOn} /></Field>
        <Field label={m.cadence} error={err('cadence')}>
          <select name="cadence"><Options selected={v.cadence} options={CADENCES.map((c) => [c, m.cadenceName[c]!])} /></select>
        </Field>
        <Field label={m.status} error={err('status')}>
          <select name="status"><Options selected={v.status} options={PAIR_STATUSES.map((s) => [s, m.statusName[s]!])} /></select>
        </Field>
        <Field label={m.pauseReason} error={err('pauseReason')}><input type="text" name="pauseReason" value={v.pauseReason} maxlength={200} /></Field>
      </div>
      <fieldset>
        <legend>{m.goals}</legend>
        {Array.from({ length: rows }, (_, i) => (
          <div class="filters">
            <Field label={`${m.goal} ${i + 1}`} error={err(`goals.${i}`)}><input type="text" name={`goalTitle${i}`} value={v.goals[i]?.title ?? ''} maxlength={100} /></Field>
            <Field label={m.status}>
              <select name={`goalStatus${i}`}><Options selected={v.goals[i]?.status ?? 'open'} options={GOAL_STATUSES.map((s) => [s, m.goalStatus[s]!])} /></select>
            </Field>
          </div>
        ))}
      </fieldset>
      <div class="actions">
        <a class="button" href={props.cancel}>{m.cancel}</a>
        <button type="submit" class="button primary">{m.save}</button>
      </div>
    </form>
  );
}
