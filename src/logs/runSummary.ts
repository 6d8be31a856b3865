import { metricGoal, type MetricGoal } from './metricNames';

/** One metric of one stream as the panel holds it (the webview's copy of a series). */
export interface SummarySource {
  metric: string;
  stream: string;
  /** Flattened x0, y0, x1, y1, … */
  points: readonly number[];
  best?: number;
}

export interface SummaryRow {
  metric: string;
  stream: string;
  last: number;
  /** With `goal`: the min of a loss-like metric, the max of an accuracy-like one. */
  best?: number;
  goal?: MetricGoal;
}

/**
 * A run's summary, as experiment trackers show it: every metric's last value (and best), so that
 * results printed once (`| End of training | test loss 6.50 |`), which draw no curve, are seen too.
 * Sorted by metric, then stream.
 */
export function runSummary(sources: readonly SummarySource[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const { metric, stream, points, best } of sources) {
    if (points.length < 2) continue;
    const last = points[points.length - 1];
    const goal = metricGoal(metric);
    rows.push(goal && best !== undefined ? { metric, stream, last, best, goal } : { metric, stream, last });
  }
  return rows.sort((a, b) => a.metric.localeCompare(b.metric) || a.stream.localeCompare(b.stream, undefined, { numeric: true }));
}
