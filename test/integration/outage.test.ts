/**
 * A database outage as people meet it: a page that says so in their language (503), not a bare
 * 500 fragment; /readyz that names the part without internals.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../db/client.ts';
import { buildPanel, ORIGIN } from '../helpers/panel.ts';

describe('while the database cannot be reached', () => {
  // A postgres.js client pointed at a closed port: every query fails with ECONNREFUSED.
  const dead = connect('postgres://miaopu:secret@127.0.0.1:1/miaopu', { max: 1 });
  const panel = buildPanel(dead.db);
  afterAll(() => dead.sql.end({ timeout: 1 }));
  const signedIn = { cookie: 'miaopu_session=some-session-token' };

  it('answers a page with a full 503 page in Chinese, and in English for English users', async () => {
    const zh = await panel.app.request('/cadres?q=王', { headers: signedIn });
    expect(zh.status).toBe(503);
    expect(zh.headers.get('retry-after')).toBe('30');
    const html = await zh.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('lang="zh-CN"');
    expect(html).toContain('服务暂时不可用');
    expect(html).toContain('苗圃暂时连接不上数据库');
    expect(html).toContain(`href="/cadres?q=${encodeURIComponent('王')}"`); // try again
    expect(html).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|secret|服务器内部错误/);

    const en = await panel.app.request('/', { headers: { cookie: `${signedIn.cookie}; lang=en` } });
    expect(en.status).toBe(503);
    const page = await en.text();
    expect(page).toContain('lang="en"');
    expect(page).toContain('Service temporarily unavailable');
    expect(page).toContain('Miaopu cannot reach its database right now');
  });

  it('answers htmx with a small 503 fragment in the user’s language', async () => {
    const res = await panel.app.request('/cadres?q=李', { headers: { ...signedIn, 'HX-Request': 'true', 'HX-Request-Type': 'partial' } });
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).not.toContain('<html');
    expect(html).toContain('苗圃暂时连接不上数据库');
    const en = await panel.app.request('/units', { method: 'POST', body: new URLSearchParams({ name: 'x' }), headers: { cookie: `${signedIn.cookie}; lang=en`, origin: ORIGIN, 'HX-Request': 'true' } });
    expect(en.status).toBe(503);
    expect(await en.text()).toContain('Miaopu cannot reach its database right now');
  });

  it('answers a sign-in with the 503 page, outside any panel section', async () => {
    const res = await panel.app.request('/login', { method: 'POST', body: new URLSearchParams({ username: 'zhang', password: 'correct-horse' }), headers: { origin: ORIGIN, 'x-forwarded-for': '10.7.0.1' } });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('服务暂时不可用');
    // Logged with the code only: no host, no password, no query.
    const lines = JSON.stringify(panel.log.lines);
    expect(lines).toContain('ECONNREFUSED');
    expect(lines).not.toContain('secret');
    expect(lines).not.toContain('correct-horse');
  });

  it('shows /readyz callers which part fails, not why', async () => {
    const res = await panel.app.request('/readyz');
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ status: 'unavailable', problems: ['database'], queueBackend: 'postgres', heartbeats: {} });
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|miaopu:|connect/);
  });
});
