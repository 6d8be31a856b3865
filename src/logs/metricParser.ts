import { axisKindOf, isIgnoredMetric, normaliseMetricName } from './metricNames';
import { parsePythonLiteral, type Literal } from './pythonLiteral';

/** The numbers one log line reports, with where in training they were measured when it says. */
export interface MetricRecord {
  values: Record<string, number>;
  step?: number;
  epoch?: number;
  /** `200/2983 batches`, `[640/60000 (1%)]`: progress within the epoch. */
  progress?: { done: number; total: number };
}

const number = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
// A value may carry a unit; it must then end at a separator, so dates, versions, times and
// addresses (2024-01-05, 1.13.1, 12:30:05, localhost:29500/x) are not read as numbers.
const unit = String.raw`(?:%|ms|s|sec|it/s|s/it|/s|x|[KMG]i?B)?`;
const valueEnd = String.raw`(?=$|[\s,;|)\]}(]|\s*\()`;
const wrappedValue = String.raw`(?:tensor\(|np\.float\d*\(|\[)?\s*(${number}|nan|inf|NaN|Infinity)${unit}`;
const keyWord = String.raw`[A-Za-z_][\w./-]*`;
const alphaWord = String.raw`[A-Za-z][A-Za-z_]*`;
// Up to two leading plain words make one key (`Train Loss`, `val acc`), so `Train Loss: 1` and
// `Val Loss: 2` stay apart; the key starts at a separator, never inside a token (`host=a:1`).
const keyValue = new RegExp(
  String.raw`(?:^|(?<=[\s,;|({\[]))((?:${alphaWord} ){0,2}${keyWord})\s*(=|:)\s*${wrappedValue}` +
    String.raw`(?:\s*/\s*(\d+))?${valueEnd}(?:\s*\(\s*(${number})%\))?`,
  'g',
);
const axisWord = /\b(epoch|step|iter(?:ation)?)\s*#?\s*(\d+)(?:\s*\/\s*(\d+))?(?![\d.])/gi;
const bracketProgress = /\[\s*(\d+)\s*\/\s*(\d+)(?:\s*\(\s*\d+(?:\.\d+)?%\))?\s*\]/;
const barProgress = /\|\s*(\d+)\s*\/\s*(\d+)\s*\[/;
const timmPhase = /^(?:Train|Test|Eval|Val(?:idation)?):\s*(\d+)\s+\[/;
const logPrefix = new RegExp(
  String.raw`^(?:\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\]?[\s,-]*)?` +
    String.raw`(?:\[?(INFO|DEBUG|WARNING|WARN|ERROR|CRITICAL)\]?(?::[\w.]+:|\s*[-|:]\s*|\s+))?`,
);

/**
 * The metrics of one line (ANSI escapes, `\r` and rank prefix already removed): one record, or two
 * where a tqdm bar left without its newline has other output glued after it
 * (`…| 10/10 [00:01<00:00, 9.1it/s]test accuracy: 0.91` reads as the bar, then `test accuracy: 0.91`).
 */
export function parseLineMetrics(line: string): MetricRecord[] {
  const bar = line.includes('%|') || line.includes('it [') ? gluedTqdmBar.exec(line) : null;
  const parts = bar && bar[0].length < line.length ? [bar[0], line.slice(bar[0].length)] : [line];
  const records: MetricRecord[] = [];
  for (const part of parts) {
    const record = parseMetrics(part);
    if (record) records.push(record);
  }
  return records;
}

/** Reads the metrics of one piece of output (ANSI escapes, `\r` and rank prefix already removed). */
export function parseMetrics(line: string): MetricRecord | undefined {
  const prefix = logPrefix.exec(line)!;
  // A logged warning or error says `name=value` about a setting, never a measurement.
  if (prefix[1] !== undefined && prefix[1] !== 'INFO' && prefix[1] !== 'DEBUG') return undefined;
  const text = beforeWarning(line.slice(prefix[0].length).trim());
  if (text === '' || !/\d/.test(text) || isNoise(text)) return undefined;
  const bar = text.includes('%|') || text.includes('it [') ? tqdmBar.exec(text) : null;
  if (bar) return readTqdm(bar);
  const record: MetricRecord = { values: {} };
  const brace = text.indexOf('{');
  let rest = text;
  if (brace !== -1 && text.endsWith('}')) {
    const literal = parsePythonLiteral(text.slice(brace));
    if (literal !== undefined && typeof literal === 'object' && literal !== null && !Array.isArray(literal)) {
      addLiteral(record, '', literal);
      rest = text.slice(0, brace);
    }
  }
  if (tableBar.test(rest)) readTableSegments(record, rest);
  else readKeyValues(record, rest);
  readAxisWords(record, rest);
  readProgress(record, rest);
  const isEmpty = Object.keys(record.values).length === 0;
  return isEmpty ? undefined : record;
}

// `{desc}: {percentage}%|{bar}| {n}/{total} [{elapsed}<{remaining}, {rate}{postfix}]`, or with no
// total `{desc}: {n}it [{elapsed}, {rate}{postfix}]`.
const tqdmBar = /^(?:(.*?):\s*)?(?:\d{1,3}%\|[^|]*\|\s*(\d+)\/(\d+)|(\d+)it)\s*\[([^\]]*)\]$/;
const gluedTqdmBar = /^\s*(?:.*?:\s*)?(?:\d{1,3}%\|[^|]*\|\s*\d+\/\d+|\d+it)\s*\[[^\]]*\]/;
const tqdmRateField = /^\s*(?:\?|[\d.]+\s*[kMG]?)\s*\S*\/\S+$/;

