/**
 * @module
 * The web ballot, outside the panel and without sign-in, for phones first: `/ballot/:token`
 * for a cadre who chose "在网页上填写" in chat (a signed link), `/vote/:code` for a public rater
 * with a one-time code. One target per step; the answers so far travel sealed in a hidden field
 * (never in a table), and the last step casts the ballot. Nothing here logs who voted.
 */
import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { verifyBallotLink } from '../../../core/evaluation/ballot-link.ts';
import { castBallot, MAX_COMMENT, type CastOutcome, type TargetAnswers } from '../../../core/evaluation/ballots.ts';
import { hashPublicCode, normalizeCode } from '../../../core/evaluation/campaigns.ts';
import { EvaluationError } from '../../../core/evaluation/errors.ts';
import { sealDraft, unsealDraft, type DraftBinding } from '../../../core/evaluation/seal.ts';
import { OVERALL_GRADES, templateItems, type TemplateDefinition } from '../../../core/evaluation/templates.ts';
import { publicBallot, raterBallot, type BallotSubject, type BallotTarget } from '../../../core/evaluation/web-ballot.ts';
import { raterCategory, type OverallGrade, type RaterCategory } from '../../../db/schema/evaluation.ts';
import { Head } from '../../components/layout.tsx';
import { missingKey, type PanelDeps } from '../../context.ts';
import { errorText, et, issueText, type EvaluationDictionary } from './text.ts';

interface Draft {
  step: number;
  answers: Record<string, { levels: Record<string, string>; grade?: OverallGrade | null; comment?: string | null }>;
}

type Ready = Extract<BallotSubject, { state: 'ready' }>;

function Shell(props: { t: EvaluationDictionary; title: string; children: Child }) {
  return (
    <html lang="zh-CN">
      <Head title={props.title} t={props.t} />
      <body class="ballot-body">
        <main class="ballot" id="main">{props.children}</main>
      </body>
    </html>
  );
}

