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

/** A markdown element. Anything in `content` that came from a person or the roster goes through `escapeMd`. */
export const markdown = (content: string) => ({ tag: 'markdown', content });

/** A text element that is never read as markdown: for data that needs no formatting. */
export const plainText = (content: string) => ({ tag: 'div', text: { tag: 'plain_text', content } });

/** Every ASCII punctuation character but `,` `;` `%`, which mean nothing to Lark's markdown. */
const MARKUP = /[!"#$&'()*+\-./:<=>?@[\\\]^_`{|}~]/g;
/** Line breaks, tabs and other control characters (C0, DEL, C1, U+2028/9): data is one line. */
const BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Bidirectional overrides and isolates, which make text read differently from what it holds. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Data (a name, a position, a unit, a campaign title, a questionnaire item) for a markdown
 * element, shown exactly as typed and never as markup. Lark's markdown shows a character that
 * would be syntax when it is written as an HTML entity (`&#91;` for `[`), so every character
 * that could start a link (`[x](url)`, `<a>`, `<link>`), a mention (`<at>`), a tag (`<font>`,
 * `<text_tag>`), emphasis, code, a heading, a quote, a list (`- `, `1. `), a table, a rule, an
 * emoji (`:OK:`) or an autolink (`https://`, `www.x.cn`) becomes one, and `&` too, so an entity
 * in the data shows as typed. Line breaks and control characters become spaces and runs of
 * spaces fold, so a value stays on its line and cannot indent a code block.
 * @example markdown(`您被确定为 **${escapeMd(campaign.title)}** 的评价人。`)
 */
export function escapeMd(text: unknown): string {
  return String(text ?? '')
    .replace(BIDI, '')
    .replace(BREAKS, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .replace(MARKUP, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function callbackButton(text: string, value: Record<string, unknown>, type = 'default') {
  return { tag: 'button', text: { tag: 'plain_text', content: text }, type, behaviors: [{ type: 'callback', value }] };
}

export function urlButton(text: string, url: string, type = 'default') {
  return { tag: 'button', text: { tag: 'plain_text', content: text }, type, behaviors: [{ type: 'open_url', default_url: url }] };
}
