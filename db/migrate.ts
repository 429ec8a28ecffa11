/**
 * @module
 * Applies the committed migrations. An advisory lock serialises processes that start at the
 * same moment (web and worker, or two replicas), so each migration runs exactly once.
 */
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type postgres from 'postgres';
import type { Db } from './client.ts';

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** "MIAO" as an integer: the key of the migration lock. */
const MIGRATION_LOCK = 0x4d49414f;

export async function runMigrations(db: Db, sql: postgres.Sql): Promise<void> {
  const session = await sql.reserve();
  try {
    await session`select pg_advisory_lock(${MIGRATION_LOCK})`;
    try {
      await migrate(db, { migrationsFolder });
    } finally {
      await session`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    }
  } finally {
    session.release();
  }
}