/**
 * A tqdm bar: its description, percentage, counters and rate are not measurements; the postfix
 * (`loss=0.31`) is, at the bar's counter unless the description or postfix says where.
 */
function readTqdm(bar: RegExpExecArray): MetricRecord | undefined {
  const [, description, barCount, total, plainCount, inBrackets] = bar;
  const record: MetricRecord = { values: {} };
  const fields = inBrackets.split(',').slice(1);
  if (fields.length > 0 && tqdmRateField.test(fields[0])) fields.shift();
  readKeyValues(record, fields.join(','));
  if (Object.keys(record.values).length === 0) return undefined;
  if (description) readAxisWords(record, description);
  const count = Number(barCount ?? plainCount);
  if (total !== undefined) record.progress ??= { done: count, total: Number(total) };
  if (record.epoch === undefined) record.step ??= count;
  return record;
}

/**
 * Configuration dumps, tracebacks and warnings are full of `name=value` that are not measurements;
 * torch's C++ (`[W socket.cpp:601] …`) and glog-style (`W1204 18:36:59.707000 463 run.py:851] …`) warnings too.
 */
function isNoise(text: string): boolean {
  return /^(?:Namespace\(|File "|Traceback|warnings\.warn|[\w.]*(?:Warning|Error|Exception)\b|\[[WE][\s\d]|[WE]\d{4} \d{2}:\d{2})/.test(
    text,
  );
}

// `…/rnn.py:67: UserWarning: dropout option adds dropout … but got dropout=0.2 and num_layers=1`,
// `Warning: lr=0.1 is high`: where a warning or exception starts, wherever in the line.
const embeddedWarning = /\b(?:[A-Z]\w*[a-z](?:Warning|Error|Exception)|[Ww]arning|WARNING): |\bwarnings\.warn\(/;

/** The text before a warning glued into the line (all of it when there is none). */
function beforeWarning(text: string): string {
  const warning = embeddedWarning.exec(text);
  return warning ? text.slice(0, warning.index).trim() : text;
}

function addValue(record: MetricRecord, rawKey: string, value: number): void {
  const name = normaliseMetricName(rawKey);
  if (name === '' || isIgnoredMetric(name)) return;
  const axis = axisKindOf(name);
  if (axis === 'step') record.step ??= value;
  else if (axis === 'epoch') record.epoch ??= value;
  else record.values[name] = value;
}

function addLiteral(record: MetricRecord, prefix: string, literal: { [key: string]: Literal }): void {
  for (const [key, value] of Object.entries(literal)) {
    const name = prefix + key;
    if (typeof value === 'number') addValue(record, name, value);
    else if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'number') addValue(record, name, value[0]);
    else if (value && typeof value === 'object' && !Array.isArray(value)) addLiteral(record, `${name}/`, value);
  }
}

function readKeyValues(record: MetricRecord, text: string): void {
  keyValue.lastIndex = 0;
  for (let match = keyValue.exec(text); match; match = keyValue.exec(text)) {
    const [, key, , rawValue, denominator, percent] = match;
    // `rdzv_endpoint: localhost:29500`: a one-word key right after a separator is a value.
    if (!key.includes(' ') && /[A-Za-z_][\w.-]*\s*[=:]\s*$/.test(text.slice(0, match.index))) continue;
    const value = toNumber(rawValue);
    const name = normaliseMetricName(key);
    if (denominator !== undefined) {
      // `Accuracy: 9915/10000 (99%)` is a ratio; `Epoch: 3/10`, `step: 200/1000` are positions.
      if (axisKindOf(name)) {
        addValue(record, key, value);
        if (axisKindOf(name) === 'step') record.progress ??= { done: value, total: Number(denominator) };
      } else if (percent !== undefined || Number(denominator) > 0) {
        addValue(record, key, (100 * value) / Number(denominator));
      }
    } else {
      addValue(record, key, value);
    }
  }
}

const tablePair = new RegExp(String.raw`^(${keyWord}(?: ${keyWord})?)\s+${wrappedValue}$`);
const tableFraction = /^(\d+)\s*\/\s*(\d+)(?:\s+[A-Za-z]+)?$/;
const tableBare = new RegExp(String.raw`^${wrappedValue}$`);
const tableLabel = new RegExp(String.raw`^${keyWord}$`);
const tableBar = /[|│┃]/;

/** fairseq / word_language_model `| epoch 1 | 200/2983 batches | lr 20.00 |`, and box tables. */
function readTableSegments(record: MetricRecord, text: string): void {
  const segments = text
    .split(tableBar)
    .map((segment) => segment.trim())
    .filter((segment) => segment !== '');
  if (segments.length === 2 && tableLabel.test(segments[0]) && tableBare.test(segments[1])) {
    addValue(record, segments[0], toNumber(tableBare.exec(segments[1])![1]));
    return;
  }
  for (const segment of segments) {
    const keyed = tablePair.exec(segment);
    const progress = tableFraction.exec(segment);
    if (keyed && !/[=:]/.test(segment)) addValue(record, keyed[1], toNumber(keyed[2]));
    else if (progress) record.progress ??= { done: Number(progress[1]), total: Number(progress[2]) };
    else readKeyValues(record, segment);
  }
}

/** `Epoch 3`, `Epoch 0: 45%|…`, `step 120/1000`, `Iter #5` without a separator. */
function readAxisWords(record: MetricRecord, text: string): void {
  axisWord.lastIndex = 0;
  for (let match = axisWord.exec(text); match; match = axisWord.exec(text)) {
    const kind = axisKindOf(match[1].toLowerCase());
    if (kind === 'epoch') record.epoch ??= Number(match[2]);
    else if (kind === 'step') {
      record.step ??= Number(match[2]);
      if (match[3] !== undefined) record.progress ??= { done: Number(match[2]), total: Number(match[3]) };
    }
  }
  const phase = timmPhase.exec(text);
  if (phase) {
    record.epoch ??= Number(phase[1]);
    delete record.values[normaliseMetricName(phase[0].split(':')[0])];
  }
}

function readProgress(record: MetricRecord, text: string): void {
  const match = bracketProgress.exec(text) ?? barProgress.exec(text);
  if (match) record.progress ??= { done: Number(match[1]), total: Number(match[2]) };
}

function toNumber(raw: string): number {
  const lower = raw.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  return Number(raw);
}
