/**
 * @module
 * Renders Card JSON 2.0 as HTML for the chat simulator: header, markdown, buttons,
 * select_static, input, form containers with submit, column sets, dividers. Clicks and
 * submits post to the simulator, which turns them into real `card.action.trigger` events.
 */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';

type El = Record<string, any>;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The markdown subset cards use: bold, italics, links, lists and line breaks; everything escaped
 * first. As in Lark, a character written as an HTML entity (`&#91;`, what `escapeMd` writes) is
 * shown as that character and is never syntax: the entity reaches the page as an entity.
 */
export function markdownHtml(source: string): string {
  const lines = escapeHtml(source)
    .replace(/&amp;(#\d{1,7}|#x[0-9a-fA-F]{1,6}|nbsp|ensp|emsp|sim|amp|lt|gt|quot);/g, '&$1;')
    .split('\n');
  const out: string[] = [];
  let inList = false;
  for (const line of lines) {
    const item = /^\s*[-*] (.*)$/.exec(line);
    if (item && !inList) {
      out.push('<ul>');
      inList = true;
    }
    if (!item && inList) {
      out.push('</ul>');
      inList = false;
    }
    const inline = (item ? item[1]! : line)
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/\*(.+?)\*/g, '<em>$1</em>')
      .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>');
    out.push(item ? `<li>${inline}</li>` : `${inline}<br>`);
  }
  if (inList) out.push('</ul>');
  return out.join('').replace(/(<br>)+$/, '');
}

const text = (t: any): string => (typeof t === 'string' ? t : (t?.content ?? ''));

function callbackValue(el: El): Record<string, unknown> | undefined {
  const behaviour = (el.behaviors ?? []).find((b: any) => b.type === 'callback');
  return behaviour ? behaviour.value ?? {} : el.value;
}

interface Ctx {
  action: string;
  messageId: string;
  /** Inside a form container: controls are named fields, buttons submit the form. */
  inForm: boolean;
}

function ActionForm(props: { ctx: Ctx; children: Child; fields: Record<string, string> }) {
  return (
    <form method="post" action={props.ctx.action} class="inline">
      <input type="hidden" name="__message" value={props.ctx.messageId} />
      {Object.entries(props.fields).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      {props.children}
    </form>
  );
}

function Element({ el, ctx }: { el: El; ctx: Ctx }): any {
  switch (el.tag) {
    case 'markdown':
      return <div class="md">{raw(markdownHtml(String(el.content ?? '')))}</div>;
    case 'div':
      return <div class="md">{text(el.text)}</div>;
    case 'hr':
      return <hr />;
    case 'note':
      return <div class="note">{(el.elements ?? []).map((e: El) => text(e))}</div>;
    case 'column_set':
      return (
        <div class="columns">
          {(el.columns ?? []).map((col: El) => (
            <div class={col.width === 'weighted' ? `column weight-${Math.min(5, Math.max(1, Number(col.weight) || 1))}` : 'column auto'}>
              {(col.elements ?? []).map((e: El) => (
                <Element el={e} ctx={ctx} />
              ))}
            </div>
          ))}
        </div>
      );
    case 'form':
      return (
        <form method="post" action={ctx.action} class="card-form">
          <input type="hidden" name="__message" value={ctx.messageId} />
          <input type="hidden" name="__form" value={String(el.name ?? 'form')} />
          {(el.elements ?? []).map((e: El) => (
            <Element el={e} ctx={{ ...ctx, inForm: true }} />
          ))}
        </form>
      );
    case 'button': {
      const label = text(el.text);
      const cls = `btn btn-${el.type ?? 'default'}`;
      const url = (el.behaviors ?? []).find((b: any) => b.type === 'open_url');
      if (url) return <a class={cls} href={url.default_url} target="_blank" rel="noopener">{label}</a>;
      const payload = JSON.stringify({ value: callbackValue(el) ?? {}, name: el.name, tag: 'button' });
      if (ctx.inForm) {
        if (el.form_action_type === 'reset') return <button type="reset" class={cls}>{label}</button>;
        return <button type="submit" class={cls} name="__action" value={payload} disabled={el.disabled}>{label}</button>;
      }
      return (
        <ActionForm ctx={ctx} fields={{ __action: payload }}>
          <button type="submit" class={cls} disabled={el.disabled}>{label}</button>
        </ActionForm>
      );
    }
    case 'select_static': {
      const options = (el.options ?? []).map((o: El) => (
        <option value={o.value} selected={o.value === el.initial_option}>{text(o.text)}</option>
      ));
      const placeholder = <option value="">{text(el.placeholder) || '请选择'}</option>;
      if (ctx.inForm) return <label class="field"><select name={el.name} required={el.required}>{placeholder}{options}</select></label>;
      const payload = JSON.stringify({ value: callbackValue(el) ?? {}, name: el.name, tag: 'select_static' });
      return (
        <ActionForm ctx={ctx} fields={{ __action: payload }}>
          <select name="__option" onchange="this.form.submit()">{placeholder}{options}</select>
        </ActionForm>
      );
    }
    case 'input': {
      const attrs = { placeholder: text(el.placeholder), value: el.default_value ?? '', maxlength: el.max_length, required: el.required };
      if (ctx.inForm) return <label class="field">{el.label ? <span>{text(el.label)}</span> : null}<input type="text" name={el.name} {...attrs} /></label>;
      const payload = JSON.stringify({ value: callbackValue(el) ?? {}, name: el.name, tag: 'input' });
      return (
        <ActionForm ctx={ctx} fields={{ __action: payload }}>
          <input type="text" name="__input" {...attrs} />
          <button type="submit" class="btn btn-default">发送</button>
        </ActionForm>
      );
    }
    default:
      return <div class="unknown">[{String(el.tag)}]</div>;
  }
}

/** A Card JSON 2.0 message as HTML. */
export function CardView({ card, action, messageId }: { card: El; action: string; messageId: string }) {
  const header = card.header;
  const elements: El[] = card.body?.elements ?? card.elements ?? [];
  return (
    <div class="card">
      {header ? (
        <div class={`card-header tpl-${header.template ?? 'default'}`}>
          <div class="card-title">{text(header.title)}</div>
          {header.subtitle ? <div class="card-subtitle">{text(header.subtitle)}</div> : null}
        </div>
      ) : null}
      <div class="card-body">
        {elements.map((el) => (
          <Element el={el} ctx={{ action, messageId, inForm: false }} />
        ))}
      </div>
    </div>
  );
}
