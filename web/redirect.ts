/**
 * @module
 * After a change, send the person on (post/redirect/get). htmx does not follow a 303 as a page
 * change, so an htmx request gets `HX-Location` (htmx fetches the page, swaps the body and pushes
 * the URL); a plain form gets the 303.
 * @example return redirect(c, `/cadres/${id}`)
 */
import type { Context } from 'hono';

/** `to` is a path of this panel; never pass a URL a visitor chose (see `safeNext`). */
export function redirect(c: Context, to: string): Response {
  if (c.req.header('HX-Request')) {
    c.header('HX-Location', to);
    return c.body(null, 200);
  }
  return c.redirect(to, 303);
}
