import type { SeriesUpdate } from '../../src/logs/metricSeries';
import { runSummary } from '../../src/logs/runSummary';
import { element, themeColour } from './dom';

interface StreamSeries {
  stream: string;
  axis: string;
  points: number[];
  best?: number;
  hidden: boolean;
}

interface Chart {
  metric: string;
  card: HTMLElement;
  canvas: HTMLCanvasElement;
  legend: HTMLElement;
  latest: HTMLElement;
  streams: Map<string, StreamSeries>;
}

const seriesColours = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
];
const fallbackColours = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

/**
 * One small line chart per metric, drawn on a canvas in the theme's chart colours; one line per
 * stream (node/rank). Metrics can be hidden from the chooser, streams from a chart's legend.
 */
export class MetricCharts {
  private readonly charts = new Map<string, Chart>();
  private readonly hidden: Set<string>;
  private readonly dirty = new Set<Chart>();
  private frame = 0;

  constructor(
    private readonly grid: HTMLElement,
    private readonly chooser: HTMLElement,
    private readonly summary: HTMLElement,
    hiddenMetrics: readonly string[],
    private readonly onHiddenChange: (hidden: string[]) => void,
  ) {
    this.hidden = new Set(hiddenMetrics);
    new ResizeObserver(() => {
      for (const chart of this.charts.values()) this.dirty.add(chart);
      this.schedule();
    }).observe(grid);
  }

  get metricCount(): number {
    return this.charts.size;
  }

  /** `replace`: the updates are the whole set (a new filter); series not in it are dropped. */
  apply(updates: readonly SeriesUpdate[], replace = false): void {
    if (replace) {
      for (const chart of this.charts.values()) {
        chart.streams.clear();
        chart.card.dataset.points = '0';
        this.renderLegend(chart);
      }
    }
    for (const update of updates) {
      const chart = this.charts.get(update.metric) ?? this.createChart(update.metric);
      let series = chart.streams.get(update.stream);
      if (!series) {
        series = { stream: update.stream, axis: update.axis, points: [], hidden: false };
        chart.streams.set(update.stream, series);
        this.renderLegend(chart);
      }
      series.points = update.reset ? update.points.slice() : series.points.concat(update.points);
      series.best = update.best;
      chart.card.dataset.points = String(maxPoints(chart));
      this.dirty.add(chart);
    }
    if (replace) this.layout();
    this.renderSummary();
    this.schedule();
  }

  /** Every metric's last (and best) value per stream, beside the charts: one-point results draw no curve. */
  private renderSummary(): void {
    const sources = [...this.charts.values()]
      .filter((chart) => !this.hidden.has(chart.metric))
      .flatMap((chart) => [...chart.streams.values()].map((series) => ({ metric: chart.metric, ...series })));
    const rows = runSummary(sources);
    const streams = new Set(rows.map((row) => row.stream));
    const header = element(
      'tr',
      {},
      element('th', { text: 'Metric' }),
      ...(streams.size > 1 ? [element('th', { text: 'Worker' })] : []),
      element('th', { text: 'Last' }),
      element('th', { text: 'Best' }),
    );
    const body = rows.map((row) =>
      element(
        'tr',
        { attributes: { 'data-metric': row.metric } },
        element('td', { text: row.metric }),
        ...(streams.size > 1 ? [element('td', { text: row.stream })] : []),
        element('td', { className: 'number', text: formatNumber(row.last) }),
        element('td', {
          className: 'number',
          text: row.best === undefined ? '' : formatNumber(row.best),
          title: row.goal === 'min' ? 'lowest so far' : row.goal === 'max' ? 'highest so far' : '',
        }),
      ),
    );
    this.summary.replaceChildren(...(rows.length > 0 ? [element('caption', { text: 'Summary' }), header, ...body] : []));
    this.summary.hidden = rows.length === 0;
  }

  private createChart(metric: string): Chart {
    const canvas = element('canvas', { attributes: { 'aria-label': `${metric} chart` } });
    const latest = element('span', { className: 'latest' });
    const legend = element('div', { className: 'legend' });
    const card = element(
      'div',
      { className: 'chart', attributes: { 'data-metric': metric, 'data-points': '0', 'data-drawn-points': '0' } },
      element('div', { className: 'chart-title' }, element('span', { text: metric }), latest),
      canvas,
      legend,
    );
    const chart: Chart = { metric, card, canvas, legend, latest, streams: new Map() };
    this.charts.set(metric, chart);
    this.renderChooser();
    return chart;
  }

  private renderChooser(): void {
    const items = [...this.charts.keys()].sort().map((metric) => {
      const box = element('input', { attributes: { type: 'checkbox' } });
      box.checked = !this.hidden.has(metric);
      box.addEventListener('change', () => {
        if (box.checked) this.hidden.delete(metric);
        else this.hidden.add(metric);
        this.onHiddenChange([...this.hidden]);
        this.layout();
        this.renderSummary();
      });
      return element('label', {}, box, document.createTextNode(metric));
    });
    this.chooser.replaceChildren(...items);
    this.layout();
  }

