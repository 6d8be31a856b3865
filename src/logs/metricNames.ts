/** How metric keys are named and which of them are the x axis (step, epoch) rather than metrics. */

/** `Train Loss` → `train_loss`; `train/loss` and `lr-Adam` are kept as written, lower-cased. */
export function normaliseMetricName(key: string): string {
  return key.trim().toLowerCase().replace(/\s+/g, '_');
}

export type AxisKind = 'step' | 'epoch';

const stepNames = new Set(['step', 'steps_done', 'global_step', 'iter', 'iteration', 'it', 'num_updates', 'update', 'updates']);
const ignoredNames = new Set([
  'v_num',
  'pid',
  'rank',
  'local_rank',
  'world_size',
  'port',
  'master_port',
  'seed',
  'exitcode',
  'errno',
  'error_code',
  'line',
  'signal',
  'timeout',
]);
/** `socket.cpp:462`, `train.py:12`: a source location in a warning, not a metric. */
const sourceFile = /\.(?:c|cc|cpp|cxx|cu|h|hpp|py|pyx|rs|go|java|js|ts)$/;

/** Whether a key names the training position rather than a measured value. */
export function axisKindOf(name: string): AxisKind | undefined {
  const last = name.split(/[/_.]/).pop() ?? name;
  if (name === 'epoch' || last === 'epoch') return 'epoch';
  if (stepNames.has(name) || last === 'step' || last === 'iteration') return 'step';
  return undefined;
}

/** Keys that look numeric but are identifiers or settings, never charted. */
export function isIgnoredMetric(name: string): boolean {
  return ignoredNames.has(name) || sourceFile.test(name);
}
