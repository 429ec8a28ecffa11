/**
 * @module
 * Operator commands: `npm run cli -- <command> [options]`.
 *   migrate                          apply database migrations
 *   seed-demo                        seed the fictional 青禾区 into an empty database
 *   add-user --username u --name 名字 --role unit_admin --unit 东山街道 [--password p] [--lark-open-id ou_…]
 * Uses the same configuration (DATABASE_URL, DATA_DIR) as the server.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { units } from './db/schema/org.ts';
import { panelRole, type PanelRole } from './db/schema/users.ts';
import { seedDemo } from './core/demo.ts';
import { createUser, seedDemoPanelUsers } from './core/users.ts';

const USAGE = `Usage: npm run cli -- <command>
  migrate      apply database migrations
  seed-demo    seed the demo district (only into an empty database)
  add-user     --username <u> --name <display name> --role <${panelRole.enumValues.join('|')}>
               [--unit <unit name or id>] [--password <at least 8 characters>] [--lark-open-id <ou_…>]`;

class UsageError extends Error {}

async function addUser(database: Database, args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      unit: { type: 'string' },
      password: { type: 'string' },
      'lark-open-id': { type: 'string' },
    },
  });
  if (!values.username || !values.role) throw new UsageError('add-user needs --username and --role');
  if (!panelRole.enumValues.includes(values.role as PanelRole)) throw new UsageError(`--role must be one of ${panelRole.enumValues.join(', ')}`);
  let unitId: number | null = null;
  if (values.unit) {
    const byId = /^\d+$/.test(values.unit);
    const [unit] = await database.db.select({ id: units.id }).from(units).where(byId ? eq(units.id, Number(values.unit)) : eq(units.name, values.unit));
    if (!unit) throw new UsageError(`no unit "${values.unit}"`);
    unitId = unit.id;
  }
  const result = await createUser(database.db, null, {
    username: values.username,
    displayName: values.name ?? values.username,
    role: values.role as PanelRole,
    unitId,
    password: values.password,
    larkOpenId: values['lark-open-id'] ?? null,
  });
  if (!result.ok) throw new UsageError(Object.entries(result.errors).map(([k, v]) => `${k}: ${v}`).join('; '));
  return result.password
    ? `Created ${result.user.username} (${result.user.role}). Password (shown once): ${result.password}`
    : `Created ${result.user.username} (${result.user.role}).`;
}

async function run(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') return USAGE;
  if (!['migrate', 'seed-demo', 'add-user'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  const config = loadConfig(process.env);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: (m) => process.stderr.write(`${m}\n`) });
  try {
    await runMigrations(database.db, database.sql);
    if (command === 'migrate') return 'Migrations applied.';
    if (command === 'seed-demo') {
      const r = await seedDemo(database.db);
      await seedDemoPanelUsers(database.db);
      return r.seeded ? `Seeded ${r.units} units and ${r.cadres} cadres.` : 'The database already has units; nothing seeded.';
    }
    return await addUser(database, rest);
  } finally {
    await database.close();
  }
}

try {
  process.stdout.write(`${await run(process.argv.slice(2))}\n`);
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`Failed: ${(error as Error).message}\n`);
  process.exit(1);
}
