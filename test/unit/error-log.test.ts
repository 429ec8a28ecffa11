import { describe, expect, it } from 'vitest';
import { limitedErrorLog, summarizeError } from '../../jobs/error-log.ts';
import { isDatabaseUnavailable } from '../../db/outage.ts';

function recorder() {
  const lines: Array<{ obj: Record<string, unknown>; msg?: string }> = [];
  return { lines, error: (obj: object | string, msg?: string) => lines.push({ obj: obj as Record<string, unknown>, msg }) };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6379'), { code: 'ECONNREFUSED', client: { password: 'secret', socket: {} } });

describe('the queue error log limit', () => {
  it('logs an error at once, then once a minute with how often it came, never the error object', () => {
    let now = 1_000_000;
    const log = recorder();
    const onError = limitedErrorLog(log, 'job queue error', { now: () => now });
    onError(refused());
    expect(log.lines).toEqual([{ obj: { err: { code: 'ECONNREFUSED', name: 'Error', message: 'connect ECONNREFUSED 10.0.0.5:6379' } }, msg: 'job queue error' }]);
    // A few hundred a minute, as every queue, worker and pool retries.
    for (let i = 0; i < 300; i++) {
      now += 150;
      onError(refused());
    }
    expect(log.lines).toHaveLength(1);
    now = 1_000_000 + 60_000;
    onError(refused());
    expect(log.lines).toHaveLength(2);
    expect(log.lines[1]!.obj).toMatchObject({ err: { code: 'ECONNREFUSED' }, occurrences: 301, sinceMs: 60_000 });
    expect(JSON.stringify(log.lines)).not.toContain('secret');
    expect(JSON.stringify(log.lines)).not.toContain('client');
  });

  it('counts each kind of error on its own', () => {
    let now = 0;
    const log = recorder();
    const onError = limitedErrorLog(log, 'job queue error', { now: () => now, intervalMs: 1000 });
    onError(refused());
    onError(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    onError(new Error('Connection terminated unexpectedly'));
    onError(new Error('Connection terminated unexpectedly'));
    expect(log.lines.map((l) => (l.obj.err as { code?: string; message: string }).code ?? (l.obj.err as { message: string }).message)).toEqual([
      'ECONNREFUSED',
      'ETIMEDOUT',
      'Connection terminated unexpectedly',
    ]);
    now = 1000;
    onError(new Error('Connection terminated unexpectedly'));
    expect(log.lines.at(-1)!.obj).toMatchObject({ occurrences: 2 });
  });

  it('summarizes anything thrown, with a bounded message', () => {
    expect(summarizeError('boom')).toEqual({ name: 'Error', message: 'boom' });
    expect(summarizeError(new Error('x'.repeat(1000))).message).toHaveLength(200);
  });
});

describe('telling a database outage from other failures', () => {
  it('recognizes connection errors, also wrapped', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P03', '08006', '08001', '53300']) {
      expect(isDatabaseUnavailable(Object.assign(new Error(code), { code })), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error('Failed query', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe(true);
  });

  it('leaves other errors alone', () => {
    for (const code of ['23505', '22P02', '42P01', '40001', undefined]) {
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), String(code)).toBe(false);
    }
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
