import { describe, expect, it } from 'vitest';
import { assembleFeatures, FeatureConflictError } from '../../features/assemble.ts';
import type { Feature, FeatureContext } from '../../features/feature.ts';
import { fixedClock } from '../../core/clock.ts';
import { memoryLogger } from '../helpers/log.ts';
import { createBot } from '../../bot/index.ts';
import { createPendingRegistry } from '../../core/pending.ts';

function context(): FeatureContext & { log: ReturnType<typeof memoryLogger> } {
  return { db: {} as never, log: memoryLogger(), clock: fixedClock('2026-11-25T09:00:00Z'), timeZone: 'Asia/Shanghai', publicUrl: 'http://localhost', sandbox: true, sealKey: Buffer.alloc(32), flushOutbox: async () => {} };
}

const handler = async () => ({});
const feature = (name: string, parts: ReturnType<Feature['build']>): Feature => ({ name, build: () => parts });

describe('assembling features', () => {
  it('refuses two features claiming one card action, command word, queue or name', () => {
    const ctx = context();
    expect(() => assembleFeatures([feature('a', { cardActions: { 'x.go': handler } }), feature('b', { cardActions: { 'x.go': handler } })], ctx)).toThrow(
      new FeatureConflictError('card action', 'x.go', 'a', 'b'),
    );
    expect(() =>
      assembleFeatures([feature('a', { commands: [{ words: ['打卡', 'Check in'], handle: async () => true }] }), feature('b', { commands: [{ words: ['check IN'], handle: async () => true }] })], ctx),
    ).toThrow(/both claim the command word "check in"/);
    expect(() => assembleFeatures([feature('a', { jobs: { queue: 'q', processor: async () => {} } }), feature('b', { jobs: { queue: 'q', processor: async () => {} } })], ctx)).toThrow(/queue "q"/);
    expect(() => assembleFeatures([feature('a', {}), feature('a', {})], ctx)).toThrow(/name "a"/);
  });

  it('keeps the shell\'s own commands, actions and queues for the shell', () => {
    const ctx = context();
    expect(() => assembleFeatures([feature('a', { commands: [{ words: ['HELP'], handle: async () => true }] })], ctx, { commands: ['help'] })).toThrow(/"the shell" and "a"/);
    expect(() => assembleFeatures([feature('a', { jobs: { queue: 'outbox', processor: async () => {} } })], ctx, { queues: ['outbox'] })).toThrow(/queue "outbox"/);
  });

  it('leaves out a failing review or timeline source and logs it, keeping the others', async () => {
    const ctx = context();
    const assembled = assembleFeatures(
      [
        feature('broken', { review: [async () => Promise.reject(new Error('db down'))], timeline: [async () => Promise.reject(new Error('db down'))] }),
        feature('fine', { review: [async () => [{ title: '3 位导师逾期', href: '/mentorship' }]], timeline: [async () => [{ at: new Date(), kind: 'x', title: 't' }]] }),
      ],
      ctx,
    );
    const viewer = { user: {} as never, scope: { kind: 'all' as const } };
    expect((await Promise.all(assembled.review.map((s) => s(viewer)))).flat()).toEqual([{ title: '3 位导师逾期', href: '/mentorship' }]);
    expect((await Promise.all(assembled.timeline.map((s) => s({} as never, 1, 'zh')))).flat()).toHaveLength(1);
    expect(ctx.log.lines.filter((l) => (l.obj as { feature?: string }).feature === 'broken').map((l) => l.msg)).toEqual([
      'review source failed; the dashboard shows the others',
      'timeline source failed; the profile shows the others',
    ]);
  });

  it('orders the menu across features', () => {
    const nav = (href: string, order: number) => ({ key: href.slice(1), href, label: () => href, roles: ['district_admin'] as const, order });
    const assembled = assembleFeatures([feature('a', { nav: [nav('/a', 50)] }), feature('b', { nav: [nav('/b', 25)] })], context());
    expect(assembled.nav.map((n) => n.href)).toEqual(['/b', '/a']);
  });

  it('refuses at start a feature command that takes a word of the bot\'s own, or an action id twice', () => {
    const bot = (extra: Partial<Parameters<typeof createBot>[0]>) =>
      createBot({ db: {} as never, log: memoryLogger(), pending: createPendingRegistry(), flushOutbox: async () => {}, botOpenId: async () => undefined, ...extra });
    expect(() => bot({ commands: [{ words: ['TODO'], handle: async () => true }] })).toThrow('The command word "todo" is registered twice.');
    expect(() => bot({ cardActions: new Map([['bot.todo', async () => ({})]]) })).toThrow('The card action "bot.todo" is registered twice.');
    expect(() => bot({ commands: [{ words: ['打卡', 'check in'], handle: async () => true }] })).not.toThrow();
  });
});