  private renderLegend(chart: Chart): void {
    const entries = [...chart.streams.values()].map((series, i) => {
      const swatch = element('span', { className: 'swatch' });
      swatch.style.background = colour(i);
      const entry = element(
        'button',
        { className: series.hidden ? 'legend-entry off' : 'legend-entry', title: 'Show or hide this series' },
        swatch,
        document.createTextNode(series.stream),
      );
      entry.addEventListener('click', () => {
        series.hidden = !series.hidden;
        entry.classList.toggle('off', series.hidden);
        this.dirty.add(chart);
        this.schedule();
      });
      return entry;
    });
    chart.legend.replaceChildren(...(chart.streams.size > 1 ? entries : []));
  }

  /** Charts with fewer than two points (settings printed once) are listed but not drawn. */
  private layout(): void {
    const shown = [...this.charts.values()].filter((chart) => !this.hidden.has(chart.metric) && maxPoints(chart) >= 2);
    this.grid.replaceChildren(...shown.map((chart) => chart.card));
    for (const chart of shown) this.dirty.add(chart);
    this.schedule();
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.drawDirty());
  }

  private drawDirty(): void {
    this.frame = 0;
    const needsLayout = [...this.dirty].some((chart) => !chart.card.isConnected && !this.hidden.has(chart.metric) && maxPoints(chart) >= 2);
    if (needsLayout) {
      this.layout();
      return;
    }
    for (const chart of this.dirty) if (chart.card.isConnected) draw(chart);
    this.dirty.clear();
  }
}

function maxPoints(chart: Chart): number {
  let most = 0;
  for (const series of chart.streams.values()) most = Math.max(most, series.points.length / 2);
  return most;
}

function colour(i: number): string {
  return themeColour(seriesColours[i % seriesColours.length], fallbackColours[i % fallbackColours.length]);
}

function draw(chart: Chart): void {
  const { canvas } = chart;
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (width === 0 || height === 0) return;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d');
  if (!context) return;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  const visible = [...chart.streams.values()].map((series, i) => ({ series, i })).filter(({ series }) => !series.hidden);
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  for (const { series } of visible) {
    for (let p = 0; p < series.points.length; p += 2) {
      const x = series.points[p],
        y = series.points[p + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  const foreground = themeColour('--vscode-descriptionForeground', '#888');
  context.font = `10px ${themeColour('--vscode-font-family', 'sans-serif')}`;
  context.fillStyle = foreground;
  if (!Number.isFinite(minX)) return;
  if (maxY === minY) {
    maxY += Math.abs(maxY) * 0.05 || 1;
    minY -= Math.abs(minY) * 0.05 || 1;
  }
  if (maxX === minX) maxX = minX + 1;
  const left = 44,
    right = 6,
    top = 6,
    bottom = 16;
  const plotWidth = width - left - right,
    plotHeight = height - top - bottom;
  const toX = (x: number) => left + ((x - minX) / (maxX - minX)) * plotWidth;
  const toY = (y: number) => top + (1 - (y - minY) / (maxY - minY)) * plotHeight;
  context.strokeStyle = themeColour('--vscode-editorWidget-border', '#4448');
  context.lineWidth = 1;
  context.strokeRect(left + 0.5, top + 0.5, plotWidth, plotHeight);
  context.textAlign = 'right';
  context.fillText(formatNumber(maxY), left - 4, top + 8);
  context.fillText(formatNumber(minY), left - 4, top + plotHeight);
  context.textAlign = 'left';
  const axis = visible[0]?.series.axis ?? '';
  context.fillText(`${formatNumber(minX)} ${axis}`, left, height - 3);
  context.textAlign = 'right';
  context.fillText(formatNumber(maxX), width - right, height - 3);
  let latest = '';
  let drawn = 0;
  for (const { series, i } of visible) {
    context.strokeStyle = colour(i);
    context.lineWidth = 1.5;
    context.beginPath();
    let drawing = false;
    for (let p = 0; p < series.points.length; p += 2) {
      const x = series.points[p],
        y = series.points[p + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        drawing = false;
        continue;
      }
      if (drawing) context.lineTo(toX(x), toY(y));
      else context.moveTo(toX(x), toY(y));
      drawing = true;
      drawn++;
    }
    context.stroke();
    if (!latest && series.points.length >= 2) latest = formatNumber(series.points[series.points.length - 1]);
  }
  chart.latest.textContent = latest;
  // The plot's state for assistive technology (and tests): a canvas has no content of its own.
  chart.card.dataset.drawnPoints = String(drawn);
  canvas.setAttribute(
    'aria-label',
    `${chart.metric} chart: ${drawn} points, ${axis || 'index'} ${formatNumber(minX)} to ${formatNumber(maxX)}, latest ${latest}`,
  );
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}