function page(c: Context, tr: EvaluationDictionary, title: string, body: Child, status: ContentfulStatusCode = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${<Shell t={tr} title={title}>{body}</Shell>}`, status);
}

function Message(props: { title: string; text: string; kind: 'ok' | 'error' | 'info'; children?: Child }) {
  return (
    <section class={`ballot-card ballot-message ${props.kind}`}>
      <div class="ballot-icon" aria-hidden="true">{props.kind === 'ok' ? '✓' : props.kind === 'error' ? '!' : 'i'}</div>
      <h1>{props.title}</h1>
      <p>{props.text}</p>
      {props.children}
    </section>
  );
}

const STATE_TEXT = (e: EvaluationDictionary['evaluation']['ballot'], state: string) =>
  ({
    closed: e.closed,
    not_open: e.notOpen,
    not_a_rater: e.notRater,
    already_submitted: e.alreadySubmitted,
    code_unknown: e.codeUnknown,
    code_used: e.codeUsed,
    campaign_not_found: e.codeUnknown,
  })[state] ?? e.unavailable;

function StepForm(props: { t: EvaluationDictionary; subject: Ready; action: string; sealed: string; draft: Draft; issues?: string[] }) {
  const e = props.t.evaluation.ballot;
  const def = props.subject.definition;
  const targets = props.subject.targets;
  const step = Math.min(Math.max(props.draft.step, 0), targets.length - 1);
  const target = targets[step]!;
  const answer = props.draft.answers[String(target.id)];
  const last = step === targets.length - 1;
  return (
    <form class="ballot-card" method="post" action={props.action}>
      <header class="ballot-head">
        <p class="muted">{props.subject.campaign.title}</p>
        <div class="ballot-progress">
          <span>{e.step(step + 1, targets.length)}</span>
          <progress max={targets.length} value={step + 1}>{step + 1}</progress>
        </div>
        <h1 class="target-name">{target.name}</h1>
        <p class="muted">{target.unitName} · {target.position}</p>
      </header>
      {props.issues && props.issues.length > 0 && (
        <div class="alert alert-error" role="alert"><ul class="issues">{props.issues.map((i) => <li>{i}</li>)}</ul></div>
      )}
      <input type="hidden" name="draft" value={props.sealed} />
      {def.dimensions.map((d) => (
        <fieldset class="ballot-dim">
          <legend>{d.label}</legend>
          {d.items.map((item) => (
            <div class="ballot-item" role="radiogroup" aria-label={item.label}>
              <p class="item-label">{item.label}</p>
              <div class="levels">
                {def.scale.map((level) => (
                  <label class="level">
                    <input type="radio" name={`lv_${item.key}`} value={level.key} checked={answer?.levels[item.key] === level.key} />
                    <span>{level.label}</span>
                  </label>
                ))}
              </div>
            </div>
          ))}
        </fieldset>
      ))}
      {def.overallGrade && (
        <fieldset class="ballot-dim">
          <legend>{e.grade}</legend>
          <div class="levels grades">
            {OVERALL_GRADES.map((g) => (
              <label class="level">
                <input type="radio" name="grade" value={g.key} checked={answer?.grade === g.key} />
                <span>{g.label}</span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      {def.allowComment && (
        <label class="field ballot-comment">
          <span>{e.comment}</span>
          <textarea name="comment" rows={3} maxlength={MAX_COMMENT}>{answer?.comment ?? ''}</textarea>
        </label>
      )}
      <p class="hint anonymous">{e.anonymous}</p>
      <div class="ballot-actions">
        {step > 0 && <button class="button" type="submit" name="go" value="prev" formnovalidate>{e.prev}</button>}
        {last ? (
          <button class="button primary" type="submit" name="go" value="submit">{e.submit}</button>
        ) : (
          <button class="button primary" type="submit" name="go" value="next">{e.next}</button>
        )}
      </div>
    </form>
  );
}

/** The current step's answers from the form, and what is missing from them. */
function readStep(body: Record<string, string | File>, def: TemplateDefinition) {
  const levels: Record<string, string> = {};
  const missing: string[] = [];
  const allowed = new Set(def.scale.map((l) => l.key));
  for (const item of templateItems(def)) {
    const v = body[`lv_${item.key}`];
    if (typeof v === 'string' && allowed.has(v)) levels[item.key] = v;
    else missing.push(item.label);
  }
  const g = typeof body.grade === 'string' ? body.grade : '';
  const grade = OVERALL_GRADES.some((x) => x.key === g) ? (g as OverallGrade) : null;
  if (def.overallGrade && !grade) missing.push('总体评价');
  const comment = typeof body.comment === 'string' ? body.comment.trim().slice(0, MAX_COMMENT) : '';
  return { answer: { levels, grade: def.overallGrade ? grade : null, comment: def.allowComment && comment ? comment : null }, missing };
}

export function ballotRoutes(deps: PanelDeps): Hono {
  const app = new Hono();
  // The panel's one ballot key (mountPanel makes one when none is configured): drafts and held slips.
  const sealKey: Buffer = deps.sealKey ?? missingKey('ballotRoutes');
  const linkKey = deps.ballotLinkKey ?? sealKey;
  // The path holds a rater's link or code: log the failure without it.
  app.onError((error, c) => {
    deps.log.error({ err: error }, 'web ballot: request failed');
    const tr = et(c);
    return page(c, tr, tr.evaluation.ballot.unavailable, <Message title={tr.evaluation.ballot.unavailable} text={tr.common.serverError} kind="error" />, 500);
  });

  const stateMessage = (c: Context, tr: EvaluationDictionary, state: string) =>
    page(c, tr, tr.evaluation.ballot.title, <Message title={state === 'closed' ? tr.evaluation.ballot.closed : tr.evaluation.ballot.unavailable} text={STATE_TEXT(tr.evaluation.ballot, state)} kind={state === 'closed' || state === 'not_open' ? 'info' : 'error'} />, state === 'code_unknown' ? 404 : 409);

  const outcomeMessage = (c: Context, tr: EvaluationDictionary, outcome: CastOutcome) => {
    const e = tr.evaluation.ballot;
    if (outcome.outcome === 'accepted') return page(c, tr, e.thanks, <Message title={e.thanks} text={e.thanksDetail} kind="ok" />);
    return stateMessage(c, tr, outcome.outcome);
  };

  /** GET shows the first step; POST moves between steps or casts the ballot. */
  async function flow(c: Context, subject: Ready, binding: DraftBinding, action: string, cast: (answers: TargetAnswers[]) => Promise<CastOutcome>) {
    const tr = et(c);
    const e = tr.evaluation.ballot;
    if (subject.targets.length === 0) return stateMessage(c, tr, 'not_a_rater');
    const show = (draft: Draft, issues?: string[], status: ContentfulStatusCode = 200) =>
      page(c, tr, `${e.title} · ${subject.campaign.title}`, <StepForm t={tr} subject={subject} action={action} draft={draft} sealed={sealDraft(sealKey, binding, draft)} issues={issues} />, status);
    if (c.req.method === 'GET') return show({ step: 0, answers: {} });

    const body = await c.req.parseBody();
    let draft: Draft;
    try {
      draft = typeof body.draft === 'string' ? unsealDraft<Draft>(sealKey, binding, body.draft) : { step: 0, answers: {} };
    } catch (error) {
      if (error instanceof EvaluationError) return page(c, tr, e.unavailable, <Message title={e.unavailable} text={errorText(tr, error)} kind="error"><a class="button" href={action}>{e.start}</a></Message>, 400);
      throw error;
    }
    const step = Math.min(Math.max(draft.step, 0), subject.targets.length - 1);
    const target: BallotTarget = subject.targets[step]!;
    const { answer, missing } = readStep(body as Record<string, string | File>, subject.definition);
    draft = { step, answers: { ...draft.answers, [String(target.id)]: answer } };
    if (body.go === 'prev') return show({ ...draft, step: step - 1 });
    if (missing.length) return show(draft, [e.missing(missing.join('、'))], 422);
    if (body.go !== 'submit' || step < subject.targets.length - 1) return show({ ...draft, step: step + 1 });
    const answers: TargetAnswers[] = subject.targets.map((x) => ({ targetId: x.id, ...(draft.answers[String(x.id)] ?? { levels: {} }) }));
    try {
      return outcomeMessage(c, tr, await cast(answers));
    } catch (error) {
      if (error instanceof EvaluationError) return show(draft, error.issues.map((i) => issueText(tr, i)), 422);
      throw error;
    }
  }

  // ---- a cadre from chat ----
  const fromLink = async (c: Context) => {
    const tr = et(c);
    const token = c.req.param('token') ?? '';
    const link = verifyBallotLink(linkKey, token, deps.clock.now());
    const e = tr.evaluation.ballot;
    if ('error' in link) return page(c, tr, e.unavailable, <Message title={e.unavailable} text={link.error === 'expired' ? e.linkExpired : e.linkInvalid} kind="error" />, link.error === 'expired' ? 410 : 400);
    if (!(raterCategory.enumValues as readonly string[]).includes(link.category)) return page(c, tr, e.unavailable, <Message title={e.unavailable} text={e.linkInvalid} kind="error" />, 400);
    const category = link.category as RaterCategory;
    const subject = await raterBallot(deps.db, { campaignId: link.campaignId, cadreId: link.cadreId, category, now: deps.clock.now() });
    if (subject.state !== 'ready') return stateMessage(c, tr, subject.state);
    return flow(c, subject, { campaignId: link.campaignId, raterId: `${link.cadreId}:${category}` }, `/ballot/${token}`, (answers) =>
      castBallot(deps.db, { campaignId: link.campaignId, raterCadreId: link.cadreId, category, answers, clock: deps.clock, sealKey }),
    );
  };
  app.get('/ballot/:token', fromLink);
  app.post('/ballot/:token', fromLink);

  // ---- a public rater with a code ----
  app.get('/vote', (c) => {
    const tr = et(c);
    const e = tr.evaluation.ballot;
    const code = c.req.query('code');
    if (code && normalizeCode(code)) return c.redirect(`/vote/${encodeURIComponent(normalizeCode(code))}`, 303);
    return page(
      c,
      tr,
      e.title,
      <form class="ballot-card code-entry" method="get" action="/vote">
        <h1>{e.title}</h1>
        <label class="field"><span>{e.enterCode}</span><input name="code" autocomplete="off" autocapitalize="characters" required maxlength={20} /></label>
        <button class="button primary block" type="submit">{e.start}</button>
      </form>,
    );
  });

  const fromCode = async (c: Context) => {
    const tr = et(c);
    const code = normalizeCode(decodeURIComponent(c.req.param('code') ?? ''));
    const subject = await publicBallot(deps.db, code, deps.clock.now());
    if (subject.state !== 'ready' || subject.campaignId == null) return stateMessage(c, tr, subject.state);
    const campaignId = subject.campaignId;
    return flow(c, subject, { campaignId, raterId: hashPublicCode(code) }, `/vote/${code}`, (answers) =>
      castBallot(deps.db, { campaignId, publicCode: code, answers, clock: deps.clock, sealKey }),
    );
  };
  app.get('/vote/:code', fromCode);
  app.post('/vote/:code', fromCode);
  return app;
}
