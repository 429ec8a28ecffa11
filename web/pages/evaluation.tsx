/**
 * @module
 * Democratic evaluation (民主测评) in the panel: the campaign list, creating a campaign, and one
 * campaign's page where a district admin sets targets and raters, issues public codes, opens
 * and closes it, watches turnout and imports paper ballots. Unit admins see turnout for their
 * units; viewers read. Every change goes through core/evaluation, which audits it.
 */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import {
  auditTurnoutView,
  campaignInScope,
  campaignRaters,
  campaignsInScope,
  campaignTargets,
  codeCounts,
  findCadresByName,
  listCampaigns,
  listTemplates,
  turnoutByUnit,
  withinScope,
} from '../../core/evaluation/admin.ts';
import {
  closeCampaign,
  createCampaign,
  getCampaign,
  issuePublicCodes,
  openCampaign,
  proposeRaters,
  saveRaters,
  changeTargets,
  updateCampaign,
  type RaterAssignment,
} from '../../core/evaluation/campaigns.ts';
import { turnout } from '../../core/evaluation/ballots.ts';
import { EvaluationError } from '../../core/evaluation/errors.ts';
import { importPaperBallots } from '../../core/evaluation/paper.ts';
import { PAPER_MAX_BYTES, readPaperFile } from '../../core/evaluation/paper-file.ts';
import { TableError } from '../../core/table.ts';
import { campaignIssues } from '../../core/evaluation/campaigns.ts';
import { inScope } from '../../core/org/scope.ts';
import { unitOptions } from '../../core/org/units.ts';
import { raterCategory, type RaterCategory } from '../../db/schema/evaluation.ts';
import { requireRole } from '../auth.ts';
import { clientIp, missingKey, type PanelContext, type PanelDeps, type PanelEnv } from '../context.ts';
import { formId, idParam } from '../ids.ts';
import { errorText, et, issueText, type EvaluationDictionary } from './evaluation/text.ts';
import { renderFragment, renderPage } from '../render.tsx';
import { CampaignBody, Meter, StatusBadge, Turnout, type CampaignView, type Notice, type TurnoutView } from './evaluation/campaign.tsx';
import { CampaignForm, campaignValues, parseCampaignForm, toLocalInput, type FormValues } from './evaluation/form.tsx';
import { CodesSheet } from './evaluation/codes.tsx';
import { templateRoutes } from './evaluation/templates.tsx';
import { panelApp } from '../panel-app.ts';
import { canChaseTurnout, canManageCampaigns, canSeeProfiles } from '../../core/roles.ts';
import { redirect } from '../redirect.ts';

const MANAGERS = requireRole(canManageCampaigns);

