/**
 * A fresh database per test file, cloned from the migrated template in milliseconds.
 * @example const t = await testDatabase(); ... await t.drop();
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connect, type Db } from '../../db/client.ts';
import { withDatabase } from './global-setup.ts';
import type postgres from 'postgres';

export interface TestDatabase {
  db: Db;
  sql: postgres.Sql;
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function testDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const name = `miaopu_t_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const admin = connect(adminUrl, { max: 1 });
  await admin.sql.unsafe(`create database ${name} template ${inject('templateDb')}`);
  await admin.sql.end();
  const url = withDatabase(adminUrl, name);
  const { db, sql } = connect(url, { max: 5 });
  return {
    db,
    sql,
    url,
    name,
    async drop() {
      await sql.end({ timeout: 2 });
      const cleanup = connect(adminUrl, { max: 1 });
      await cleanup.sql.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.sql.end();
    },
  };
}

/** The queue backends to run queue tests on: PostgreSQL always, Redis when REDIS_URL is set. */
export function queueBackends(): Array<{ name: 'postgres' | 'redis'; redisUrl?: string }> {
  const backends: Array<{ name: 'postgres' | 'redis'; redisUrl?: string }> = [{ name: 'postgres' }];
  if (process.env.REDIS_URL) backends.push({ name: 'redis', redisUrl: process.env.REDIS_URL });
  return backends;
}
