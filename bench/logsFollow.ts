/**
 * Log streaming figures, each against a peer in the same run, on one simulated host (real sshd):
 *   latency    a line's write on the host → its delivery by LogFollower, vs `ssh host tail -F`
 *   throughput lines/s from a 1,000,000-line log into the panel host (JobLogSession: cache, index,
 *              metrics, failures), vs `ssh host cat` into a line counter; with memory
 *   1M lines   search over the panel host's store (a match near the end, from the start), rows fetch
 * Run: npx tsc -p . && node out/bench/logsFollow.js   (as root, like the sandbox)
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sshMachine } from '../src/common/machine';
import { JobLogSession } from '../src/logs/jobLogSession';
import { LineView } from '../src/logs/lineView';
import { LogFollower } from '../src/logs/logFollower';
import { startSimulatedHosts, type SimulatedHosts } from '../test/sandbox/hosts';
import { randomLoopbackPrefix } from '../test/sandbox/hosts/loopback';
import { runOverSsh, sshArguments } from '../test/sandbox/hosts/ssh-command';
import { ssh2RunnerProvider } from '../test/system/logs/ssh2TestRunner';

const name = 'bench-node0';

async function ssh(hosts: SimulatedHosts, command: string): Promise<string> {
  const result = await runOverSsh(hosts, name, command);
  if (result.code !== 0) throw new Error(`${command}: ${result.stderr}`);
  return result.stdout;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Lines `<ns since epoch> <seq>` appended every 20 ms by a detached job; both clients follow the same file. */
async function latency(hosts: SimulatedHosts, home: string): Promise<void> {
  const dir = `${home}/.azure-pytorch/jobs/latency`;
  const count = 500;
  await runOverSsh(hosts, name, `mkdir -p ${dir} && cat > ${dir}/run.sh && chmod +x ${dir}/run.sh`, {
    input: `#!/bin/sh\nsleep 2\n/usr/bin/python3 -c '
import time, sys
for i in range(${count}):
    sys.stdout.write("%d %d\\n" % (time.time_ns(), i)); sys.stdout.flush(); time.sleep(0.02)
'\necho 0 > exit-code\n`,
  });
  await ssh(hosts, `cd ${dir} || exit 1; : > node-0.log; setsid nohup ./run.sh > node-0.log 2>&1 < /dev/null & echo $! > ${dir}/pid`);
  const delays = (record: number[]) => (text: string) => {
    for (const line of text.split('\n')) {
      const [ns] = line.split(' ');
      if (/^\d+$/.test(ns)) record.push(performance.timeOrigin + performance.now() - Number(BigInt(ns) / 1000n) / 1000);
    }
  };
  const ours: number[] = [];
  const peer: number[] = [];
  const peerProcess = spawn('ssh', sshArguments(hosts, name, `tail -c +1 -F ${dir}/node-0.log`), { stdio: ['ignore', 'pipe', 'ignore'] });
  let peerPartial = '';
  peerProcess.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const text = peerPartial + chunk;
    const cut = text.lastIndexOf('\n') + 1;
    peerPartial = text.slice(cut);
    delays(peer)(text.slice(0, cut));
  });
  const connection = ssh2RunnerProvider(hosts, name);
  let partial = '';
  const follower = new LogFollower(
    connection.provider,
    { logPath: `${dir}/node-0.log`, pidPath: `${dir}/pid`, exitCodePath: `${dir}/exit-code` },
    0,
    {
      onData(chunk) {
        const text = partial + chunk.toString();
        const cut = text.lastIndexOf('\n') + 1;
        partial = text.slice(cut);
        delays(ours)(text.slice(0, cut));
      },
      onState() {},
    },
  );
  await follower.run();
  peerProcess.kill();
  connection.dispose();
  const row = (label: string, values: number[]) =>
    `| ${label} | ${values.length} | ${percentile(values, 50).toFixed(2)} | ${percentile(values, 95).toFixed(2)} |`;
  console.log('\n### Latency, write on the host → delivered (ms)\n');
  console.log('| client | lines | p50 | p95 |\n|---|---|---|---|');
  console.log(row('LogFollower (ssh2)', ours));
  console.log(row('peer: ssh host tail -F (OpenSSH)', peer));
  console.log(
    `\nratio p50 ${(percentile(ours, 50) / percentile(peer, 50)).toFixed(2)}×, ` +
      `p95 ${(percentile(ours, 95) / percentile(peer, 95)).toFixed(2)}× (goal ≤ 1.5×)`,
  );
}

