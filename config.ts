/**
 * @module
 * The one validated view of the environment. Everything else receives a `Config`; nothing
 * reads `process.env` directly, so a bad value stops the start here with its name.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}, e.g. ${example}` },
    );

const optionalUrl = (protocols: string[], example: string) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), url(protocols, example).optional());

/**
 * Which proxies' X-Forwarded-For entries to believe for the client's address (TRUST_PROXY):
 * `none`, the socket's address; `hops`, that many proxies stand in front of Miaopu, so the
 * client is the `hops`-th address from the right of X-Forwarded-For; `list`, every hop whose
 * address is in one of these ranges is a proxy, and the first one from the right that is not is
 * the client. See web/client-address.ts.
 */
export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'list'; ranges: readonly string[] };

const TRUST_PROXY_HELP =
  'must be the number of proxies in front of Miaopu (e.g. 1) or a comma-separated list of their addresses or CIDR ranges (e.g. 10.0.0.0/8,192.168.1.10)';

/** `10.0.0.7`, `10.0.0.0/8`, `2001:db8::/32`. */
function isAddressOrRange(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function parseTrustProxy(raw: string | undefined, ctx: z.RefinementCtx): TrustProxy {
  const value = raw?.trim() ?? '';
  if (value === '' || value === '0') return { kind: 'none' };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops <= 10) return { kind: 'hops', hops };
    ctx.addIssue({ code: 'custom', message: `${TRUST_PROXY_HELP}; ${value} proxies is more than any deployment has (at most 10)` });
    return z.NEVER;
  }
  const ranges = value.split(',').map((r) => r.trim()).filter((r) => r !== '');
  const bad = ranges.filter((r) => !isAddressOrRange(r));
  if (ranges.length === 0 || bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `${TRUST_PROXY_HELP}; not an address or range: ${bad.join(', ') || value}` });
    return z.NEVER;
  }
  return { kind: 'list', ranges };
}

