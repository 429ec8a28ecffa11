/**
 * @module
 * The bot's built-in commands, in Chinese and English: 帮助/help and 待办/todo. Text that
 * matches nothing gets the short help card: never silence.
 */
import type { PendingRegistry } from '../../core/pending.ts';
import { ACTION_SHOW_TODO, didNotUnderstandCard, helpCard, todoCard } from '../cards/help.ts';
import type { Router } from '../router.ts';

export const ACTION_REFRESH_TODO = 'bot.todo.refresh';

/** The shell's own command words; no feature may take them. */
export const HELP_WORDS = ['帮助', 'help', '?', '？', '菜单', 'menu'] as const;
export const TODO_WORDS = ['待办', 'todo', '待办事项', 'to-do'] as const;

export function registerCommands(router: Router, deps: { pending: PendingRegistry }): void {
  router.onCommand({
    words: HELP_WORDS,
    async handle(_message, ctx) {
      await ctx.reply({ msgType: 'interactive', payload: helpCard() });
      return true;
    },
  });
  router.onCommand({
    words: TODO_WORDS,
    async handle(_message, ctx) {
      await ctx.reply({ msgType: 'interactive', payload: withRefresh(todoCard(await deps.pending.listFor(ctx.cadre.cadreId))) });
      return true;
    },
  });

  router.onUnhandledText(async (_message, ctx) => {
    await ctx.reply({ msgType: 'interactive', payload: didNotUnderstandCard() });
    return true;
  });

  // From the help card: the list arrives as a new message, the click gets a toast.
  router.onCardAction(ACTION_SHOW_TODO, async (_action, ctx) => {
    const items = await deps.pending.listFor(ctx.cadre.cadreId);
    await ctx.reply({ msgType: 'interactive', payload: withRefresh(todoCard(items)) });
    return { toast: { type: 'info', content: items.length > 0 ? `您有 ${items.length} 项待办，已发送给您。` : '目前没有待办事项。' } };
  });

  // On the to-do card itself: the card is replaced in place with the current list.
  router.onCardAction(ACTION_REFRESH_TODO, async (_action, ctx) => {
    const items = await deps.pending.listFor(ctx.cadre.cadreId);
    return { toast: { type: 'success', content: '已刷新' }, card: { type: 'raw', data: withRefresh(todoCard(items)) } };
  });
}

function withRefresh<T extends { body: { elements: unknown[] } }>(card: T): T {
  card.body.elements.push({
    tag: 'button',
    text: { tag: 'plain_text', content: '刷新' },
    type: 'default',
    behaviors: [{ type: 'callback', value: { action: ACTION_REFRESH_TODO } }],
  });
  return card;
}
