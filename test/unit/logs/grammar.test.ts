import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonArray, jsonAt, jsonEntries, jsonOptionalString, jsonString, parseJson } from '../../json';

// A small TextMate tokenizer over Node's RegExp (the grammar sticks to syntax both engines share):
// leftmost match wins, ties go to the earlier pattern; begin/end rules carry over lines.
interface Rule {
  match?: string;
  begin?: string;
  end?: string;
  name?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
}

interface Grammar {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const grammarPath = path.join(__dirname, '../../../../syntaxes/pytorch-log.tmLanguage.json');
type Captures = Record<string, { name: string }>;

function parseCaptures(value: unknown): Captures | undefined {
  return value === undefined
    ? undefined
    : Object.fromEntries(jsonEntries(value).map(([group, capture]) => [group, { name: jsonString(capture, 'name') }]));
}

function parseRule(value: unknown): Rule {
  const patterns = jsonAt(value, 'patterns');
  return {
    match: jsonOptionalString(value, 'match'),
    begin: jsonOptionalString(value, 'begin'),
    end: jsonOptionalString(value, 'end'),
    name: jsonOptionalString(value, 'name'),
    include: jsonOptionalString(value, 'include'),
    patterns: patterns === undefined ? undefined : jsonArray(patterns).map(parseRule),
    captures: parseCaptures(jsonAt(value, 'captures')),
    beginCaptures: parseCaptures(jsonAt(value, 'beginCaptures')),
    endCaptures: parseCaptures(jsonAt(value, 'endCaptures')),
  };
}

const grammarJson = parseJson(fs.readFileSync(grammarPath, 'utf8'));
const grammar: Grammar = {
  scopeName: jsonString(grammarJson, 'scopeName'),
  patterns: jsonArray(grammarJson, 'patterns').map(parseRule),
  repository: Object.fromEntries(jsonEntries(grammarJson, 'repository').map(([key, rule]) => [key, parseRule(rule)])),
};

function expand(rules: Rule[]): Rule[] {
  return rules.flatMap((rule) => {
    if (rule.include) return expand([grammar.repository[rule.include.slice(1)]]);
    if (!rule.match && !rule.begin && rule.patterns) return expand(rule.patterns);
    return [rule];
  });
}

type Token = [text: string, scope: string];

function tokenize(lines: string[]): Token[][] {
  const stack: Rule[] = [];
  return lines.map((line) => {
    const tokens: Token[] = [];
    let at = 0;
    while (at <= line.length) {
      const open = stack.at(-1);
      const candidates = expand(open ? (open.patterns ?? []) : grammar.patterns);
      let best: { rule: Rule | 'end'; match: RegExpExecArray } | undefined;
      const consider = (rule: Rule | 'end', source: string) => {
        const regex = new RegExp(source, 'gd');
        regex.lastIndex = at;
        const match = regex.exec(line);
        if (match && (!best || match.index < best.match.index)) best = { rule, match };
      };
      if (open) consider('end', open.end!);
      for (const rule of candidates) consider(rule, rule.match ?? rule.begin!);
      if (!best || (best.match[0] === '' && best.rule !== 'end')) break;
      const { rule, match } = best;
      const captures = rule === 'end' ? open!.endCaptures : (rule.captures ?? rule.beginCaptures);
      const scope = rule === 'end' ? '' : (rule.name ?? '');
      if (captures) {
        for (const [group, { name }] of Object.entries(captures)) {
          const span = match.indices![Number(group)];
          if (span) tokens.push([line.slice(span[0], span[1]), name]);
        }
      } else if (scope) {
        tokens.push([match[0], scope]);
      }
      if (rule === 'end') stack.pop();
      else if (rule.begin) stack.push(rule);
      at = match.index + Math.max(1, match[0].length);
    }
    return tokens;
  });
}

function scopesOf(line: string): Record<string, string> {
  return Object.fromEntries(tokenize([line])[0].map(([text, scope]) => [text, scope.replace(/\.pytorch-log$/, '')]));
}

describe('pytorch-log grammar', () => {
  it('compiles every pattern as a JavaScript regex', () => {
    for (const rule of Object.values(grammar.repository).flatMap((rule) => [rule, ...(rule.patterns ?? [])])) {
      for (const source of [rule.match, rule.begin, rule.end]) if (source) assert.doesNotThrow(() => new RegExp(source), source);
    }
  });

  it('scopes rank prefixes, timestamps, levels, metric names and values', () => {
    assert.deepEqual(scopesOf('[default0]:2024-05-01 12:00:03,123 - INFO - step=300 loss=0.8123 lr=2.5e-4'), {
      '[default0]:': 'entity.name.tag.rank',
      '2024-05-01 12:00:03,123': 'constant.numeric.timestamp',
      INFO: 'markup.inserted.level.info',
      step: 'variable.other.metric',
      loss: 'variable.other.metric',
      lr: 'variable.other.metric',
      '=': 'punctuation.separator.key-value',
      '300': 'constant.numeric.metric',
      '0.8123': 'constant.numeric.metric',
      '2.5e-4': 'constant.numeric.metric',
    });
  });

  it('does not read addresses, versions or times as metrics', () => {
    const scopes = scopesOf('rdzv_endpoint: localhost:29500 torch 1.13.1 at 12:30:05');
    assert.equal(scopes.localhost, undefined);
    assert.equal(scopes['12:30:05'], 'constant.numeric.timestamp');
    assert.ok(!Object.values(scopes).includes('variable.other.metric'));
  });

  it('marks errors, CUDA OOM, NCCL failures, ChildFailedError and Killed', () => {
    for (const line of [
      'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB',
      'torch.distributed.DistBackendError: NCCL error in: ProcessGroupNCCL.cpp:1275',
      'torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ',
      'Killed',
      'ValueError: bad shape',
    ]) {
      assert.ok(Object.values(scopesOf(line)).includes('invalid.illegal.failure'), line);
    }
    assert.equal(scopesOf('ERROR:torch.distributed:failed').ERROR, 'invalid.illegal.level.error');
    assert.ok(!Object.values(scopesOf('the error rate is low, nothing was killed')).includes('invalid.illegal.failure'));
  });

  it('scopes a traceback across lines: heading, frames, exception', () => {
    const tokens = tokenize([
      '[default1]:Traceback (most recent call last):',
      '[default1]:  File "/home/azureuser/ws/train.py", line 42, in main',
      '[default1]:    loss = model(x)',
      '[default1]:RuntimeError: shape mismatch',
      'step=5 loss=1.0',
    ]);
    assert.deepEqual(tokens[0], [['Traceback (most recent call last):', 'markup.heading.traceback.pytorch-log']]);
    assert.deepEqual(
      tokens[1].slice(1).map(([text, scope]) => [text, scope.split('.')[0]]),
      [
        ['File', 'keyword'],
        ['"/home/azureuser/ws/train.py"', 'string'],
        ['line', 'keyword'],
        ['42', 'constant'],
        ['in', 'keyword'],
        ['main', 'entity'],
      ],
    );
    assert.deepEqual(tokens[3], [['RuntimeError: shape mismatch', 'invalid.illegal.exception.pytorch-log']]);
    assert.ok(
      tokens[4].some(([text, scope]) => text === 'loss' && scope === 'variable.other.metric.pytorch-log'),
      'back to normal lines after the exception',
    );
  });

  it('marks tqdm progress bars', () => {
    assert.equal(scopesOf(' 45%|████▌     | 45/100 [00:02<00:03, 17.23it/s]')['45%|████▌     | 45/100'], 'markup.other.progress');
  });
});
