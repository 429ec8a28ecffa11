/**
 * @module
 * Background jobs for district admins: counts per queue, recent failures with their error, and
 * a retry. Uses only BullMQ's Queue API, so it works on both backends (Redis and PostgreSQL).
 */
import type { Hono } from 'hono';
import type { Queue } from 'bullmq';
import { audit } from '../../core/audit.ts';
import { recentBatches, undeliverable } from '../../core/outbox.ts';
import { QUEUE, type QueueName } from '../../jobs/queues.ts';
import { clientIp, t, type PanelContext, type PanelDeps, type PanelEnv } from '../context.ts';
import type { Dictionary } from '../i18n.ts';
import { renderFragment, renderPage } from '../render.tsx';
import { formatTime } from '../components/ui.tsx';
import { isDistrictAdmin } from '../../core/roles.ts';
import { panelApp } from '../panel-app.ts';
import { Form } from '../components/form.tsx';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
const FAILURES_PER_QUEUE = 20;

interface QueueView {
  name: string;
  counts: Record<(typeof STATES)[number], number>;
  failures: Array<{ id: string; name: string; error: string; attempts: number; failedAt: Date | null }>;
}

async function readQueue(name: string, queue: Queue): Promise<QueueView> {
  const [counts, failed] = await Promise.all([queue.getJobCounts(...STATES), queue.getFailed(0, FAILURES_PER_QUEUE - 1)]);
  return {
    name,
    counts: Object.fromEntries(STATES.map((s) => [s, counts[s] ?? 0])) as QueueView['counts'],
    failures: failed
      .filter((j) => j && j.id)
      .map((j) => ({ id: j.id!, name: j.name, error: j.failedReason ?? '', attempts: j.attemptsMade, failedAt: j.finishedOn ? new Date(j.finishedOn) : null })),
  };
}

type Undeliverable = Awaited<ReturnType<typeof undeliverable>>;
type Batches = Awaited<ReturnType<typeof recentBatches>>;

