/**
 * @module
 * The reminder engine's digest card: what went over a person's daily cap, merged into one
 * message (core/reminders/cap.ts), with the way to open the to-do list.
 */
import { callbackButton, card, escapeMd, markdown, type Card } from './common.ts';
import { ACTION_SHOW_TODO } from './help.ts';

export interface DigestItem {
  title: string;
  detail?: string;
}

export function remindersDigestCard(items: readonly DigestItem[]): Card {
  const lines = items.slice(0, 20).map((i) => `- **${escapeMd(i.title)}**${i.detail ? `：${escapeMd(i.detail)}` : ''}`);
  if (items.length > 20) lines.push(`另有 ${items.length - 20} 项未列出。`);
  return card('今日待办提醒汇总', [markdown(`今天还有 **${items.length}** 项需要您处理，合并在这里提醒：`), markdown(lines.join('\n')), callbackButton('查看我的待办', { action: ACTION_SHOW_TODO }, 'primary')], 'orange');
}