async function throughput(hosts: SimulatedHosts, home: string): Promise<JobLogSession> {
  const dir = `${home}/.azure-pytorch/jobs/throughput`;
  const lines = 1_000_000;
  await ssh(
    hosts,
    `mkdir -p ${dir} && cd ${dir} && /usr/bin/python3 -c '
import random
random.seed(1)
with open("node-0.log", "w") as f:
    for i in range(${lines}):
        r = i % 4
        if r == 0: f.write("[default%d]:step=%d loss=%.4f lr=%.2e grad_norm=%.3f\\n"
                           % (i % 2, i, random.random() * 3, 3e-4, random.random()))
        elif r == 1: f.write("[default%d]:  %d%%|#####     | %d/1000 [00:01<00:02, 412.3it/s]\\n" % (i % 2, i % 100, i % 1000))
        elif r == 2: f.write("[default%d]:INFO:root:processed batch %d of shard train-%05d.tar in 0.03 s\\n" % (i % 2, i, i % 1000))
        else: f.write("[default%d]:| epoch %3d | %5d/ 2983 batches | lr 20.00 | ms/batch 12.34 | loss %5.2f | ppl %8.2f\\n"
                      % (i % 2, i // 10000, i % 2983, 5.91, 368.5))
' && echo 0 > exit-code && echo 1 > pid && wc -c < node-0.log`,
  );
  const bytes = Number((await ssh(hosts, `wc -c < ${dir}/node-0.log`)).trim());

  const peerStart = process.hrtime.bigint();
  let peerLines = 0;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ssh', sshArguments(hosts, name, `cat ${dir}/node-0.log`), { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) peerLines++;
    });
    child.once('error', reject);
    child.once('close', () => resolve());
  });
  const peerSeconds = Number(process.hrtime.bigint() - peerStart) / 1e9;

  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-logs-'));
  const connection = ssh2RunnerProvider(hosts, name);
  global.gc?.();
  const before = process.memoryUsage();
  let delivered = 0;
  let peakRss = before.rss;
  const start = process.hrtime.bigint();
  const session = await new Promise<JobLogSession>((resolve) => {
    const created: JobLogSession = new JobLogSession(
      {
        jobId: 'bench',
        title: 'bench',
        nodes: [{ machine: sshMachine(name), logPath: `${dir}/node-0.log`, pidPath: `${dir}/pid`, exitCodePath: `${dir}/exit-code` }],
      },
      { cacheDir, connect: connection.provider, telemetryIntervalMs: 0 },
      {
        onLines: (added) => {
          delivered += added.length;
          if (delivered % 50_000 < added.length) peakRss = Math.max(peakRss, process.memoryUsage().rss);
        },
        onPending() {},
        onStatus: () => {
          if (created.ended) resolve(created);
        },
        onFailure() {},
        onGpu() {},
      },
    );
    created.start();
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  global.gc?.();
  const after = process.memoryUsage();
  connection.dispose();
  console.log(`\n### Throughput, ${lines.toLocaleString('en')} lines (${(bytes / 1e6).toFixed(1)} MB) into the panel host\n`);
  console.log('| path | lines | seconds | lines/s |\n|---|---|---|---|');
  const perSecond = (count: number, secs: number): string => Math.round(count / secs).toLocaleString('en');
  console.log(
    '| LogFollower → JobLogSession (cache, index, metrics, failures) ' +
      `| ${delivered} | ${seconds.toFixed(2)} | ${perSecond(delivered, seconds)} |`,
  );
  console.log(`| peer: ssh host cat → newline count | ${peerLines} | ${peerSeconds.toFixed(2)} | ${perSecond(peerLines, peerSeconds)} |`);
  console.log(`\nratio ${(delivered / seconds / (peerLines / peerSeconds)).toFixed(2)}× the peer's lines/s (goal ≥ 100,000 lines/s)`);
  console.log(
    `memory: heap ${(before.heapUsed / 1e6).toFixed(0)} → ${(after.heapUsed / 1e6).toFixed(0)} MB after GC, ` +
      `rss ${(before.rss / 1e6).toFixed(0)} → peak ${(peakRss / 1e6).toFixed(0)} MB; metric points kept: bounded at 4,000 a series`,
  );
  return session;
}

async function searchMillion(session: JobLogSession): Promise<void> {
  const view = new LineView(session.store);
  const needle = 'train-00998.tar';
  let start = process.hrtime.bigint();
  const position = await view.search(needle, -1, 'next');
  const firstMs = Number(process.hrtime.bigint() - start) / 1e6;
  start = process.hrtime.bigint();
  const fromEnd = await view.search('shard train-00002.tar', view.length - 1, 'previous');
  const backMs = Number(process.hrtime.bigint() - start) / 1e6;
  start = process.hrtime.bigint();
  const last = await view.search('no such text anywhere', 0, 'next');
  const fullMs = Number(process.hrtime.bigint() - start) / 1e6;
  start = process.hrtime.bigint();
  view.setFilter({ ranks: [{ node: 0, rank: 'default1' }] });
  const filterMs = Number(process.hrtime.bigint() - start) / 1e6;
  start = process.hrtime.bigint();
  for (let i = 0; i < 200; i++) session.store.line(500_000 + i);
  const rowsMs = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`\n### Panel host with ${session.store.lineCount.toLocaleString('en')} lines\n`);
  console.log('| operation | ms |\n|---|---|');
  console.log(`| search, first match (line ${position}) | ${firstMs.toFixed(1)} |`);
  console.log(`| search previous from the end (line ${fromEnd}) | ${backMs.toFixed(1)} |`);
  console.log(
    `| search with no match (all ${session.store.lineCount.toLocaleString('en')} lines, result ${last}) | ${fullMs.toFixed(0)} |`,
  );
  console.log(`| filter to one rank (${view.length.toLocaleString('en')} lines) | ${filterMs.toFixed(1)} |`);
  console.log(`| 200 rows from the middle, cold (what the webview requests on a jump) | ${rowsMs.toFixed(1)} |`);
  console.log(
    `\nheap after: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB; ` +
      'the webview holds at most 6,000 rows and renders only the visible ones',
  );
}

async function main(): Promise<void> {
  const hosts = await startSimulatedHosts([{ name, address: `${randomLoopbackPrefix()}2` }], {
    stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-logs-hosts-')),
  });
  try {
    const home = (await ssh(hosts, 'echo $HOME')).trim();
    console.log(
      `## Live logs (issue 6) — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, ` +
        'one simulated host (OpenSSH sshd on loopback)',
    );
    await latency(hosts, home);
    const session = await throughput(hosts, home);
    await searchMillion(session);
    session.dispose();
  } finally {
    await hosts.dispose();
  }
}

void main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
