/**
 * @module
 * Operator commands: `npm run cli -- <command>`. Each opens the configured database (the
 * embedded one by default), does one job and exits; a failure prints one clear line and exits 1.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { createLogger, redactError } from './core/logger.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { seedDemo } from './core/demo.ts';
import { createUser, seedDemoPanelUsers } from './core/users.ts';
import { units } from './db/schema/org.ts';
import { panelRole, type PanelRole } from './db/schema/users.ts';
import { DirectorySyncError } from './core/directory.ts';
import { directorySyncMessage } from './cli-text.ts';

import { syncDirectory } from './core/directory-sync.ts';
import { outboxFailures } from './core/outbox.ts';
import { createLarkApi, type LarkApi } from './bot/lark.ts';
import { createSandbox, demoDirectory, SANDBOX_APP_ID, SANDBOX_APP_SECRET } from './bot/sandbox/index.ts';

/** A mistake in how the command was called: printed with the usage, exit code 2. */
class UsageError extends Error {}

type Command = (ctx: { config: Config; database: Database; args: string[] }) => Promise<void>;

/** The Lark API the CLI talks to; in sandbox mode an in-process sandbox with the demo directory. */
function larkFor(config: Config): LarkApi {
  const log = createLogger({ level: config.logLevel });
  if (config.lark.mode === 'sandbox') {
    const sandbox = createSandbox();
    sandbox.state.setDirectory(demoDirectory());
    return createLarkApi({ appId: SANDBOX_APP_ID, appSecret: SANDBOX_APP_SECRET, domain: 'http://sandbox.local/sandbox', fetch: sandbox.fetch, log });
  }
  return createLarkApi({ appId: config.lark.appId!, appSecret: config.lark.appSecret!, domain: config.lark.domain, log });
}

const commands: Record<string, { summary: string; run: Command }> = {
  migrate: {
    summary: 'apply database migrations',
    run: async () => {
      process.stdout.write('数据库已是最新结构。\n');
    },
  },
  'seed-demo': {
    summary: 'seed the fictional demo district 青禾区 into an empty database',
    run: async ({ database }) => {
      const result = await seedDemo(database.db);
      await seedDemoPanelUsers(database.db);
      process.stdout.write(result.seeded ? `已导入演示数据：${result.units} 个单位，${result.cadres} 名干部。\n` : '数据库中已有单位，未导入演示数据。\n');
    },
  },
  'add-user': {
    summary: `--username u --name 名字 --role ${panelRole.enumValues.join('|')} [--unit 名称|id] [--password p] [--lark-open-id ou_…]`,
    run: async ({ database, args }) => {
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
      if (!values.username || !values.role) throw new UsageError('add-user 需要 --username 和 --role 参数。');
      if (!panelRole.enumValues.includes(values.role as PanelRole)) {
        throw new UsageError(`--role 必须是 ${panelRole.enumValues.join('、')} 之一。`);
      }
      let unitId: number | null = null;
      if (values.unit) {
        const byId = /^\d+$/.test(values.unit);
        const [unit] = await database.db
          .select({ id: units.id })
          .from(units)
          .where(byId ? eq(units.id, Number(values.unit)) : eq(units.name, values.unit));
        if (!unit) throw new UsageError(`没有名为“${values.unit}”的单位。`);
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
      if (!result.ok) throw new UsageError(Object.entries(result.errors).map(([k, v]) => `${k}: ${v}`).join('；'));
      process.stdout.write(
        result.password
          ? `已创建用户 ${result.user.username}（${result.user.role}）。初始密码（仅显示这一次）：${result.password}\n`
          : `已创建用户 ${result.user.username}（${result.user.role}）。\n`,
      );
    },
  },
  'outbox-failures': {
    summary: 'list Lark messages that could not be delivered (recipient unknown, bot not visible, bad card)',
    run: async ({ database }) => {
      const rows = await outboxFailures(database.db);
      if (rows.length === 0) {
        process.stdout.write('没有发送失败的消息。\n');
        return;
      }
      for (const r of rows) process.stdout.write(`${r.updatedAt.toISOString()}  ${r.purpose}  ${r.recipient}  尝试 ${r.attempts} 次  ${r.lastError ?? ''}\n`);
    },
  },
  'sync-directory': {
    summary: 'import departments and users from the Lark directory into units and cadres',
    run: async ({ config, database }) => {
      const report = await syncDirectory(database.db, larkFor(config), { actorId: null });
      process.stdout.write(
        [
          `飞书通讯录同步完成：读取 ${report.departments} 个部门、${report.users} 名成员。`,
          `  单位：新建 ${report.unitsCreated} 个，更新 ${report.unitsUpdated} 个。`,
          `  干部：关联 ${report.cadresLinked} 名，无变化 ${report.cadresUnchanged} 名。`,
          report.notInRoster.length > 0 ? `  ${report.notInRoster.length} 名成员不在干部名册中（请先导入名册）。` : '',
          report.conflicts.length > 0 ? `  ${report.conflicts.length} 名成员的飞书账号已关联到其他干部，未作改动，请人工核对。` : '',
        ]
          .filter(Boolean)
          .join('\n') + '\n',
      );
    },
  },
};

function usage(): string {
  return `Usage: npm run cli -- <command>\n\n${Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`)
    .join('\n')}\n`;
}

async function main(argv: string[]) {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(name ? `Unknown command "${name}".\n\n${usage()}` : usage());
    process.exit(name ? 1 : 0);
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: (m) => process.stderr.write(`${m}\n`) });
  try {
    await runMigrations(database.db, database.sql);
    await command.run({ config, database, args });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${usage()}`);
      process.exitCode = 2;
    } else if (error instanceof DirectorySyncError) {
      process.stderr.write(`${directorySyncMessage(error)}\n`);
      process.exitCode = 1;
    } else {
      // A failed query's message holds its parameters: printed without them.
      process.stderr.write(`${name} 失败：${(redactError(error) as Error).message}\n`);
      process.exitCode = 1;
    }
  } finally {
    await database.close();
  }
}

await main(process.argv.slice(2));
