/**
 * @module
 * Card JSON 2.0 building blocks shared by every feature's cards.
 */
export interface Card {
  schema: '2.0';
  config: { update_multi: true };
  header?: { title: { tag: 'plain_text'; content: string }; subtitle?: { tag: 'plain_text'; content: string }; template?: string };
  body: { elements: unknown[] };
}

export function card(title: string, elements: unknown[], template = 'blue'): Card {
  // update_multi: every reader sees the same card, so a later PATCH ("已提交 ✓") reaches them all.
  return { schema: '2.0', config: { update_multi: true }, header: { title: { tag: 'plain_text', content: title }, template }, body: { elements } };
}

export const markdown = (content: string) => ({ tag: 'markdown', content });

export function callbackButton(text: string, value: Record<string, unknown>, type = 'default') {
  return { tag: 'button', text: { tag: 'plain_text', content: text }, type, behaviors: [{ type: 'callback', value }] };
}

export function urlButton(text: string, url: string, type = 'default') {
  return { tag: 'button', text: { tag: 'plain_text', content: text }, type, behaviors: [{ type: 'open_url', default_url: url }] };
}
