/**
 * @module
 * Evaluation results in the panel: the campaign table, one cadre, one unit, the printable
 * reports, the .xlsx export, the alert rules, and the comparison over years. Everything reads
 * through the user's scope (another unit's cadre is a 404); every view of a cadre's results and
 * every export is audited; partners are refused and viewers only read. Until a campaign
 * closes, every one of these answers 409 "sealed until the campaign closes", for every role.
 *
 * Routes carry their full paths and their own guards, so this app can sit beside the campaign
 * admin pages under /evaluation without sharing their middleware.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { audit } from '../../../../core/audit.ts';
import {
  comparisonReport,
  filterTargets,
  parseResultFilters,
  resultsReport,
  setAlertRules,
  targetsNeedingReview,
  type ResultsReport,
} from '../../../../core/evaluation/report.ts';
import { cadreSeries, targetComments } from '../../../../core/evaluation/results.ts';
import { campaignInScope } from '../../../../core/evaluation/admin.ts';
import { EvaluationError } from '../../../../core/evaluation/errors.ts';
import type { EvaluationKind } from '../../../../db/schema/evaluation.ts';
import { requireRole, requireUser } from '../../../auth.ts';
import { clientIp, isPartial, langOf, type PanelContext, type PanelDeps, type PanelEnv, type ReviewSource } from '../../../context.ts';
import { idParam } from '../../../ids.ts';
import { errorPage, renderFragment, renderPage } from '../../../render.tsx';
import { CadreResults, type ChartSlot, type CadreResultsData } from './cadre.tsx';
import { ComparePage, KINDS } from './compare.tsx';
import { resultsWorkbook } from './export.ts';
import { Chart } from './parts.tsx';
import { PrintDocument, svgChart } from './print.tsx';
import { filterParams, ResultsPage, ResultsTable } from './table.tsx';
import { UnitResults } from './unit.tsx';
import { canManageCampaigns, canSeeProfiles } from '../../../../core/roles.ts';
import { xlsxResponse } from '../../../download.ts';
import { redirect } from '../../../redirect.ts';
import { et, evaluationDictionary } from '../text.ts';

const pageChart: ChartSlot = (option, label, id) => <Chart option={option} label={label} id={id} />;

/** A campaign's results asked for before it closed (core's EvaluationError 'results_sealed'). */
class ResultsSealed extends Error {
  constructor(readonly campaignId: number) {
    super('results sealed');
  }
}

/** 409 for every results page, fragment, export and print of a campaign still open. */
function sealedAnswer(c: PanelContext, deps: PanelDeps, campaignId: number) {
  const dict = et(c);
  c.header('Cache-Control', 'no-store');
  const notice = (
    <div class="alert alert-info" role="status" id="results-sealed">
      <strong>{dict.results.sealed}</strong>
      <p>{dict.results.sealedDetail}</p>
    </div>
  );
  if (c.req.header('HX-Request')) return renderFragment(c, <div id="results-inner">{notice}</div>, 409);
  return renderPage(
    c,
    deps,
    dict.results.sealed,
    <>
      <div class="page-head">
        <h1>{dict.results.title}</h1>
        <div class="actions"><a class="button" href={`/evaluation/${campaignId}`}>{dict.results.toTurnout}</a></div>
      </div>
      {notice}
    </>,
    409,
  );
}

/** A path id; anything else is the results' 404. */
const idOf = (c: PanelContext, name: string): number => idParam(c, name, et(c).results.notFound);

