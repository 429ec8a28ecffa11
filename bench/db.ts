/**
 * @module
 * A throwaway database for one benchmark run: a fresh database on the server at
 * BENCH_DATABASE_URL (or DATABASE_URL), else an embedded PostgreSQL in a temporary directory.
 * Migrated and seeded with the demo district; dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Db } from '../db/client.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { runMigrations } from '../db/migrate.ts';
import { seedDemo } from '../core/demo.ts';
import type postgres from 'postgres';

export interface BenchDatabase {
  db: Db;
  sql: postgres.Sql;
  url: string;
  drop(): Promise<void>;
}

export async function benchDatabase(): Promise<BenchDatabase> {
  let adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (!adminUrl) {
    dir = await mkdtemp(join(tmpdir(), 'miaopu-bench-'));
    await chmod(dir, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: dir, log: () => {} });
    adminUrl = server.url;
    stopEmbedded = server.stop;
  }
  const name = `miaopu_bench_${randomBytes(4).toString('hex')}`;
  const admin = connect(adminUrl, { max: 1 });
  await admin.sql.unsafe(`create database ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const { db, sql } = connect(url, { max: 10 });
  await runMigrations(db, sql);
  await seedDemo(db);
  return {
    db,
    sql,
    url,
    async drop() {
      await sql.end({ timeout: 2 });
      await admin.sql.unsafe(`drop database if exists ${name} with (force)`);
      await admin.sql.end();
      if (stopEmbedded) await stopEmbedded();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
