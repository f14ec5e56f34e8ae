/**
 * The history chart as server-rendered SVG: one line per series over days, a y scale from 0 to a round maximum,
 * a few date labels, and each day's figures in a <title> so hovering a point reads it. No script needed.
 */
import { count } from './format.js';

const tickLabel = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

import { html, type SafeHtml } from './html.js';

export interface Series {
  readonly name: string;
  /** CSS class giving its colour (`processed`, `failed`). */
  readonly className: string;
  /** Oldest first, one per label. */
  readonly values: readonly number[];
}

const WIDTH = 900;
const HEIGHT = 220;
const PAD = { top: 12, right: 16, bottom: 28, left: 56 };

export interface ChartOptions {
  /** The text under the x axis for a label (default: a date's `MM-DD`). */
  readonly tick?: (label: string) => string;
  /** What the chart shows, for its aria-label (default: `history of … per day`). */
  readonly describe?: string;
}

export function historyChart(
  labels: readonly string[],
  series: readonly Series[],
  options: ChartOptions = {},
): SafeHtml {
  const tick = options.tick ?? ((label: string) => label.slice(5));
  const max = roundMax(Math.max(1, ...series.flatMap((s) => s.values)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) =>
    PAD.left + (labels.length <= 1 ? plotWidth / 2 : (i * plotWidth) / (labels.length - 1));
  const y = (value: number) => PAD.top + plotHeight - (value / max) * plotHeight;
  const grid = ticks(max).map((value) => {
    const at = y(value);
    return html`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${at}" y2="${at}"/><text class="axis" x="${PAD.left - 6}" y="${at + 4}" text-anchor="end">${tickLabel.format(value)}</text>`;
  });
  const step = Math.max(1, Math.ceil(labels.length / 8));
  const dates = labels.map((label, i) =>
    (i % step === 0 && labels.length - 1 - i >= step / 2) || i === labels.length - 1
      ? html`<text class="axis" x="${x(i)}" y="${HEIGHT - 8}" text-anchor="middle">${tick(label)}</text>`
      : '',
  );
  const lines = series.map((s) => {
    const points = s.values.map((value, i) => `${x(i).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
    const dots = s.values.map(
      (value, i) =>
        html`<circle class="${s.className}" cx="${x(i).toFixed(1)}" cy="${y(value).toFixed(1)}" r="3"><title>${labels[i]}: ${count(value)} ${s.name}</title></circle>`,
    );
    return html`<polyline class="${s.className}" points="${points}"/>${dots}`;
  });
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${options.describe ?? `history of ${series.map((s) => s.name).join(' and ')} per day`}">${grid}${dates}${lines}</svg>`;
}

/** 1, 2 or 5 times a power of ten, at least `value`. */
export function roundMax(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= value) return factor * power;
  return 10 * power;
}

/** Grid values from 0 to `max` (from roundMax) at round steps: fifths of 1 and 5, quarters of 2. */
export function ticks(max: number): number[] {
  const leading = max / 10 ** Math.floor(Math.log10(max));
  const parts = Math.round(leading) === 2 ? 4 : 5;
  return Array.from({ length: parts + 1 }, (_, i) => (max * i) / parts);
}
