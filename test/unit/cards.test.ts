/**
 * Markdown injection into cards: every card builder, fed a campaign title, a name, a unit, a
 * position, a questionnaire and a to-do item that carry markdown and Lark's tags, renders that
 * data as text. The check reads each markdown element the way Lark does (the simulator's
 * renderer, which follows Lark's rules): no link, mention or tag comes out, and the text is
 * still there, escaped, not dropped.
 */
import { describe, expect, it } from 'vitest';
import { escapeMd, markdown, type Card } from '../../bot/cards/common.ts';
import { ballotStepCard, closedCard, digestCard, invitationCard, reminderCard, reviewCard, submittedCard, type BallotView } from '../../bot/cards/evaluation.ts';
import { didNotUnderstandCard, helpCard, todoCard } from '../../bot/cards/help.ts';
import { markdownHtml } from '../../bot/sandbox/card-view.tsx';
import { mergeAnswers, emptyDraft } from '../../core/evaluation/rater-view.ts';
import { DEFAULT_SCALE, type TemplateDefinition } from '../../core/evaluation/templates.ts';
import type { EvaluationCampaign } from '../../db/schema/evaluation.ts';

const LINK = '[领取补贴](https://evil.example)';
const TITLE = `2026年度测评 ${LINK} <at id=all></at>`;
const NAME = '张**三**<font color=red>急</font>';
const POSITION = `副局长 ${LINK}`;
const UNIT = '- 东山街道\n# 通知 <a href="https://evil.example">点此</a>';
const ITEM = '1. 政治品质 ![x](img_v2_evil) `code` ~~删~~ | a | b |';
const DIM = '> 德 <text_tag color=red>置顶</text_tag>';
const LEVEL = '好](https://evil.example)';
const TZ = 'Asia/Shanghai';

const campaign = {
  id: 7,
  title: TITLE,
  kind: 'annual',
  year: 2026,
  status: 'open',
  opensAt: new Date('2026-12-01T01:00:00Z'),
  closesAt: new Date('2026-12-05T10:00:00Z'),
} as EvaluationCampaign;

const def: TemplateDefinition = {
  name: '专项测评',
  scale: [{ ...DEFAULT_SCALE[0]!, label: LEVEL }, ...DEFAULT_SCALE.slice(1)],
  allowComment: false,
  overallGrade: true,
  dimensions: [{ key: 'virtue', label: DIM, items: [{ key: 'virtue_a', label: ITEM }, { key: 'virtue_b', label: '职业道德' }] }],
};
const targets = [
  { id: 1, name: NAME, unit: UNIT, position: POSITION },
  { id: 2, name: '李四', unit: '西河街道', position: '主任' },
];
const view: BallotView = {
  campaign,
  category: 'peer',
  def,
  targets,
  draft: mergeAnswers(def, emptyDraft('peer'), 1, { virtue_a: 'good', virtue_b: 'good', grade__: 'excellent' }),
  sealed: 'sealed-draft',
};

/** Every markdown element's content, at any depth (forms, column sets). */
function markdowns(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(markdowns);
  if (!node || typeof node !== 'object') return [];
  const el = node as Record<string, unknown>;
  const own = el.tag === 'markdown' || el.tag === 'lark_md' ? [String(el.content)] : [];
  return [...own, ...Object.values(el).flatMap(markdowns)];
}

