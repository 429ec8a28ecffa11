/**
 * @module
 * The printable report: a document of its own (no navigation) on A4, with the charts drawn on
 * the server as static SVG so that printing needs no script.
 */
import type { Child } from 'hono/jsx';
import type { Lang } from '../../../i18n.ts';
import type { EvaluationDictionary } from '../text.ts';
import { formatTime } from '../../../components/ui.tsx';
import { svgOf, type ChartOption } from './charts.ts';
import type { ChartSlot } from './cadre.tsx';

/**
 * Charts as SVG images. An SVG image is its own document, so the styles ECharts writes into it
 * are not inline styles of the page, which the Content-Security-Policy forbids.
 */
export const svgChart: ChartSlot = (option: ChartOption, label: string, id: string) => (
  <figure class="print-chart" id={id}>
    <img src={`data:image/svg+xml;base64,${Buffer.from(svgOf(option, 680, 260)).toString('base64')}`} alt={label} width={680} height={260} />
  </figure>
);

export function PrintDocument(props: { t: EvaluationDictionary; lang: Lang; title: string; subtitle: string; now: Date; children: Child }) {
  const { t } = props;
  return (
    <html lang={props.lang === 'zh' ? 'zh-CN' : 'en'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="stylesheet" href="/static/panel.css" />
        <link rel="stylesheet" href="/static/report.css" />
        <script src="/static/panel.js" defer></script>
      </head>
      <body class="report">
        <header class="report-head">
          <div>
            <h1>{props.title}</h1>
            <div class="muted">{props.subtitle}</div>
          </div>
          <div class="report-meta">
            <strong>{t.results.confidential}</strong>
            <div class="muted">{t.results.generated(formatTime(props.now))}</div>
            <button type="button" class="button no-print" data-print>{t.common.print}</button>
          </div>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}
