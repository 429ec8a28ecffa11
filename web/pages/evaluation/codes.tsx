/**
 * @module
 * The printable sheet of public rater codes (群众测评码): one card per code with a QR code that
 * opens `${PUBLIC_URL}/vote/<code>`. QR codes are drawn here as SVG (no outside service): the
 * codes must not leave the building.
 */
import { raw } from 'hono/html';
import QRCode from 'qrcode';
import type { EvaluationDictionary } from './text.ts';

/** Groups of 5 are easier to read off paper; the dash is ignored when the code is typed. */
export const displayCode = (code: string) => code.replace(/(.{5})(?=.)/g, '$1-');

export async function CodesSheet(props: { t: EvaluationDictionary; title: string; codes: string[]; publicUrl: string }) {
  const e = props.t.evaluation;
  const base = props.publicUrl.replace(/\/$/, '');
  const cards = await Promise.all(
    props.codes.map(async (code) => {
      const url = `${base}/vote/${code}`;
      const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
      return { code, url, svg };
    }),
  );
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{e.printTitle(props.title)}</title>
        <link rel="stylesheet" href="/static/panel.css" />
        <script src="/static/panel.js" defer></script>
      </head>
      <body class="print-body">
        <header class="print-head no-print">
          <div>
            <h1>{e.printTitle(props.title)}</h1>
            <p class="muted">{e.printHint}</p>
          </div>
          <button class="button primary" type="button" data-print>{props.t.common.print}</button>
        </header>
        <ul class="code-sheet">
          {cards.map((card) => (
            <li class="code-card">
              <div class="qr" role="img" aria-label={card.url}>{raw(card.svg)}</div>
              <div class="code-text">
                <strong>{props.title}</strong>
                <span class="muted">{e.ballot.code}</span>
                <span class="code" data-code={card.code}>{displayCode(card.code)}</span>
                <span class="code-url">{`${base}/vote`}</span>
              </div>
            </li>
          ))}
        </ul>
      </body>
    </html>
  );
}