export function evaluationRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = panelApp(deps, { allow: canSeeProfiles });
  const tz = deps.timeZone ?? 'Asia/Shanghai';
  // The ballot key: closing and paper imports open and seal the slips waiting for the box.
  const sealKey: Buffer = deps.sealKey ?? missingKey('evaluationRoutes');
  app.route('/templates', templateRoutes(deps));

  const windowOf = (opensAt: Date, closesAt: Date) => `${toLocalInput(opensAt, tz).replace('T', ' ')} – ${toLocalInput(closesAt, tz).replace('T', ' ')}`;

  // ---- the list ----
  app.get('/', async (c) => {
    const tr = et(c);
    const e = tr.evaluation;
    const scope = c.var.scope;
    // Like cadres: outside the district, only the campaigns that concern the person's units.
    const rows = withinScope(await listCampaigns(deps.db), await campaignsInScope(deps.db, scope), (r) => r.campaign.id);
    const canManage = canManageCampaigns(c.var.user);
    // Outside the district, turnout counts only the raters of the person's own units.
    if (scope.kind === 'units') {
      for (const r of rows) {
        const units = r.campaign.status === 'draft' ? [] : await turnoutByUnit(deps.db, r.campaign.id, scope);
        r.assigned = units.reduce((s, u) => s + u.assigned, 0);
        r.completed = units.reduce((s, u) => s + u.completed, 0);
      }
    }
    return renderPage(
      c,
      deps,
      e.title,
      <>
        <div class="page-head">
          <h1>{e.title}</h1>
          <div class="actions">
            <a class="button" href="/evaluation/templates">{e.templates}</a>
            {canManage && <a class="button primary" href="/evaluation/new">{e.newCampaign}</a>}
          </div>
        </div>
        {rows.length === 0 ? (
          <div class="card empty">{e.noCampaigns}</div>
        ) : (
          <div class="table-wrap">
            <table class="table" id="campaigns">
              <thead><tr><th>{e.name}</th><th>{e.kind}</th><th>{e.year}</th><th>{e.status}</th><th>{e.window}</th><th>{e.template}</th><th>{e.turnout}</th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <td><a href={`/evaluation/${r.campaign.id}`} class="campaign-link">{r.campaign.title}</a></td>
                    <td>{e.kindName[r.campaign.kind]}</td>
                    <td>{r.campaign.year}</td>
                    <td><StatusBadge t={tr} status={r.campaign.status} /></td>
                    <td>{windowOf(r.campaign.opensAt, r.campaign.closesAt)}</td>
                    <td>{e.templateVersion(r.templateName, r.templateVersion)}</td>
                    <td>{r.campaign.status === 'draft' ? <span class="muted">—</span> : <Meter done={r.completed} of={r.assigned} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>,
    );
  });

  // ---- creating ----
  const newPage = async (c: PanelContext, values: FormValues | null, issues?: string[]) => {
    const tr = et(c);
    const templates = await listTemplates(deps.db);
    const v = values ?? campaignValues(null, templates, deps.clock.now(), tz);
    const form = <CampaignForm t={tr} values={v} templates={templates} action="/evaluation" target="this" submit={tr.common.create} issues={issues} />;
    if (issues && c.req.header('HX-Request')) return renderFragment(c, form, 422);
    return renderPage(c, deps, tr.evaluation.newCampaign, <><div class="page-head"><h1>{tr.evaluation.newCampaign}</h1></div>{form}</>, issues ? 422 : 200);
  };
  app.get('/new', MANAGERS, (c) => newPage(c, null));
  app.post('/', MANAGERS, async (c) => {
    const parsed = parseCampaignForm(await c.req.parseBody(), et(c), tz);
    const issues = [...parsed.issues, ...(parsed.issues.length ? [] : campaignIssues(parsed.input).map((i) => issueText(et(c), i)))];
    if (issues.length) return newPage(c, parsed.values, issues);
    try {
      const campaign = await createCampaign(deps.db, parsed.input, c.var.user.id);
      return redirect(c, `/evaluation/${campaign.id}?created=1`);
    } catch (error) {
      if (error instanceof EvaluationError) return newPage(c, parsed.values, error.issues.map((i) => issueText(et(c), i)));
      throw error;
    }
  });

  // ---- one campaign ----
  /** The campaign, or a 404 when there is none or it is outside the reader's scope (the same answer). */
  const load = async (c: PanelContext, id: number) => {
    const notFound = () => new HTTPException(404, { message: et(c).evaluation.notFound });
    try {
      const campaign = await getCampaign(deps.db, id);
      if (!(await campaignInScope(deps.db, c.var.scope, campaign.id))) throw notFound();
      return campaign;
    } catch (error) {
      if (error instanceof EvaluationError) throw notFound();
      throw error;
    }
  };

  const turnoutView = async (c: PanelContext, id: number, open: boolean): Promise<TurnoutView> => {
    const scope = c.var.scope;
    const [categories, units] = await Promise.all([turnout(deps.db, id), turnoutByUnit(deps.db, id, scope)]);
    const showNames = canChaseTurnout(c.var.user);
    // Who has not voted (hence who has) is personal data: seeing the names is audited.
    if (showNames && units.length > 0) {
      const nonVoters = units.reduce((n, u) => n + u.pending.length, 0);
      await auditTurnoutView(deps.db, { actorId: c.var.user.id, campaignId: id, nonVoters, ip: clientIp(c, deps.trustProxy) });
    }
    return {
      campaignId: id,
      open,
      categories: categories.map((r) => ({ category: r.category, assigned: Number(r.assigned), completed: Number(r.completed) })),
      units,
      showOverall: scope.kind === 'all',
      showNames,
    };
  };

  const respond = async (c: PanelContext, id: number, options: { notice?: Notice; values?: FormValues; formIssues?: string[]; category?: RaterCategory; status?: 200 | 413 | 422 } = {}) => {
    const tr = et(c);
    const campaign = await load(c, id);
    const queryCategory = c.req.query('category');
    const category = options.category ?? ((raterCategory.enumValues as readonly string[]).includes(queryCategory ?? '') ? (queryCategory as RaterCategory) : 'peer');
    const [rows, templates, targets, raters, units, codes] = await Promise.all([
      listCampaigns(deps.db),
      listTemplates(deps.db),
      campaignTargets(deps.db, id).then((people) => people.filter((p) => inScope(c.var.scope, p.unitId))),
      campaignRaters(deps.db, id).then((people) => people.filter((p) => inScope(c.var.scope, p.unitId))),
      unitOptions(deps.db, { kind: 'all' }),
      codeCounts(deps.db, id),
    ]);
    const view: CampaignView = {
      campaign,
      row: rows.find((r) => r.campaign.id === id)!,
      templates,
      targets,
      raters,
      raterCounts: countBy(raters.map((r) => r.category)),
      units,
      codes,
      category,
      values: options.values ?? campaignValues(campaign, templates, deps.clock.now(), tz),
      formIssues: options.formIssues,
      canManage: canManageCampaigns(c.var.user),
      window: windowOf(campaign.opensAt, campaign.closesAt),
    };
    const turnoutPart = campaign.status === 'draft' ? null : await turnoutView(c, id, campaign.status === 'open');
    const notice = options.notice ?? (c.req.query('created') ? { kind: 'ok' as const, text: tr.evaluation.created } : undefined);
    const body = <CampaignBody t={tr} v={view} turnout={turnoutPart} notice={notice} />;
    const status = options.status ?? 200;
    if (c.req.header('HX-Request')) return renderFragment(c, body, status);
    return renderPage(c, deps, campaign.title, body, status);
  };

  /** Runs a change; an EvaluationError comes back as a 422 with its Chinese message. */
  const act = async (c: PanelContext, change: (id: number, tr: EvaluationDictionary) => Promise<Notice | undefined>) => {
    const id = idParam(c);
    await load(c, id);
    try {
      const notice = await change(id, et(c));
      return respond(c, id, { notice, status: notice?.kind === 'error' ? 422 : 200 });
    } catch (error) {
      if (error instanceof EvaluationError) return respond(c, id, { notice: { kind: 'error', text: errorText(et(c), error), issues: error.issues.map((i) => issueText(et(c), i)) }, status: 422 });
      throw error;
    }
  };

  app.get('/:id{[0-9]+}', (c) => respond(c, idParam(c)));

  app.get('/:id{[0-9]+}/turnout', async (c) => {
    const id = idParam(c);
    const campaign = await load(c, id);
    return renderFragment(c, <Turnout t={et(c)} v={await turnoutView(c, id, campaign.status === 'open')} />);
  });

  app.post('/:id{[0-9]+}', MANAGERS, async (c) => {
    const id = idParam(c);
    await load(c, id);
    const parsed = parseCampaignForm(await c.req.parseBody(), et(c), tz);
    const issues = [...parsed.issues, ...(parsed.issues.length ? [] : campaignIssues(parsed.input).map((i) => issueText(et(c), i)))];
    if (issues.length) return respond(c, id, { values: parsed.values, formIssues: issues, status: 422 });
    try {
      await updateCampaign(deps.db, id, parsed.input, c.var.user.id);
    } catch (error) {
      if (error instanceof EvaluationError) return respond(c, id, { values: parsed.values, formIssues: error.issues.map((i) => issueText(et(c), i)), status: 422 });
      throw error;
    }
    return respond(c, id, { notice: { kind: 'ok', text: et(c).common.saved } });
  });

  app.post('/:id{[0-9]+}/targets', MANAGERS, (c) =>
    act(c, async (id, tr) => {
      const unitIds = (await c.req.parseBody({ all: true }))['unitId'];
      const picked = [unitIds].flat().filter((u) => u !== undefined).map((u) => formId(c, u, tr.evaluation.unit));
      const n = await changeTargets(deps.db, id, { units: picked }, c.var.user.id);
      return { kind: 'ok', text: tr.evaluation.targetCount(n) };
    }),
  );

  const cadreFrom = async (q: string, tr: EvaluationDictionary) => {
    const found = await findCadresByName(deps.db, q);
    if (found.length === 0) throw new EvaluationError('cadre_not_found', tr.evaluation.cadreNotFound(q.trim()));
    if (found.length > 1) throw new EvaluationError('cadre_ambiguous', tr.evaluation.cadreAmbiguous(q.trim()));
    return found[0]!;
  };

  /** Drops removed targets from rater assignments (and assignments left with none). */


  app.post('/:id{[0-9]+}/targets/add', MANAGERS, (c) =>
    act(c, async (id, tr) => {
      const body = await c.req.parseBody();
      const cadre = await cadreFrom(String(body.q ?? ''), tr);
      const n = await changeTargets(deps.db, id, { add: cadre.id }, c.var.user.id);
      return { kind: 'ok', text: tr.evaluation.targetCount(n) };
    }),
  );

  app.post('/:id{[0-9]+}/targets/remove', MANAGERS, (c) =>
    act(c, async (id, tr) => {
      const cadreId = formId(c, (await c.req.parseBody()).cadreId, tr.evaluation.targets);
      const n = await changeTargets(deps.db, id, { remove: cadreId }, c.var.user.id);
      return { kind: 'ok', text: tr.evaluation.targetCount(n) };
    }),
  );

  app.post('/:id{[0-9]+}/raters/propose', MANAGERS, (c) =>
    act(c, async (id, tr) => {
      const proposal = await proposeRaters(deps.db, id);
      const n = await saveRaters(deps.db, id, proposal, c.var.user.id);
      return { kind: 'ok', text: tr.evaluation.proposed(n) };
    }),
  );

  const currentAssignments = async (id: number): Promise<RaterAssignment[]> =>
    (await campaignRaters(deps.db, id)).map((r) => ({ cadreId: r.id, category: r.category, targetIds: r.targetIds }));

  app.post('/:id{[0-9]+}/raters/add', MANAGERS, (c) =>
    act(c, async (id, tr) => {
      const body = await c.req.parseBody();
      const category = String(body.category) as RaterCategory;
      if (!(raterCategory.enumValues as readonly string[]).includes(category) || category === 'public') {
        throw new EvaluationError('invalid_raters', '评价类别须为上级、同级或下级');
      }
      const cadre = await cadreFrom(String(body.q ?? ''), tr);
      const unitId = formId(c, body.unitId, tr.evaluation.ratesUnit, { optional: true });
      const targetIds = (await campaignTargets(deps.db, id)).filter((p) => unitId == null || p.unitId === unitId).map((p) => p.id).filter((x) => x !== cadre.id);
      const others = (await currentAssignments(id)).filter((a) => !(a.cadreId === cadre.id && a.category === category));
      await saveRaters(deps.db, id, [...others, { cadreId: cadre.id, category, targetIds }], c.var.user.id);
      return { kind: 'ok', text: tr.common.saved };
    }),
  );

  app.post('/:id{[0-9]+}/raters/remove', MANAGERS, (c) =>
    act(c, async (id, tr) => {
      const body = await c.req.parseBody();
      const cadreId = formId(c, body.cadreId, tr.evaluation.raters);
      const category = String(body.category);
      const kept = (await currentAssignments(id)).filter((a) => !(a.cadreId === cadreId && a.category === category));
      await saveRaters(deps.db, id, kept, c.var.user.id);
      return { kind: 'ok', text: tr.common.saved };
    }),
  );

  app.post('/:id{[0-9]+}/open', MANAGERS, (c) =>
    act(c, async (id, tr) => {
      await openCampaign(deps.db, id, deps.clock, c.var.user.id);
      if (deps.onCampaignOpened) {
        // The campaign is open either way; a failed hand-off is logged, and the chat side's own sweep retries.
        await deps.onCampaignOpened(id).catch((err: unknown) => deps.log.error({ err, campaignId: id }, 'evaluation: queuing invitations failed'));
      }
      return { kind: 'ok', text: tr.evaluation.opened };
    }),
  );

  app.post('/:id{[0-9]+}/close', MANAGERS, (c) =>
    act(c, async (id, tr) => {
      await closeCampaign(deps.db, id, deps.clock, c.var.user.id, sealKey);
      return { kind: 'ok', text: tr.evaluation.closed };
    }),
  );

  // The file is read in a worker with caps (core/evaluation/paper-file.ts); the body limit
  // leaves room for the multipart envelope.
  const paperTooLarge = bodyLimit({
    maxSize: PAPER_MAX_BYTES + 64 * 1024,
    onError: (c) => respond(c as PanelContext, Number(c.req.param('id')), { notice: { kind: 'error', text: et(c).upload.tooLarge(PAPER_MAX_BYTES / 1024 / 1024) }, status: 413 }),
  });
  const paperProblem = (tr: EvaluationDictionary, error: TableError) =>
    error.code === 'too_large'
      ? tr.upload.tooLarge(PAPER_MAX_BYTES / 1024 / 1024)
      : error.code === 'too_many_rows'
        ? tr.upload.tooManyRows(error.limit ?? 0)
        : error.code === 'too_many_columns'
          ? tr.upload.tooManyColumns(error.limit ?? 0)
          : tr.upload.unreadable;

  app.post('/:id{[0-9]+}/paper', MANAGERS, paperTooLarge, (c) =>
    act(c, async (id, tr) => {
      const body = await c.req.parseBody();
      const file = body.file;
      if (!(file instanceof File) || file.size === 0) return { kind: 'error', text: tr.evaluation.noFile };
      let content: string;
      try {
        content = await readPaperFile(new Uint8Array(await file.arrayBuffer()));
      } catch (error) {
        if (!(error instanceof TableError)) throw error;
        if (error.reason) deps.log.warn({ reason: error.reason, bytes: file.size }, 'paper ballots: file could not be read');
        return { kind: 'error', text: paperProblem(tr, error) };
      }
      const voters = typeof body.voters === 'string' ? body.voters : '';
      const result = await importPaperBallots(deps.db, { campaignId: id, fileName: file.name, content, voters, clock: deps.clock, tz, actorId: c.var.user.id, sealKey });
      return { kind: 'ok', text: tr.evaluation.imported(result.ballots, result.slips, result.voters) };
    }),
  );

  app.post('/:id{[0-9]+}/codes', MANAGERS, async (c) => {
    const id = idParam(c);
    const campaign = await load(c, id);
    const body = await c.req.parseBody();
    const count = Number(body.count);
    const unitId = formId(c, body.unitId, et(c).evaluation.codeUnit, { optional: true });
    let codes: string[];
    try {
      codes = await issuePublicCodes(deps.db, id, { count, unitId }, c.var.user.id);
    } catch (error) {
      if (error instanceof EvaluationError) return respond(c, id, { notice: { kind: 'error', text: errorText(et(c), error) }, status: 422 });
      throw error;
    }
    // The codes exist only in this answer: never cache it.
    c.header('Cache-Control', 'no-store');
    return c.html(`<!doctype html>${await CodesSheet({ t: et(c), title: campaign.title, codes, publicUrl: deps.publicUrl })}`);
  });

  return app;
}

function countBy<K extends string>(keys: K[]): Partial<Record<K, number>> {
  const counts: Partial<Record<K, number>> = {};
  for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
}
