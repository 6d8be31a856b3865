/**
 * How a job reads in the Jobs view: label, description, tooltip, icon, context value. Pure, so it
 * is tested directly; the tree items turn these into VS Code objects.
 */
import { targetsLabel, type JobSpec } from '../../jobs/jobSpec';
import { describeState, isActive, type JobState } from '../../jobs/jobState';
import type { JobRecord } from '../../jobs/jobStore';

/** Tree item context value: `job:running`, `job:failed`, … (menus match on it). */
export function jobContextValue(record: JobRecord): string {
  return `job:${record.state.kind}`;
}

/** The script's file name. */
export function jobLabel(record: JobRecord): string {
  return record.spec.script.split('/').pop() ?? record.spec.script;
}

/** "gpu-a100-1 · Running · 14:23 · 2m 05s", "gpu-a100-1 +1 · Failed (exit code 1) · Nov 24 09:05 · 14s". */
export function jobDescription(record: JobRecord, now: number): string {
  return [
    targetsLabel(record.spec),
    describeState(record.state),
    formatStartTime(record.startedAt, now),
    formatDuration(jobDuration(record, now)),
  ].join(' · ');
}

/**
 * A log panel's title, "train.py on gpu-a100-1 · 14:23": the start time, as the Jobs view shows it,
 * tells two runs of one script on one machine apart.
 */
export function jobLogTitle(spec: Pick<JobSpec, 'script' | 'nodes' | 'createdAt'>, now: number): string {
  const script = spec.script.split('/').pop() ?? spec.script;
  return `${script} on ${targetsLabel(spec)} · ${formatStartTime(Date.parse(spec.createdAt), now)}`;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Local time: "14:23" today, "Nov 24 14:23" on another day. */
export function formatStartTime(epochMs: number, now: number): string {
  const start = new Date(epochMs);
  const today = new Date(now);
  const time = `${String(start.getHours()).padStart(2, '0')}:${String(start.getMinutes()).padStart(2, '0')}`;
  const sameDay =
    start.getFullYear() === today.getFullYear() && start.getMonth() === today.getMonth() && start.getDate() === today.getDate();
  return sameDay ? time : `${months[start.getMonth()]} ${start.getDate()} ${time}`;
}

export function jobDuration(record: JobRecord, now: number): number {
  const end = isActive(record.state) ? now : (record.endedAt ?? record.startedAt);
  return Math.max(0, end - record.startedAt);
}

/** "850ms" is never shown: "0s", "59s", "1m 05s", "2h 03m". */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** The tooltip's rows in display order. */
export function jobTooltipRows(record: JobRecord, now: number, formatTime: (epochMs: number) => string): Array<[string, string]> {
  const { spec } = record;
  const rows: Array<[string, string | undefined]> = [
    ['Script', spec.script],
    ['Arguments', spec.args.length ? spec.args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ') : undefined],
    ['State', describeState(record.state)],
    [
      spec.nodes.length > 1 ? 'Nodes' : 'Machine',
      spec.nodes.map((n, rank) => (spec.nodes.length > 1 ? `${rank}: ${n.target.label}` : n.target.label)).join(', '),
    ],
    ['Processes per node', String(spec.nprocPerNode)],
    ['Started', formatTime(record.startedAt)],
    ['Ended', record.endedAt !== undefined && !isActive(record.state) ? formatTime(record.endedAt) : undefined],
    ['Duration', formatDuration(jobDuration(record, now))],
    ['Configuration', spec.configurationName],
    ['Job id', spec.id],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined);
}

/** A codicon id and theme color id for the state. */
export function jobIcon(state: JobState): { id: string; color?: string } {
  switch (state.kind) {
    case 'preparing':
      return { id: 'loading~spin' };
    case 'running':
      return { id: 'sync~spin', color: 'charts.blue' };
    case 'succeeded':
      return { id: 'pass', color: 'testing.iconPassed' };
    case 'failed':
      return { id: 'error', color: 'testing.iconFailed' };
    case 'cancelled':
      return { id: 'circle-slash' };
    case 'lost':
      return { id: 'question', color: 'problemsWarningIcon.foreground' };
  }
}
