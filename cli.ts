/**
 * @module
 * Operator commands: `npm run cli -- <command>`. Each opens the database the same way the
 * server does (DATABASE_URL or embedded PostgreSQL under DATA_DIR), so run them while the
 * server is stopped when using the embedded database.
 */
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { seedDemo } from './core/demo.ts';

type Command = { summary: string; run(config: Config, database: Database, args: string[]): Promise<void> };

const commands: Record<string, Command> = {
  migrate: {
    summary: 'apply database migrations',
    async run(_config, database) {
      await runMigrations(database.db, database.sql);
      console.log('Migrations applied.');
    },
  },
  'seed-demo': {
    summary: 'seed the fictional demo district 青禾区 into an empty database',
    async run(_config, database) {
      await runMigrations(database.db, database.sql);
      const result = await seedDemo(database.db);
      console.log(
        result.seeded
          ? `Seeded ${result.units} units and ${result.cadres} cadres.`
          : 'The database already has units; nothing seeded (the demo only goes into an empty organization).',
      );
    },
  },
};

function usage(): string {
  return ['Usage: npm run cli -- <command>', '', ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`)].join('\n');
}

async function main(argv: string[]) {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(name ? `Unknown command "${name}".\n\n${usage()}` : usage());
    process.exit(name ? 2 : 0);
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  let database: Database | undefined;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: (m) => console.error(m) });
    await command.run(config, database, args);
  } catch (error) {
    console.error(`${name} failed: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    await database?.close();
  }
}

await main(process.argv.slice(2));