/** What a reader sees of rendered markdown: tags dropped, entities decoded. */
function seen(html: string): string {
  return html
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** No markdown element of the card makes markup of data; the data is still readable. */
function expectInert(c: Card, shown: string[]) {
  const contents = markdowns(c.body);
  expect(contents.length).toBeGreaterThan(0);
  const all = contents.join('\n');
  // Nothing Lark would read as a link, a mention, a tag, an image or an emoji.
  expect(all).not.toMatch(/\]\(|https?:\/\/|<\/?(a|at|font|link|text_tag)\b|!\[|:\w+:/);
  expect(all).not.toContain('evil.example');
  const html = contents.map(markdownHtml).join('\n');
  expect(html).not.toMatch(/<a\b|<em>|<ul>|<li>/);
  const text = seen(html);
  for (const s of shown) expect(text).toContain(s);
}

/** Data folds onto one line (a line break in a value is a space). */
const oneLine = (s: string) => s.replace(/\s+/g, ' ');

describe('escapeMd', () => {
  it('writes every markdown and Lark tag character as an entity, and keeps the text', () => {
    const cases = ['[x](https://evil.example)', '**b** _i_ ~~s~~ `c`', '# h', '> q', '- item', '1. item', '| a | b |', '<at id=all></at>', '<font color=red>x</font>', 'a\\b', 'A & B', ':OK:', 'www.evil.example', '---', '==='];
    for (const input of cases) {
      const out = escapeMd(input);
      // Apart from the entities themselves, no character is left that markdown or a tag uses.
      expect(out.replace(/&#\d+;/g, '')).not.toMatch(/[[\]()*_~`#>|<&\\:.=\-+!]/);
      expect(seen(markdownHtml(out))).toBe(input);
    }
  });

  it('keeps a value on one line, without control characters or bidi overrides', () => {
    expect(escapeMd('张三\n# 标题\r\n\t李四\u0000\u2028王五')).toBe('张三 &#35; 标题 李四 王五');
    expect(escapeMd('\u202egpj.exe')).toBe('gpj&#46;exe');
    expect(escapeMd('    缩进')).toBe('缩进');
    expect(escapeMd(null)).toBe('');
    // Chinese text and full-width punctuation stay as they are.
    expect(escapeMd('区委组织部（干部科），“好”')).toBe('区委组织部（干部科），“好”');
  });

  it('leaves the card markup around the data working', () => {
    expect(markdownHtml(`**${escapeMd(NAME)}**`)).toMatch(/^<strong>[^<]*<\/strong>$/);
    expect(markdown('x')).toEqual({ tag: 'markdown', content: 'x' });
  });
});

describe('every card builder escapes the data it places in markdown', () => {
  const assignments = [{ category: 'peer' as const, targets: 2, webUrl: 'https://miaopu.test/ballot/x' }];

  it('the invitation', () => {
    const c = invitationCard(campaign, TZ, assignments);
    expectInert(c, [oneLine(TITLE)]);
    // The header is plain text: no escaping there, the title reads as typed.
    expect(c.header!.title).toEqual({ tag: 'plain_text', content: `民主测评邀请：${TITLE}` });
  });

  it('the reminder', () => {
    expectInert(reminderCard(campaign, TZ, assignments, true), [oneLine(TITLE)]);
  });

  it('the ballot step: name, unit, position, dimension; item text as plain text', () => {
    const c = ballotStepCard(view, 0);
    expectInert(c, [NAME, oneLine(UNIT), POSITION, DIM]);
    const form = (c.body.elements as Array<Record<string, any>>).find((e) => e.tag === 'form')!;
    expect(form.elements).toContainEqual({ tag: 'div', text: { tag: 'plain_text', content: ITEM } });
    const select = form.elements.find((e: Record<string, unknown>) => e.tag === 'select_static');
    expect(select.options[0].text).toEqual({ tag: 'plain_text', content: LEVEL });
  });

  it('the review: names and the scale labels of a custom template', () => {
    const c = reviewCard(view);
    expectInert(c, [NAME, `${LEVEL}×2`]);
    // The numbering of the list is the card's own markup and still works.
    expect(markdowns(c.body).some((m) => m.startsWith('1. **'))).toBe(true);
  });

  it('submitted and closed: the title stays in the plain-text header', () => {
    const submitted = submittedCard(campaign, 'peer', 1);
    expect(markdowns(submitted.body).join('')).not.toContain('evil');
    expect(submitted.header!.title.content).toContain(TITLE);
    const closed = closedCard(campaign);
    expect(markdowns(closed.body).join('')).not.toContain('evil');
    expect(closed.header!.title).toEqual({ tag: 'plain_text', content: `测评已结束：${TITLE}` });
  });

  it('the daily digest', () => {
    const c = digestCard(TZ, [{ title: TITLE, closesAt: campaign.closesAt, assigned: 10, completed: 4 }], 'https://miaopu.test');
    expectInert(c, [oneLine(TITLE), '已提交 4 / 10 人']);
  });

  it('the to-do list, and the help cards (no data, markup intact)', () => {
    const c = todoCard([{ feature: 'evaluation', title: TITLE, detail: `需评价 2 人 ${LINK}`, open: { action: 'evaluation.start', value: { c: 7 } } }]);
    expectInert(c, [oneLine(TITLE), `需评价 2 人 ${LINK}`]);
    for (const fixed of [helpCard(), didNotUnderstandCard()]) {
      const html = markdowns(fixed.body).map(markdownHtml).join('');
      expect(html).toContain('<strong>可用指令</strong>');
      expect(html).toContain('<li>');
    }
  });
});