const envSchema = z.object({
  PORT: z.coerce
    .number({ message: 'must be a whole number between 1 and 65535' })
    .int('must be a whole number between 1 and 65535')
    .min(1, 'must be a whole number between 1 and 65535')
    .max(65535, 'must be a whole number between 1 and 65535')
    .default(3000),
  HOST: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
    z
      .string()
      .refine((v) => isIP(v) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(v), {
        message: 'must be an address to listen on, such as 127.0.0.1, 0.0.0.0 or ::, or a host name',
      })
      .optional(),
  ),
  SANDBOX_ALLOW_NETWORK: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .optional()
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  ),
  PUBLIC_URL: optionalUrl(['http:', 'https:'], 'https://miaopu.example.gov.cn'),
  TRUST_PROXY: z.string().optional().transform(parseTrustProxy),
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('./data'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:'], 'postgres://miaopu@db.internal:5432/miaopu'),
  REDIS_URL: optionalUrl(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  ROLE: z.enum(['web', 'worker', 'all'], { message: 'must be one of web, worker, all' }).default('all'),
  LARK_MODE: z
    .enum(['webhook', 'websocket', 'sandbox'], { message: 'must be one of webhook, websocket, sandbox' })
    .optional(),
  LARK_APP_ID: optionalText,
  LARK_APP_SECRET: optionalText,
  LARK_ENCRYPT_KEY: optionalText,
  LARK_VERIFICATION_TOKEN: optionalText,
  LARK_DOMAIN: optionalUrl(['http:', 'https:'], 'https://open.feishu.cn'),
  ADMIN_PASSWORD: z.preprocess(
    (v) => (typeof v === 'string' && v === '' ? undefined : v),
    z.string().min(8, 'must be at least 8 characters').optional(),
  ),
  BALLOT_SEAL_SECRET: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().min(32, 'must be at least 32 characters (e.g. the output of `openssl rand -base64 48`)').optional(),
  ),
  TZ_NAME: z
    .string()
    .trim()
    .default('Asia/Shanghai')
    .refine(
      (tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be an IANA time zone such as Asia/Shanghai' },
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});

export type LarkMode = 'webhook' | 'websocket' | 'sandbox';

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^::ffff:/, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

export interface Config {
  port: number;
  /** HOST: the address the HTTP server listens on (sandbox: 127.0.0.1, otherwise 0.0.0.0). */
  host: string;
  /** SANDBOX_ALLOW_NETWORK: the sandbox may listen on an address other machines can reach. */
  sandboxAllowNetwork: boolean;
  publicUrl: string;
  /** TRUST_PROXY: where the client's address comes from behind a load balancer. */
  trustProxy: TrustProxy;
  dataDir: string;
  /** Unset means: start embedded PostgreSQL with its data under `dataDir`. */
  databaseUrl?: string;
  /** Unset means: BullMQ runs on PostgreSQL. */
  redisUrl?: string;
  role: 'web' | 'worker' | 'all';
  lark: {
    mode: LarkMode;
    appId?: string;
    appSecret?: string;
    encryptKey?: string;
    verificationToken?: string;
    domain: string;
  };
  adminPassword?: string;
  /**
   * Seals ballot drafts and signs ballot links. Unset only in sandbox mode, where main.ts makes a
   * random one per boot (drafts and links then do not survive a restart, which a demo can bear).
   */
  ballotSealSecret?: string;
  timeZone: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

/** A bad environment: each problem names its variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once.
 * @example const config = loadConfig(process.env)
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const mode: LarkMode = e.LARK_MODE ?? (e.LARK_APP_ID ? 'webhook' : 'sandbox');
  if (mode !== 'sandbox' && (!e.LARK_APP_ID || !e.LARK_APP_SECRET)) {
    problems.push(`LARK_APP_ID and LARK_APP_SECRET: both are required when LARK_MODE is ${mode}`);
  }
  if (e.LARK_APP_ID && !e.LARK_APP_SECRET) {
    problems.push('LARK_APP_SECRET: required when LARK_APP_ID is set');
  }
  const missingLarkKeys = [e.LARK_ENCRYPT_KEY ? null : 'LARK_ENCRYPT_KEY', e.LARK_VERIFICATION_TOKEN ? null : 'LARK_VERIFICATION_TOKEN'].filter((k) => k !== null);
  if (mode !== 'sandbox' && missingLarkKeys.length > 0) {
    // Without them /lark/events and /lark/card would accept unsigned events and card callbacks.
    // The receiver stays mounted in websocket mode, so that mode needs them as well.
    problems.push(
      `${missingLarkKeys.join(' and ')}: ${missingLarkKeys.length > 1 ? 'both are' : 'is'} required when LARK_MODE is ${mode}, so that only events and card callbacks signed by Lark are accepted (copy the Encrypt Key and Verification Token from the app's Events & Callbacks → Encryption Strategy page in the Lark developer console)`,
    );
  }
  if (e.ROLE !== 'all' && !e.DATABASE_URL) {
    problems.push(
      `ROLE: ${e.ROLE} runs as one of several processes, which must share an external database; set DATABASE_URL`,
    );
  }
  if (mode !== 'sandbox' && !e.BALLOT_SEAL_SECRET) {
    problems.push(`BALLOT_SEAL_SECRET: required when LARK_MODE is ${mode} (at least 32 characters, the same on every process), so ballot drafts and links stay valid across restarts`);
  } else if (e.ROLE !== 'all' && !e.BALLOT_SEAL_SECRET) {
    // A per-start key cannot be shared: links made by the worker would not open on the web process.
    problems.push(`BALLOT_SEAL_SECRET: required when ROLE is ${e.ROLE} (at least 32 characters, the same on every process)`);
  }
  const host = e.HOST ?? (mode === 'sandbox' ? '127.0.0.1' : '0.0.0.0');
  if (mode === 'sandbox' && !isLoopback(host) && !e.SANDBOX_ALLOW_NETWORK) {
    problems.push(
      `HOST: ${host} would make the Lark sandbox (its sign-in page and chat simulator) reachable from other machines; in sandbox mode Miaopu listens on 127.0.0.1 only. Unset HOST, or set SANDBOX_ALLOW_NETWORK=true as well if you mean it`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port: e.PORT,
    host,
    sandboxAllowNetwork: e.SANDBOX_ALLOW_NETWORK,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    trustProxy: e.TRUST_PROXY,
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    role: e.ROLE,
    lark: {
      mode,
      appId: e.LARK_APP_ID,
      appSecret: e.LARK_APP_SECRET,
      encryptKey: e.LARK_ENCRYPT_KEY,
      verificationToken: e.LARK_VERIFICATION_TOKEN,
      domain: (e.LARK_DOMAIN ?? 'https://open.feishu.cn').replace(/\/+$/, ''),
    },
    adminPassword: e.ADMIN_PASSWORD,
    ballotSealSecret: e.BALLOT_SEAL_SECRET,
    timeZone: e.TZ_NAME,
    logLevel: e.LOG_LEVEL,
  };
}