export function resultsRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = new Hono<PanelEnv>();
  const onError = errorPage(deps);
  app.onError((error, c) => (error instanceof ResultsSealed ? sealedAnswer(c, deps, error.campaignId) : onError(error, c)));
  const read = [requireUser(deps), requireRole(canSeeProfiles)] as const;
  const notFound = (c: PanelContext) => new HTTPException(404, { message: et(c).results.notFound });
  const ip = (c: PanelContext) => clientIp(c, deps.trustProxy);

  async function report(c: PanelContext): Promise<ResultsReport> {
    const id = idOf(c, 'id');
    // Another unit's campaign reads as absent: its title and figures are not theirs to see.
    if (!(await campaignInScope(deps.db, c.var.scope, id, 'targets'))) throw notFound(c);
    try {
      return await resultsReport(deps.db, id, c.var.scope);
    } catch (e) {
      if (e instanceof EvaluationError && e.code === 'campaign_not_found') throw notFound(c);
      if (e instanceof EvaluationError && e.code === 'results_sealed') throw new ResultsSealed(id);
      throw e;
    }
  }

  async function cadreData(c: PanelContext): Promise<CadreResultsData> {
    const r = await report(c);
    const cadreId = idOf(c, 'cadreId');
    const target = r.targets.find((x) => x.cadreId === cadreId);
    if (!target) throw notFound(c);
    const [series, comments] = await Promise.all([cadreSeries(deps.db, cadreId, r.campaign.kind), targetComments(deps.db, r.campaign.id, cadreId)]);
    return { report: r, target, series, comments };
  }

  async function unitData(c: PanelContext) {
    const r = await report(c);
    const unitId = idOf(c, 'unitId');
    const unit = r.units.find((u) => u.id === unitId);
    if (!unit) throw notFound(c);
    return { report: r, unit, rows: r.targets.filter((x) => x.unitId === unitId) };
  }

  app.get('/evaluation/:id{[0-9]+}/results', ...read, async (c) => {
    const dict = et(c);
    const r = await report(c);
    const f = parseResultFilters(c.req.query());
    const rows = filterTargets(r.targets, f);
    await audit(deps.db, { actorId: c.var.user.id, action: 'view', entity: 'evaluation_results', entityId: r.campaign.id, diff: { filters: filterParams(f), rows: rows.length }, ip: ip(c) });
    if (isPartial(c)) return renderFragment(c, <ResultsTable t={dict} report={r} rows={rows} f={f} oob />);
    return renderPage(
      c,
      deps,
      `${r.campaign.title} · ${dict.results.title}`,
      <ResultsPage t={dict} report={r} rows={rows} f={f} canEditRules={canManageCampaigns(c.var.user)} rulesSaved={c.req.query('saved') === '1'} />,
    );
  });

  app.get('/evaluation/:id{[0-9]+}/results/export.xlsx', ...read, async (c) => {
    const r = await report(c);
    const f = parseResultFilters(c.req.query());
    const rows = filterTargets(r.targets, f);
    const now = deps.clock.now();
    const body = await resultsWorkbook(et(c), r, rows, now);
    await audit(deps.db, { actorId: c.var.user.id, action: 'export', entity: 'evaluation_results', entityId: r.campaign.id, diff: { filters: filterParams(f), rows: rows.length, cadreIds: rows.map((x) => x.cadreId) }, ip: ip(c) });
    const stamp = now.toISOString().slice(0, 10);
    return xlsxResponse(c, { name: `测评结果-${r.campaign.title}-${stamp}.xlsx`, fallback: `evaluation-${r.campaign.id}-${stamp}.xlsx` }, body);
  });

  app.post('/evaluation/:id{[0-9]+}/results/rules', requireUser(deps), requireRole(canManageCampaigns), async (c) => {
    const dict = et(c);
    const r = await report(c);
    const body = await c.req.parseBody();
    const share = (k: string) => {
      const text = typeof body[k] === 'string' ? (body[k] as string).trim().replace(/%$/, '') : '';
      const n = text === '' ? Number.NaN : Number(text);
      return Number.isFinite(n) && n >= 0 && n <= 100 ? n / 100 : null;
    };
    const min = share('minExcellent');
    const max = share('maxIncompetent');
    if (min == null || max == null) {
      const f = parseResultFilters({});
      return renderPage(c, deps, `${r.campaign.title} · ${dict.results.title}`, <ResultsPage t={dict} report={r} rows={filterTargets(r.targets, f)} f={f} canEditRules rulesError={dict.results.rulesInvalid} />, 422);
    }
    await setAlertRules(deps.db, r.campaign.id, { minExcellentCompetentShare: min, maxIncompetentShare: max }, c.var.user.id);
    return redirect(c, `/evaluation/${r.campaign.id}/results?saved=1#alert-rules`);
  });

  app.get('/evaluation/:id{[0-9]+}/results/unit/:unitId{[0-9]+}', ...read, async (c) => {
    const dict = et(c);
    const { report: r, unit, rows } = await unitData(c);
    await audit(deps.db, { actorId: c.var.user.id, action: 'view', entity: 'evaluation_unit_results', entityId: `${r.campaign.id}:${unit.id}`, ip: ip(c) });
    const base = `/evaluation/${r.campaign.id}/results`;
    return renderPage(
      c,
      deps,
      dict.results.unitTitle(unit.name),
      <>
        <div class="page-head">
          <div>
            <h1>{dict.results.unitTitle(unit.name)}</h1>
            <div class="muted">{r.campaign.title}</div>
          </div>
          <div class="actions">
            <a class="button" href={`${base}?unit=${unit.id}`}>{dict.results.backToResults}</a>
            <a class="button" href={`${base}/export.xlsx?unit=${unit.id}`} download>{dict.results.export}</a>
            <a class="button primary" href={`${base}/unit/${unit.id}/print`} target="_blank">{dict.results.printReport}</a>
          </div>
        </div>
        <UnitResults t={dict} report={r} unitId={unit.id} rows={rows} chart={pageChart} linkBase={base} />
      </>,
    );
  });

  app.get('/evaluation/:id{[0-9]+}/results/unit/:unitId{[0-9]+}/print', ...read, async (c) => {
    const dict = et(c);
    const { report: r, unit, rows } = await unitData(c);
    await audit(deps.db, { actorId: c.var.user.id, action: 'export', entity: 'evaluation_unit_results', entityId: `${r.campaign.id}:${unit.id}`, diff: { format: 'print', cadreIds: rows.map((x) => x.cadreId) }, ip: ip(c) });
    const doc = (
      <PrintDocument t={dict} lang={langOf(c)} title={dict.results.unitTitle(unit.name)} subtitle={`${r.campaign.title} · ${r.campaign.year}`} now={deps.clock.now()}>
        <UnitResults t={dict} report={r} unitId={unit.id} rows={rows} chart={svgChart} />
      </PrintDocument>
    );
    return c.html(`<!doctype html>${doc}`);
  });

  app.get('/evaluation/:id{[0-9]+}/results/:cadreId{[0-9]+}', ...read, async (c) => {
    const dict = et(c);
    const data = await cadreData(c);
    const { report: r, target } = data;
    await audit(deps.db, { actorId: c.var.user.id, action: 'view', entity: 'evaluation_result', entityId: `${r.campaign.id}:${target.cadreId}`, ip: ip(c) });
    const base = `/evaluation/${r.campaign.id}/results`;
    return renderPage(
      c,
      deps,
      `${target.name} · ${dict.results.title}`,
      <>
        <div class="page-head">
          <div>
            <h1 id="target-name">{target.name}</h1>
            <div class="muted">
              <a href={`/cadres/${target.cadreId}`}>{target.unitName} · {target.position}</a> · {r.campaign.title}
            </div>
          </div>
          <div class="actions">
            <a class="button" href={base}>{dict.results.backToResults}</a>
            <a class="button" href={`${base}/unit/${target.unitId}`}>{target.unitName}</a>
            <a class="button primary" href={`${base}/${target.cadreId}/print`} target="_blank">{dict.results.printReport}</a>
          </div>
        </div>
        <CadreResults t={dict} data={data} chart={pageChart} />
      </>,
    );
  });

  app.get('/evaluation/:id{[0-9]+}/results/:cadreId{[0-9]+}/print', ...read, async (c) => {
    const dict = et(c);
    const data = await cadreData(c);
    const { report: r, target } = data;
    await audit(deps.db, { actorId: c.var.user.id, action: 'export', entity: 'evaluation_result', entityId: `${r.campaign.id}:${target.cadreId}`, diff: { format: 'print' }, ip: ip(c) });
    const doc = (
      <PrintDocument t={dict} lang={langOf(c)} title={`${target.name} · ${dict.results.title}`} subtitle={`${target.unitName} · ${target.position} · ${r.campaign.title}`} now={deps.clock.now()}>
        <CadreResults t={dict} data={data} chart={svgChart} />
      </PrintDocument>
    );
    return c.html(`<!doctype html>${doc}`);
  });

  app.get('/evaluation/compare', ...read, async (c) => {
    const dict = et(c);
    const kind = (KINDS as readonly string[]).includes(c.req.query('kind') ?? '') ? (c.req.query('kind') as EvaluationKind) : 'annual';
    const data = await comparisonReport(deps.db, kind, c.var.scope);
    await audit(deps.db, { actorId: c.var.user.id, action: 'view', entity: 'evaluation_comparison', entityId: kind, diff: { rows: data.rows.length }, ip: ip(c) });
    return renderPage(c, deps, dict.results.compareTitle, <ComparePage t={dict} kind={kind} rows={data.rows} people={data.people} campaigns={data.campaigns} />);
  });

  return app;
}

/**
 * The dashboard's "needs review" entries: targets with alerts or flags in the latest closed
 * campaigns, within the viewer's scope, with the figures behind them.
 * @example panel deps: { review: [resultsReview(db)] }
 */
export function resultsReview(db: PanelDeps['db']): ReviewSource {
  return async ({ user, scope, lang }) => {
    if (!canSeeProfiles(user)) return [];
    const r = evaluationDictionary(lang ?? 'zh').results;
    const entries = await targetsNeedingReview(db, scope);
    return entries.map((e) => ({
      title: r.reviewTitle(e.campaignTitle, e.name, e.unitName),
      href: `/evaluation/${e.campaignId}/results/${e.cadreId}`,
      detail: [...e.alerts.map(r.alertText), ...e.flags.map(r.flagText)].join(r.reasonsJoin),
    }));
  };
}
