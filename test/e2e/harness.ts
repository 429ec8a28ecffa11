/**
 * Browser-test harness: the real app on a free port over a fresh test database, and the system
 * Chromium driven by playwright-core. Where no Chromium exists, `chromiumPath()` is undefined and
 * the suite says so loudly and skips on a developer's machine; under CI (`CI` set) a missing
 * Chromium is an error, so browser tests can never pass by not running.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { systemClock } from '../../core/clock.ts';
import { createApp } from '../../web/app.ts';
import type { PanelDeps } from '../../web/context.ts';
import type { Db } from '../../db/client.ts';
import { memoryLogger } from '../helpers/log.ts';
import { TEST_SEAL_KEY, testFeatureContext } from '../helpers/panel.ts';
import { FEATURES } from '../../features/index.ts';
import { assembleFeatures, panelPartsOf, SHELL_RESERVED } from '../../features/assemble.ts';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export function chromiumPath(): string | undefined {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return path;
  if (process.env.CI) throw new Error(`No Chromium at ${path}: CI must run the browser tests (install chromium or set CHROMIUM_PATH).`);
  console.warn(`\n\n!!!!!!!! BROWSER TESTS SKIPPED: no Chromium at ${path}. Install chromium or set CHROMIUM_PATH. !!!!!!!!\n\n`);
  return undefined;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS, headless: true });
}

/**
 * A page at a desktop or phone width whose script errors and console errors are collected in
 * `problems`; 4xx answers the tests provoke on purpose (wrong password, 422 forms, 404) are not
 * problems.
 */
export async function openPage(browser: Browser, problems: string[], width = 1280, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: width > 600 ? 900 : 844 }, locale: 'zh-CN', ...options });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return page;
}

export interface RunningPanel {
  url: string;
  close(): Promise<void>;
}

/** Starts the panel on port 0 (a free port) and returns its base URL. */
export async function startPanel(db: Db, extra: Partial<Omit<PanelDeps, 'db' | 'log'>> = {}): Promise<RunningPanel> {
  let handler: ((req: Request, env: unknown) => Response | Promise<Response>) | undefined;
  const server: ServerType = await new Promise((resolve) => {
    // The env carries the socket, which the panel reads the client address from.
    const s = serve({ fetch: (req, env) => handler!(req, env), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const log = memoryLogger();
  const features = assembleFeatures(FEATURES, testFeatureContext(db, log, { clock: extra.clock ?? systemClock, sealKey: extra.sealKey, timeZone: extra.timeZone, publicUrl: url }), SHELL_RESERVED);
  const app = createApp({
    db,
    log,
    pingQueue: async () => {},
    queueBackend: 'postgres',
    panel: { clock: systemClock, publicUrl: url, sandbox: true, lark: { domain: `${url}/sandbox` }, sealKey: TEST_SEAL_KEY, ...panelPartsOf(features), ...extra },
  });
  handler = (req, env) => app.fetch(req, env as never);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
