import type { MetricRecord } from './metricParser';
import { metricGoal, type MetricGoal } from './metricNames';

export type AxisKind = 'step' | 'epoch' | 'sample';

/** One metric as reported by one stream (node/rank): what one line of a chart draws. */
export interface SeriesUpdate {
  metric: string;
  /** The stream's label in legends and the summary, e.g. `rank 3 (node 1)`. */
  stream: string;
  /** The stream's node and rank label (as in the log's lines), for the panel's filter. */
  node: number;
  rank: string;
  axis: AxisKind;
  /** Flattened x0, y0, x1, y1, …; the whole series when `reset`, else points added since the last update. */
  points: number[];
  reset: boolean;
  /** The best value so far (min of a loss, max of an accuracy), over every point, thinned or not. */
  best?: number;
}

interface Series {
  metric: string;
  stream: string;
  node: number;
  rank: string;
  axis: AxisKind;
  points: number[];
  sent: number;
  reset: boolean;
  samples: number;
  goal: MetricGoal | undefined;
  best?: number;
}

/**
 * The chartable history of every metric, per stream, with a cap on points per series: past the
 * cap every other point is dropped, so memory is bounded and the curve keeps its shape.
 */
export class MetricSeriesSet {
  private readonly series = new Map<string, Series>();
  /** The same series by stream, then metric: looked up on every metric line without building keys. */
  private readonly byStream = new Map<string, Map<string, Series>>();
  private readonly dirty = new Set<Series>();

  constructor(private readonly maxPoints = 4000) {}

  add(record: MetricRecord, stream: string, node = 0, rank = ''): void {
    let streamSeries = this.byStream.get(stream);
    if (!streamSeries) this.byStream.set(stream, (streamSeries = new Map<string, Series>()));
    for (const metric in record.values) {
      const value = record.values[metric];
      let series = streamSeries.get(metric);
      if (!series) {
        series = {
          metric,
          stream,
          node,
          rank,
          axis: axisOf(record),
          points: [],
          sent: 0,
          reset: true,
          samples: 0,
          goal: metricGoal(metric),
        };
        this.series.set(`${metric}\u0000${stream}`, series);
        streamSeries.set(metric, series);
      }
      series.samples++;
      series.best = better(series.goal, series.best, value);
      const x = xOf(record, series);
      const n = series.points.length;
      // One point per step: a progress bar redrawn at the same step updates its point.
      if (record.step !== undefined && series.axis === 'step' && n >= 2 && series.points[n - 2] === x) {
        series.points[n - 1] = value;
        if (series.sent >= n) series.reset = true;
        this.dirty.add(series);
        continue;
      }
      series.points.push(x, value);
      if (series.points.length > 2 * this.maxPoints) thin(series);
      this.dirty.add(series);
    }
  }

  /** What changed since the last call, for the chart front end. */
  takeUpdates(): SeriesUpdate[] {
    const updates: SeriesUpdate[] = [];
    for (const series of this.dirty) {
      const points = series.reset ? series.points.slice() : series.points.slice(series.sent);
      updates.push(updateOf(series, points, series.reset));
      series.sent = series.points.length;
      series.reset = false;
    }
    this.dirty.clear();
    return updates;
  }

  /** Every series in full, for a front end that starts over (a reloaded webview, a new filter). */
  snapshot(): SeriesUpdate[] {
    return [...this.series.values()].map((series) => updateOf(series, series.points.slice(), true));
  }
}

function updateOf(series: Series, points: number[], reset: boolean): SeriesUpdate {
  const { metric, stream, node, rank, axis, best } = series;
  return best === undefined
    ? { metric, stream, node, rank, axis, points, reset }
    : { metric, stream, node, rank, axis, points, reset, best };
}

function better(goal: MetricGoal | undefined, best: number | undefined, value: number): number | undefined {
  if (!goal || Number.isNaN(value)) return best;
  if (best === undefined) return value;
  return goal === 'min' ? Math.min(best, value) : Math.max(best, value);
}

function axisOf(record: MetricRecord): AxisKind {
  if (record.step !== undefined) return 'step';
  if (record.epoch !== undefined) return 'epoch';
  return 'sample';
}

function xOf(record: MetricRecord, series: Series): number {
  const last = series.points.length >= 2 ? series.points[series.points.length - 2] : 0;
  if (series.axis === 'step') return record.step ?? last;
  if (series.axis === 'epoch') {
    if (record.epoch === undefined) return last;
    const progress = record.progress && record.progress.total > 0 ? record.progress.done / record.progress.total : 0;
    return record.epoch + progress;
  }
  return series.samples;
}

function thin(series: Series): void {
  const kept: number[] = [];
  for (let i = 0; i < series.points.length; i += 4) kept.push(series.points[i], series.points[i + 1]);
  // Keep the newest point: the chart's right edge must be the latest value.
  const n = series.points.length;
  if (kept[kept.length - 2] !== series.points[n - 2] || kept[kept.length - 1] !== series.points[n - 1])
    kept.push(series.points[n - 2], series.points[n - 1]);
  series.points = kept;
  series.reset = true;
}
