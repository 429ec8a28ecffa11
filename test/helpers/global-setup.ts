/**
 * One PostgreSQL per test run: the server at TEST_DATABASE_URL, or an embedded one in a
 * temporary directory. A template database is migrated once; each test file clones it.
 */
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connect } from '../../db/client.ts';
import { startEmbeddedPostgres } from '../../db/embedded.ts';
import { runMigrations } from '../../db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
    runId: string;
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let tempDir: string | undefined;
  if (!adminUrl) {
    tempDir = await mkdtemp(join(tmpdir(), 'miaopu-test-'));
    await chmod(tempDir, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: tempDir, log: (m) => console.error(m) });
    adminUrl = server.url;
    stopEmbedded = server.stop;
  }
  const templateDb = `miaopu_tpl_${runId}`;
  const admin = connect(adminUrl, { max: 1 });
  await admin.sql.unsafe(`create database ${templateDb}`);
  const template = connect(withDatabase(adminUrl, templateDb), { max: 2 });
  await runMigrations(template.db, template.sql);
  await template.sql.end();

  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);
  project.provide('runId', runId);

  return async () => {
    const leftovers = await admin.sql<{ datname: string }[]>`
      select datname from pg_database where datname like ${`miaopu_%${runId}%`}`;
    for (const { datname } of leftovers) await admin.sql.unsafe(`drop database if exists ${datname} with (force)`);
    await admin.sql.end();
    if (stopEmbedded) await stopEmbedded();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
}
