import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopback, loadConfig } from '../../config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

const SEAL = 'a-ballot-seal-secret-of-forty-characters!';
/** What a real Lark app needs outside the sandbox. */
const LARK = { LARK_APP_ID: 'cli_a1b2c3d4e5f6a7b8', LARK_APP_SECRET: 'secret', LARK_ENCRYPT_KEY: 'encrypt-key', LARK_VERIFICATION_TOKEN: 'verification-token' };

describe('configuration', () => {
  it('starts as the demo with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      role: 'all',
      databaseUrl: undefined,
      redisUrl: undefined,
      timeZone: 'Asia/Shanghai',
      lark: { mode: 'sandbox', domain: 'https://open.feishu.cn' },
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('uses webhook mode once a Lark app is configured', () => {
    const config = loadConfig({ ...LARK, BALLOT_SEAL_SECRET: SEAL });
    expect(config.lark.mode).toBe('webhook');
    expect(config.lark).toMatchObject({ encryptKey: 'encrypt-key', verificationToken: 'verification-token' });
    expect(config.ballotSealSecret).toBe(SEAL);
  });

  it('needs a ballot seal secret outside the sandbox, and a long one', () => {
    expect(loadConfig({}).ballotSealSecret).toBeUndefined();
    expect(problemsOf({ ...LARK })).toEqual([expect.stringMatching(/^BALLOT_SEAL_SECRET: required when LARK_MODE is webhook/)]);
    expect(problemsOf({ ...LARK, LARK_MODE: 'websocket' })).toEqual([expect.stringMatching(/^BALLOT_SEAL_SECRET: required when LARK_MODE is websocket/)]);
    expect(problemsOf({ ROLE: 'worker', DATABASE_URL: 'postgres://db/miaopu' })).toEqual([expect.stringMatching(/^BALLOT_SEAL_SECRET: required when ROLE is worker/)]);
    expect(problemsOf({ BALLOT_SEAL_SECRET: 'too-short' })[0]).toMatch(/^BALLOT_SEAL_SECRET: must be at least 32 characters/);
  });

  it('names the variable and what is wrong with it', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual(['PORT: must be a whole number between 1 and 65535']);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: must be a whole number between 1 and 65535']);
    expect(problemsOf({ DATABASE_URL: 'mysql://db/miaopu' })[0]).toMatch(/^DATABASE_URL: must be a URL starting with postgres:/);
    expect(problemsOf({ REDIS_URL: 'localhost:6379' })[0]).toMatch(/^REDIS_URL: must be a URL/);
    expect(problemsOf({ ROLE: 'both' })).toEqual(['ROLE: must be one of web, worker, all']);
    expect(problemsOf({ TZ_NAME: 'Mars/Olympus' })).toEqual(['TZ_NAME: must be an IANA time zone such as Asia/Shanghai']);
    expect(problemsOf({ ADMIN_PASSWORD: 'short' })).toEqual(['ADMIN_PASSWORD: must be at least 8 characters']);
    expect(problemsOf({ LARK_MODE: 'webhook' })[0]).toMatch(/^LARK_APP_ID and LARK_APP_SECRET: both are required/);
    expect(problemsOf({ LARK_APP_ID: 'cli_x' })).toContain('LARK_APP_SECRET: required when LARK_APP_ID is set');
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ PORT: '0', ROLE: 'x', PUBLIC_URL: 'ftp://x' })).toHaveLength(3);
  });

  it('refuses split roles on the embedded database, which belongs to one process', () => {
    expect(problemsOf({ ROLE: 'worker' })[0]).toMatch(/^ROLE: worker .* set DATABASE_URL/);
    expect(loadConfig({ ROLE: 'worker', DATABASE_URL: 'postgres://db/miaopu', BALLOT_SEAL_SECRET: SEAL }).role).toBe('worker');
  });

  it('listens on the loopback address only in sandbox mode, and on all interfaces otherwise', () => {
    expect(loadConfig({})).toMatchObject({ host: '127.0.0.1', sandboxAllowNetwork: false });
    expect(loadConfig({ LARK_APP_ID: 'cli_a1b2c3d4e5f6a7b8', LARK_APP_SECRET: 'secret', LARK_ENCRYPT_KEY: 'k', LARK_VERIFICATION_TOKEN: 'v', BALLOT_SEAL_SECRET: SEAL }).host).toBe('0.0.0.0');
    expect(loadConfig({ LARK_APP_ID: 'cli_a1b2c3d4e5f6a7b8', LARK_APP_SECRET: 'secret', LARK_ENCRYPT_KEY: 'k', LARK_VERIFICATION_TOKEN: 'v', BALLOT_SEAL_SECRET: SEAL, HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it('refuses to open the sandbox to the network unless SANDBOX_ALLOW_NETWORK says so', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'miaopu.internal']) {
      const [problem, ...others] = problemsOf({ HOST: host });
      expect(others).toEqual([]);
      expect(problem).toMatch(new RegExp(`^HOST: ${host.replace(/\./g, '\\.')} would make the Lark sandbox .* reachable from other machines`));
      expect(problem).toContain('SANDBOX_ALLOW_NETWORK=true');
    }
    expect(problemsOf({ HOST: '0.0.0.0', SANDBOX_ALLOW_NETWORK: 'false' })[0]).toMatch(/^HOST: /);
    expect(loadConfig({ HOST: '0.0.0.0', SANDBOX_ALLOW_NETWORK: 'true' })).toMatchObject({ host: '0.0.0.0', sandboxAllowNetwork: true });
    expect(loadConfig({ HOST: '0.0.0.0', SANDBOX_ALLOW_NETWORK: '1' }).sandboxAllowNetwork).toBe(true);
    expect(loadConfig({ SANDBOX_ALLOW_NETWORK: '' }).sandboxAllowNetwork).toBe(false);
  });

  it('names a bad HOST or SANDBOX_ALLOW_NETWORK', () => {
    expect(problemsOf({ HOST: 'a b' })).toEqual(['HOST: must be an address to listen on, such as 127.0.0.1, 0.0.0.0 or ::, or a host name']);
    expect(problemsOf({ SANDBOX_ALLOW_NETWORK: 'maybe' })).toEqual(['SANDBOX_ALLOW_NETWORK: must be true or false']);
  });

  it('knows which addresses are loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.0.2.2', '128.0.0.1', 'localhost.example', '::ffff:10.0.0.1']) expect(isLoopback(host)).toBe(false);
  });

  it('trims a trailing slash from PUBLIC_URL so links never get a double slash', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://miaopu.example.gov.cn/' }).publicUrl).toBe('https://miaopu.example.gov.cn');
  });

  it('refuses webhook and websocket mode without both Lark event keys, which make unsigned callbacks fail', () => {
    const { LARK_ENCRYPT_KEY: _key, LARK_VERIFICATION_TOKEN: _token, ...app } = LARK;
    for (const mode of ['webhook', 'websocket']) {
      expect(problemsOf({ ...app, LARK_MODE: mode, BALLOT_SEAL_SECRET: SEAL })).toEqual([
        expect.stringMatching(new RegExp(`^LARK_ENCRYPT_KEY and LARK_VERIFICATION_TOKEN: both are required when LARK_MODE is ${mode}`)),
      ]);
    }
    // Webhook mode is what a configured app gets by default.
    expect(problemsOf({ ...app, BALLOT_SEAL_SECRET: SEAL })[0]).toMatch(/^LARK_ENCRYPT_KEY and LARK_VERIFICATION_TOKEN: both are required when LARK_MODE is webhook/);
    expect(problemsOf({ ...app, LARK_ENCRYPT_KEY: 'k', BALLOT_SEAL_SECRET: SEAL })).toEqual([expect.stringMatching(/^LARK_VERIFICATION_TOKEN: is required when LARK_MODE is webhook/)]);
    expect(problemsOf({ ...app, LARK_VERIFICATION_TOKEN: '  ', BALLOT_SEAL_SECRET: SEAL })[0]).toMatch(/^LARK_ENCRYPT_KEY and LARK_VERIFICATION_TOKEN:/);
    expect(problemsOf({ ...app, LARK_VERIFICATION_TOKEN: 't', BALLOT_SEAL_SECRET: SEAL })).toEqual([expect.stringMatching(/^LARK_ENCRYPT_KEY: is required when LARK_MODE is webhook/)]);
    // The sandbox makes its own per start.
    expect(loadConfig({}).lark.encryptKey).toBeUndefined();
  });

  it('trusts no forwarded address unless TRUST_PROXY says which proxies to believe', () => {
    expect(loadConfig({}).trustProxy).toEqual({ kind: 'none' });
    expect(loadConfig({ TRUST_PROXY: '' }).trustProxy).toEqual({ kind: 'none' });
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toEqual({ kind: 'none' });
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toEqual({ kind: 'hops', hops: 1 });
    expect(loadConfig({ TRUST_PROXY: ' 2 ' }).trustProxy).toEqual({ kind: 'hops', hops: 2 });
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.10,2001:db8::/32,::1' }).trustProxy).toEqual({
      kind: 'list',
      ranges: ['10.0.0.0/8', '192.168.1.10', '2001:db8::/32', '::1'],
    });
    for (const bad of ['true', 'yes', '*', '10.0.0.0/33', '2001:db8::/129', '10.0.0/8', '10.0.0.1/8/8', 'lb.internal', '11', '1.5', '-1', ',']) {
      expect(problemsOf({ TRUST_PROXY: bad })).toEqual([expect.stringMatching(/^TRUST_PROXY: must be the number of proxies in front of Miaopu \(e\.g\. 1\) or a comma-separated list/)]);
    }
    expect(problemsOf({ TRUST_PROXY: '10.0.0.1,proxy' })[0]).toContain('not an address or range: proxy');
  });
});
