/**
 * @module
 * Opens the database: the server at `DATABASE_URL`, or embedded PostgreSQL when it is unset.
 * The caller owns the result and closes it.
 */
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export type Db = PostgresJsDatabase<typeof schema>;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  /** The URL in use (for BullMQ's PostgreSQL backend); may carry a password: never log it. */
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** A URL with its password masked, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the configured address';
  }
}

export class DatabaseUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const reason = (cause as { code?: string; message?: string })?.code ?? (cause as Error)?.message ?? String(cause);
    super(`Cannot reach PostgreSQL at ${describeUrl(url)} (${reason}). Check DATABASE_URL and that the server runs.`);
    this.name = 'DatabaseUnreachableError';
  }
}

/** Drizzle over postgres.js, snake_case columns, with a bounded connect timeout. */
export function connect(url: string, options: { max?: number } = {}): { db: Db; sql: postgres.Sql } {
  const sql = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: 8,
    idle_timeout: 30,
    onnotice: () => {},
    connection: { application_name: 'miaopu' },
  });
  return { sql, db: drizzle(sql, { schema, casing: 'snake_case' }) };
}

/** Checks the server answers, so a wrong URL fails the start within seconds, not later. */
export async function probe(sql: postgres.Sql, url: string): Promise<void> {
  try {
    await sql`select 1`;
  } catch (error) {
    throw new DatabaseUnreachableError(url, error);
  }
}

export async function openDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  log: (message: string) => void;
}): Promise<Database> {
  if (options.databaseUrl) {
    const { db, sql } = connect(options.databaseUrl);
    try {
      await probe(sql, options.databaseUrl);
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
    return { db, sql, url: options.databaseUrl, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  const server = await startEmbeddedPostgres({ dataDir: options.dataDir, log: options.log });
  const { db, sql } = connect(server.url);
  try {
    await probe(sql, server.url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    db,
    sql,
    url: server.url,
    embedded: true,
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
    },
  };
}
