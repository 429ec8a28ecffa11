/**
 * @module
 * The panel's own assets, served by Miaopu itself (intranets often have no internet): htmx and
 * ECharts from node_modules, our CSS, script and icon from web/static. Read once, cached by the
 * browser for an hour, revalidated by ETag.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);
const local = (name: string) => fileURLToPath(new URL(`./static/${name}`, import.meta.url));

const FILES: Record<string, { path: string; type: string }> = {
  'htmx.min.js': { path: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'echarts.min.js': { path: require.resolve('echarts/dist/echarts.min.js'), type: 'text/javascript; charset=utf-8' },
  'panel.css': { path: local('panel.css'), type: 'text/css; charset=utf-8' },
  'report.css': { path: local('report.css'), type: 'text/css; charset=utf-8' },
  'panel.js': { path: local('panel.js'), type: 'text/javascript; charset=utf-8' },
  'favicon.svg': { path: local('favicon.svg'), type: 'image/svg+xml' },
};

export function staticRoutes(): Hono {
  const app = new Hono();
  const cache = new Map<string, { body: Buffer; etag: string }>();
  app.get('/static/:name', (c) => {
    const name = c.req.param('name');
    const file = FILES[name];
    if (!file) return c.notFound();
    let entry = cache.get(name);
    if (!entry) {
      const body = readFileSync(file.path);
      entry = { body, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` };
      cache.set(name, entry);
    }
    c.header('ETag', entry.etag);
    c.header('Cache-Control', 'public, max-age=3600');
    if (c.req.header('If-None-Match') === entry.etag) return c.body(null, 304);
    c.header('Content-Type', file.type);
    return c.body(new Uint8Array(entry.body));
  });
  return app;
}
