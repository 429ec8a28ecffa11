/**
 * @module
 * The panel's form for an htmx post. It posts as a plain form too (method and action), so it
 * works without JavaScript; with htmx, the answer replaces `target`.
 * @example <Form action="/units" target="#units" class="card">…</Form>
 */
import type { Child } from 'hono/jsx';

export interface FormProps {
  action: string;
  /** What the answer replaces: a selector, or `this` for the form itself. */
  target: string;
  /** The panel's fragments bring their own container, hence `outerHTML` unless said otherwise. */
  swap?: 'outerHTML' | 'innerHTML';
  /** For file uploads. */
  multipart?: boolean;
  /** Disables the form's buttons while it is sent, so a slow import is not sent twice. */
  disableButtons?: boolean;
  id?: string;
  class?: string;
  novalidate?: boolean;
  children?: Child;
}

export function Form(props: FormProps) {
  const encoding = props.multipart ? 'multipart/form-data' : undefined;
  return (
    <form
      id={props.id}
      class={props.class}
      method="post"
      action={props.action}
      enctype={encoding}
      hx-post={props.action}
      hx-encoding={encoding}
      hx-target={props.target}
      hx-swap={props.swap ?? 'outerHTML'}
      hx-disable={props.disableButtons ? 'find button' : undefined}
      novalidate={props.novalidate}
    >
      {props.children}
    </form>
  );
}
