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
/** `time: 56.40s` per epoch, `ms/batch`, `batch_time`: how long something took, not how training goes. */
const duration = /^(?:(?:\w+_)?time|elapsed|(?:ms|s|sec)\/(?:batch|step|it|iter))$/;
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
  return ignoredNames.has(name) || sourceFile.test(name) || duration.test(name);
}

export type MetricGoal = 'min' | 'max';

const lowerIsBetter = /(?:^|[/_.-])(?:loss|ppl|perplexity|err|error|wer|cer|mse|mae|rmse|nll|bpc|bpd)$/;
const higherIsBetter = /(?:^|[/_.-])(?:acc|accuracy|top1|top5|acc1|acc5|f1|precision|recall|auc|bleu|map|iou|miou|dice|r2)$/;

/** Which way a metric improves, from its name: the best value of a run is the min of a loss, the max of an accuracy. */
export function metricGoal(name: string): MetricGoal | undefined {
  if (lowerIsBetter.test(name)) return 'min';
  if (higherIsBetter.test(name)) return 'max';
  return undefined;
}