function BatchTable(props: { t: Dictionary; batches: Batches }) {
  const { t } = props;
  return (
    <div class="table-wrap">
      <table class="table" id="batches">
        <thead>
          <tr>
            <th>{t.jobs.createdAt}</th>
            <th>{t.jobs.purpose}</th>
            <th>{t.jobs.progress}</th>
            <th>{t.jobs.status}</th>
          </tr>
        </thead>
        <tbody>
          {props.batches.length === 0 && <tr><td colspan={4} class="empty">{t.jobs.noBatches}</td></tr>}
          {props.batches.map((b) => (
            <tr>
              <td class="mono">{formatTime(b.createdAt)}</td>
              <td class="mono">{b.purpose}</td>
              <td>
                <progress max={b.total} value={b.sentCount}>{t.jobs.batchProgress(b.sentCount, b.total)}</progress> {t.jobs.batchProgress(b.sentCount, b.total)}
                {b.invalid > 0 && <span class="muted"> · {t.jobs.batchInvalid(b.invalid)}</span>}
              </td>
              <td>
                {t.jobs.batchStatus[b.status] ?? b.status}
                {b.lastError && b.status === 'failed' && <div><code class="diff">{b.lastError}</code></div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function JobsSection(props: { t: Dictionary; views: QueueView[]; backend: string; undeliverable: Undeliverable; batches: Batches; notice?: string; error?: string }) {
  const { t, views } = props;
  const failures = views.flatMap((v) => v.failures.map((f) => ({ ...f, queue: v.name }))).sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0));
  return (
    <div id="jobs">
      {props.notice && <p class="alert alert-ok" role="status">{props.notice}</p>}
      {props.error && <p class="alert alert-error" role="alert">{props.error}</p>}
      <p class="muted">{t.jobs.backend(props.backend)}</p>
      <div class="table-wrap">
        <table class="table" id="queue-counts">
          <thead>
            <tr>
              <th>{t.jobs.queue}</th>
              {STATES.map((s) => <th class="num">{t.jobs[s]}</th>)}
            </tr>
          </thead>
          <tbody>
            {views.map((v) => (
              <tr>
                <td class="mono">{v.name}</td>
                {STATES.map((s) => <td class={`num${s === 'failed' && v.counts[s] > 0 ? ' failed-count' : ''}`}>{v.counts[s]}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2 class="section-title">{t.jobs.recentFailures}</h2>
      <div class="table-wrap">
        <table class="table" id="failures">
          <thead>
            <tr>
              <th>{t.jobs.failedAt}</th>
              <th>{t.jobs.queue}</th>
              <th>{t.jobs.name}</th>
              <th>{t.jobs.error}</th>
              <th class="num">{t.jobs.attempts}</th>
              <th>{t.common.actions}</th>
            </tr>
          </thead>
          <tbody>
            {failures.length === 0 && <tr><td colspan={6} class="empty">{t.jobs.noFailures}</td></tr>}
            {failures.map((f) => (
              <tr>
                <td class="mono">{f.failedAt ? formatTime(f.failedAt) : ''}</td>
                <td class="mono">{f.queue}</td>
                <td class="mono">{f.name}#{f.id}</td>
                <td class="wrap"><code class="diff">{f.error}</code></td>
                <td class="num">{f.attempts}</td>
                <td>
                  <Form class="inline-form" action={`/jobs/${f.queue}/${encodeURIComponent(f.id)}/retry`} target="#jobs">
                    <button type="submit" class="button small">{t.jobs.retry}</button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2 class="section-title">{t.jobs.undeliverable}</h2>
      <p class="muted">{t.jobs.undeliverableHint}</p>
      <div class="table-wrap">
        <table class="table" id="undeliverable">
          <thead>
            <tr>
              <th>{t.jobs.failedAt}</th>
              <th>{t.jobs.recipient}</th>
              <th>{t.jobs.purpose}</th>
              <th>{t.jobs.error}</th>
              <th class="num">{t.jobs.attempts}</th>
            </tr>
          </thead>
          <tbody>
            {props.undeliverable.length === 0 && <tr><td colspan={5} class="empty">{t.jobs.noUndeliverable}</td></tr>}
            {props.undeliverable.map((u) => (
              <tr>
                <td class="mono">{formatTime(u.updatedAt)}</td>
                <td>{u.cadreName ?? <span class="mono">{u.recipient}</span>}</td>
                <td class="mono">{u.purpose}</td>
                <td class="wrap"><code class="diff">{u.lastError ?? ''}</code></td>
                <td class="num">{u.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2 class="section-title">{t.jobs.batches}</h2>
      <p class="muted">{t.jobs.batchesHint}</p>
      <BatchTable t={t} batches={props.batches} />
    </div>
  );
}

export function jobsRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = panelApp(deps, { allow: isDistrictAdmin });
  const names: QueueName[] = [...new Set([...Object.values(QUEUE), ...(deps.featureQueues ?? [])])];
  let queues: Map<string, Queue> | undefined;
  // Queue handles are made on first use and closed with the kit.
  const handles = () => (queues ??= new Map(names.map((n) => [n, deps.queues!.queue(n)])));

  const respond = async (c: PanelContext, notice?: string, error?: string, status: 200 | 422 | 503 = 200) => {
    const dict = t(c);
    let section;
    if (!deps.queues) section = <p class="alert alert-error">{dict.jobs.unavailable}</p>;
    else {
      try {
        const [views, failedSends, batches] = await Promise.all([
          Promise.all([...handles()].map(([n, q]) => readQueue(n, q))),
          undeliverable(deps.db),
          recentBatches(deps.db),
        ]);
        section = <JobsSection t={dict} views={views} backend={deps.queues.backend} undeliverable={failedSends} batches={batches} notice={notice} error={error} />;
      } catch (err) {
        deps.log.error({ err }, 'reading the job queues failed');
        section = <p class="alert alert-error">{dict.jobs.unavailable}</p>;
        status = 503;
      }
    }
    if (c.req.header('HX-Request')) return renderFragment(c, section, status);
    return renderPage(c, deps, dict.jobs.title, <><div class="page-head"><h1>{dict.jobs.title}</h1></div>{section}</>, status);
  };

  app.get('/', (c) => respond(c));

  app.post('/:queue/:id/retry', async (c) => {
    const name = c.req.param('queue');
    const queue = deps.queues ? handles().get(name) : undefined;
    const job = queue ? await queue.getJob(c.req.param('id')) : undefined;
    if (!job || !(await job.isFailed())) return respond(c, undefined, t(c).common.notFound, 422);
    await job.retry('failed');
    await audit(deps.db, { actorId: c.var.user.id, action: 'retry', entity: 'job', entityId: `${name}/${job.id}`, ip: clientIp(c, deps.trustProxy) });
    return respond(c, t(c).jobs.retried);
  });
  return app;
}
