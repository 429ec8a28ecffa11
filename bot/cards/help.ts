/**
 * @module
 * The help card and the to-do (待办) card, the bot's answers to its two built-in commands.
 */
import type { PendingItem } from '../../core/pending.ts';
import { callbackButton, card, escapeMd, markdown, urlButton, type Card } from './common.ts';

export const ACTION_SHOW_TODO = 'bot.todo';

const COMMANDS = '**可用指令**\n- **待办** / todo：查看您需要处理的事项\n- **帮助** / help：显示本说明';

export function helpCard(): Card {
  return card('苗圃 · 使用帮助', [
    markdown('您好！我是苗圃，区委组织部的干部工作助手。测评问卷、师徒结对记录、班前自学确认等事项会由我推送给您，您在卡片上直接填写即可。'),
    markdown(COMMANDS),
    callbackButton('查看我的待办', { action: ACTION_SHOW_TODO }, 'primary'),
  ]);
}

/** For free text that matches no command: short, never silence. */
export function didNotUnderstandCard(): Card {
  return card('没太明白您的意思', [markdown(COMMANDS), callbackButton('查看我的待办', { action: ACTION_SHOW_TODO }, 'primary')], 'grey');
}

export function todoCard(items: PendingItem[]): Card {
  if (items.length === 0) return card('我的待办', [markdown('目前没有需要您处理的事项。新的事项到来时我会通知您。')], 'green');
  const elements: unknown[] = [markdown(`您有 **${items.length}** 项待办：`)];
  for (const item of items.slice(0, 20)) {
    elements.push(markdown(`**${escapeMd(item.title)}**${item.detail ? `\n${escapeMd(item.detail)}` : ''}`));
    elements.push('url' in item.open ? urlButton('去处理', item.open.url, 'primary') : callbackButton('去处理', { ...item.open.value, action: item.open.action }, 'primary'));
  }
  if (items.length > 20) elements.push(markdown(`另有 ${items.length - 20} 项未显示。`));
  return card('我的待办', elements, 'orange');
}
