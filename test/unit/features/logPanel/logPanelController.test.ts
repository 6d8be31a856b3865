import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JobLogDescription } from '../../../../src/logs/jobLogDescription';
import { JobLogSession, maxKeptFailures } from '../../../../src/logs/jobLogSession';
import type { HostMessage } from '../../../../src/logs/panelMessages';
import { LogPanelController } from '../../../../src/features/logPanel/logPanelController';
import { localRunner } from './localRunner';

type Message<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

describe('LogPanelController with a local job', function () {
  this.timeout(20_000);
  let dir: string;
  let job: JobLogDescription;
  let sleeper: ChildProcess;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-panel-'));
    fs.mkdirSync(path.join(dir, 'job'));
    sleeper = spawn('sleep', ['60']);
    fs.writeFileSync(path.join(dir, 'job', 'pid'), `${sleeper.pid}\n`);
    job = {
      jobId: 'job-1',
      title: 'train.py on gpu0',
      nodes: [0, 1].map((node) => ({
        machine: { kind: 'ssh' as const, id: 'local', label: `gpu${node}` },
        logPath: path.join(dir, 'job', `node-${node}.log`),
        pidPath: path.join(dir, 'job', 'pid'),
        exitCodePath: path.join(dir, 'job', 'exit-code'),
      })),
      workspace: { remoteRoot: '/remote/ws', localRoot: '/local/project' },
    };
  });

  afterEach(() => {
    sleeper.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function open(messages: HostMessage[], notifications: string[] = [], opened: string[] = []): LogPanelController {
    return new LogPanelController(
      (listener) =>
        new JobLogSession(
          job,
          { cacheDir: path.join(dir, 'cache'), connect: () => Promise.resolve(localRunner), telemetryIntervalMs: 0, followerRetryMs: 20 },
          listener,
        ),
      {
        post: (message) => messages.push(message),
        openSource: (file) => opened.push(file),
        saveLog() {},
        openAsText() {},
        notifyFailure: (text) => notifications.push(text),
      },
    );
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const last = <T extends HostMessage['type']>(messages: HostMessage[], type: T): Message<T> | undefined =>
    messages.filter((message): message is Message<T> => message.type === type).at(-1);

  it('streams lines, metrics, failures and the end of the job; a reopened panel resumes from its cache', async () => {
    const messages: HostMessage[] = [];
    const notifications: string[] = [];
    const controller = open(messages, notifications);
    controller.handle({ type: 'ready' });
    const log0 = job.nodes[0].logPath;
    fs.writeFileSync(log0, '[default0]:step=1 loss=2.5\n[default1]:step=1 loss=2.7\n[default0]:step=2 loss=2.0\n');
    // Node 1 writes once node 0's lines are in: the rows below are in that order of arrival.
    await until(() => last(messages, 'lines')?.total === 3, 'node 0 lines');
    fs.writeFileSync(job.nodes[1].logPath, 'node1 starting\n 50%|#####     | 1/2\r');
    await until(() => last(messages, 'lines')?.total === 4, 'four lines');
    await until(
      () => messages.some((m) => m.type === 'pending' && m.node === 1 && m.text === ' 50%|#####     | 1/2'),
      'the progress bar as a pending line',
    );
    await until(() => messages.some((m) => m.type === 'metrics' && m.updates.some((u) => u.metric === 'loss')), 'metrics');
    const loss = messages.flatMap((m) => (m.type === 'metrics' ? m.updates : [])).filter((u) => u.metric === 'loss');
    assert.deepEqual(
      loss.flatMap((u) => [u.stream, ...u.points]),
      ['local rank 0 (node 0)', 1, 2.5, 2, 2, 'local rank 1 (node 0)', 1, 2.7],
    );
    assert.deepEqual(last(messages, 'ranks')?.ranks, [
      { node: 1, rank: '' },
      { node: 0, rank: 'default0' },
      { node: 0, rank: 'default1' },
    ]);

    fs.appendFileSync(
      log0,
      [
        '[default1]:Traceback (most recent call last):',
        '[default1]:  File "/remote/ws/train.py", line 9, in <module>',
        '[default1]:    boom()',
        '[default1]:RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB',
        '',
      ].join('\n'),
    );
    await until(() => (last(messages, 'failures')?.failures.length ?? 0) === 1, 'the failure');
    const failure = last(messages, 'failures')!.failures[0];
    assert.equal(failure.kind, 'cudaOom');
    assert.equal(failure.rank, 'default1');
    assert.equal(failure.frames[0].localPath, '/local/project/train.py');
    await until(() => notifications.length === 1, 'the notification');
    assert.match(notifications[0], /^CUDA out of memory on local rank 1 \(node 0\): RuntimeError: CUDA out of memory/);

    controller.handle({ type: 'rows', requestId: 7, start: 0, count: 3 });
    const rows = last(messages, 'rows')!;
    assert.deepEqual(
      rows.rows.map((row) => [row.node, row.rank, row.text, row.failure]),
      [
        [0, 'default0', 'step=1 loss=2.5', false],
        [0, 'default1', 'step=1 loss=2.7', false],
        [0, 'default0', 'step=2 loss=2.0', false],
      ],
    );
    controller.handle({ type: 'filter', filter: { ranks: [{ node: 0, rank: 'default1' }] } });
    const filtered = last(messages, 'lines')!;
    assert.deepEqual(
      filtered.tail.map((row) => row.text),
      [
        'step=1 loss=2.7',
        'Traceback (most recent call last):',
        '  File "/remote/ws/train.py", line 9, in <module>',
        '    boom()',
        'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB',
      ],
    );
    assert.ok(filtered.tail.slice(1).every((row) => row.failure));
    // The filter hides the other workers' chart series as well as their lines.
    const charted = last(messages, 'metrics')!;
    assert.equal(charted.replace, true);
    assert.deepEqual(
      charted.updates.map((u) => [u.metric, u.stream, ...u.points]),
      [['loss', 'local rank 1 (node 0)', 1, 2.7]],
    );
    const metricsBefore = messages.filter((m) => m.type === 'metrics').length;
    fs.appendFileSync(log0, '[default0]:step=3 loss=1.5\n[default1]:step=2 loss=2.1\n');
    await until(() => messages.filter((m) => m.type === 'metrics').length > metricsBefore, 'new metrics');
    assert.deepEqual(
      messages
        .slice(messages.indexOf(charted) + 1)
        .flatMap((m) => (m.type === 'metrics' ? m.updates : []))
        .map((u) => [u.stream, ...u.points]),
      [['local rank 1 (node 0)', 2, 2.1]],
    );
    controller.handle({ type: 'search', requestId: 8, query: 'boom', from: -1, direction: 'next' });
    await until(() => last(messages, 'searchResult') !== undefined, 'the search result');
    assert.equal(last(messages, 'searchResult')?.position, 3);

    fs.appendFileSync(job.nodes[1].logPath, '100%|##########| 2/2\n');
    fs.writeFileSync(job.nodes[1].logPath.replace('node-1.log', 'exit-code'), '1\n');
    sleeper.kill();
    await until(() => last(messages, 'status')?.ended === true, 'the end of the job');
    assert.equal(last(messages, 'status')?.summary, 'Failed with exit code 1');
    controller.dispose();

    // A reloaded window: same cache, nothing re-read from the "remote" files.
    fs.writeFileSync(job.nodes[0].logPath, 'x'.repeat(fs.statSync(log0).size) + 'after reload\n');
    const again: HostMessage[] = [];
    const reopened = open(again);
    reopened.handle({ type: 'ready' });
    await until(() => last(again, 'status')?.ended === true && last(again, 'lines')?.total === 12, 'the restored log');
    reopened.handle({ type: 'rows', requestId: 1, start: 0, count: 20 });
    const texts = last(again, 'rows')!.rows.map((row) => row.text);
    assert.equal(texts.length, 12);
    assert.deepEqual(texts.slice(-3), ['step=2 loss=2.1', '100%|##########| 2/2', 'after reload']);
    assert.equal(last(again, 'failures')?.failures.length, 1);
    reopened.dispose();
  });

  it('a newer search stops the older one: only the newer answers', async () => {
    const messages: HostMessage[] = [];
    const controller = open(messages);
    controller.handle({ type: 'ready' });
    const count = 200_000;
    fs.writeFileSync(job.nodes[0].logPath, Array.from({ length: count }, (_, i) => `step=${i} shard-${i}\n`).join(''));
    await until(() => last(messages, 'lines')?.total === count, 'the long log');
    controller.handle({ type: 'search', requestId: 1, query: 'no such text', from: 0, direction: 'next' });
    controller.handle({ type: 'search', requestId: 2, query: `shard-${count - 3}`, from: 0, direction: 'next' });
    await until(() => last(messages, 'searchResult') !== undefined, 'a search result');
    const results = messages.filter((m) => m.type === 'searchResult');
    assert.deepEqual(
      results.map((m) => [m.requestId, m.position]),
      [[2, count - 3]],
    );
    controller.dispose();
  });

  it("opens only files inside the job's local workspace, whatever the webview asks", () => {
    const opened: string[] = [];
    const controller = open([], [], opened);
    for (const file of ['/local/project/train.py', '/local/project/../../etc/passwd', '/local/projectx/a.py', '/etc/passwd', 'relative.py'])
      controller.handle({ type: 'openSource', path: file, line: 1 });
    assert.deepEqual(opened, ['/local/project/train.py']);
    controller.dispose();
  });

  it('sends each failure once, keeps the first ones and counts them all (a traceback per bad sample)', async () => {
    const messages: HostMessage[] = [];
    const controller = open(messages);
    controller.handle({ type: 'ready' });
    const traceback = (sample: number) =>
      ['Traceback (most recent call last):', '  File "/remote/ws/data.py", line 7, in load', `ValueError: bad sample ${sample}`, ''].join(
        '\n',
      );
    fs.writeFileSync(job.nodes[0].logPath, Array.from({ length: 4000 }, (_, sample) => traceback(sample)).join(''));
    await until(() => last(messages, 'failures')?.total === 4000, 'every failure counted');
    const sent = messages.filter((message): message is Message<'failures'> => message.type === 'failures');
    const bytes = sent.reduce((sum, message) => sum + JSON.stringify(message).length, 0);
    // What the webview holds once it applied every message.
    const held: string[] = [];
    for (const message of sent) {
      held.length = message.from;
      held.push(...message.failures.map((failure) => failure.summary));
    }
    assert.equal(held.length, maxKeptFailures);
    assert.deepEqual(held.slice(0, 2), ['ValueError: bad sample 0', 'ValueError: bad sample 1']);
    assert.equal(last(messages, 'failures')?.rootCause, 0);
    assert.ok(bytes < 200_000, `${bytes} bytes of failure messages`);
    controller.dispose();
  });

  it('sends a chained traceback as its final exception, whole, with the earlier ones as its chain', async () => {
    const messages: HostMessage[] = [];
    const controller = open(messages);
    controller.handle({ type: 'ready' });
    const log = [
      'Traceback (most recent call last):',
      '  File "/remote/ws/train.py", line 3, in <module>',
      "KeyError: 'NOPE'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/remote/ws/train.py", line 5, in <module>',
      'ValueError: An invalid option for --model was supplied, options are',
      '  resnet, vit',
      'step=1 loss=0.5',
      '',
    ].join('\n');
    fs.writeFileSync(job.nodes[0].logPath, log);
    await until(() => messages.some((m) => m.type === 'failures' && m.failures.some((f) => f.chain)), 'the chained failure');
    const final = messages.flatMap((m) => (m.type === 'failures' ? m.failures : [])).find((failure) => failure.chain);
    assert.match(final?.summary ?? '', /^ValueError: An invalid option for --model was supplied/);
    assert.deepEqual(final?.chain, ["KeyError: 'NOPE'"]);
    controller.dispose();
  });

  it('calls a cancelled job cancelled, and does not report the signal that stopped it as a failure', async () => {
    for (const node of job.nodes) node.cancelledPath = path.join(dir, 'job', 'cancelled');
    const messages: HostMessage[] = [];
    const notifications: string[] = [];
    const controller = open(messages, notifications);
    controller.handle({ type: 'ready' });
    fs.writeFileSync(path.join(dir, 'job', 'node-0.log'), 'step=1 loss=0.5\n');
    fs.writeFileSync(path.join(dir, 'job', 'node-1.log'), 'step=1 loss=0.5\n');
    await until(() => (last(messages, 'status')?.nodes ?? []).every((node) => node.state === 'following'), 'following');
    // What Cancel does: the marker, then SIGTERM; torchrun reports the signal with a traceback.
    fs.writeFileSync(path.join(dir, 'job', 'cancelled'), '');
    fs.appendFileSync(
      path.join(dir, 'job', 'node-0.log'),
      [
        'Traceback (most recent call last):',
        '  File "/usr/bin/torchrun", line 8, in <module>',
        'torch.distributed.elastic.multiprocessing.api.SignalException: Process 4242 got signal: 15',
        '',
      ].join('\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 2000)); // past the root-cause settle time
    fs.writeFileSync(path.join(dir, 'job', 'exit-code'), '143\n');
    sleeper.kill();
    await until(() => last(messages, 'status')?.ended === true, 'the end');
    assert.match(last(messages, 'status')!.summary, /^Cancelled/);
    assert.deepEqual(notifications, []);
    controller.dispose();
  });
});
