import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSimulatedHosts, type HostSpec, type SimulatedHosts } from '../../sandbox/hosts';
import { randomLoopbackPrefix } from '../../sandbox/hosts/loopback';
import { runCommand } from '../../sandbox/hosts/run-command';
import { runOverSsh, spawnSsh } from '../../sandbox/hosts/ssh-command';

const A100 = { model: 'NVIDIA A100 80GB PCIe', count: 2, memoryMiB: 81920 };
const T4 = { model: 'Tesla T4', count: 1, memoryMiB: 15360 };
const QUERY = '--query-gpu=index,name,utilization.gpu,memory.used,memory.total';

describe('simulated GPU hosts', function () {
  this.timeout(60_000);
  const prefix = randomLoopbackPrefix();
  const specs: HostSpec[] = [
    { name: 'gpu-node0', address: `${prefix}2`, gpu: A100 },
    { name: 'gpu-node1', address: `${prefix}3`, gpu: T4 },
    { name: 'cpu-node', address: `${prefix}4` },
  ];
  let hosts: SimulatedHosts;

  before(async () => {
    hosts = await startSimulatedHosts(specs, { stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'hosts-test-')) });
  });

  after(async () => {
    await hosts?.dispose();
  });

  async function ok(name: string, command: string): Promise<string> {
    const result = await runOverSsh(hosts, name, command);
    assert.equal(result.code, 0, `${command} on ${name} failed: ${result.stderr}`);
    return result.stdout;
  }

  it('gives each host its own hostname', async function () {
    if (!hosts.isolated) this.skip(); // without root every host shares this machine's hostname
    for (const spec of specs) {
      assert.equal((await ok(spec.name, 'hostname')).trim(), spec.name);
    }
  });

  it('gives each host its own home', async function () {
    if (!hosts.isolated) this.skip();
    await ok('gpu-node0', 'echo only-on-node0 > marker.txt');
    assert.equal((await ok('gpu-node0', 'cat ~/marker.txt')).trim(), 'only-on-node0');
    assert.equal((await runOverSsh(hosts, 'gpu-node1', 'test -e marker.txt')).code, 1);
    assert.equal(fs.readFileSync(path.join(hosts.host('gpu-node0').homeDir, 'marker.txt'), 'utf8'), 'only-on-node0\n');
  });

  it('reports the GPUs of the VM size through nvidia-smi', async () => {
    const rows = async (name: string): Promise<string[][]> =>
      (await ok(name, `nvidia-smi ${QUERY} --format=csv,noheader,nounits`))
        .trim()
        .split('\n')
        .map((line) => line.split(', '));
    const node0 = await rows('gpu-node0');
    assert.deepEqual(
      node0.map(([index, name, , , total]) => [index, name, total]),
      [
        ['0', A100.model, '81920'],
        ['1', A100.model, '81920'],
      ],
    );
    const node1 = await rows('gpu-node1');
    assert.deepEqual(
      node1.map(([index, name, , , total]) => [index, name, total]),
      [['0', T4.model, '15360']],
    );
    assert.match((await ok('gpu-node1', 'nvidia-smi -L')).trim(), /^GPU 0: Tesla T4 \(UUID: GPU-[0-9a-f-]{36}\)$/);
    assert.match(await ok('gpu-node1', 'nvidia-smi'), /Tesla T4 .*\n.* 0MiB \/ 15360MiB/);
    const none = await runOverSsh(hosts, 'cpu-node', 'nvidia-smi');
    assert.deepEqual([none.code, none.stdout.trim()], [6, 'No devices were found']);
  });

  it('reports the GPU load the sandbox sets, with and without units', async () => {
    await hosts.setGpuLoad('gpu-node0', { utilization: 97, memoryUsedMiB: 40123 });
    assert.equal(
      await ok('gpu-node0', `nvidia-smi ${QUERY} --format=csv,noheader`),
      `0, ${A100.model}, 97 %, 40123 MiB, 81920 MiB\n1, ${A100.model}, 97 %, 40123 MiB, 81920 MiB\n`,
    );
    await hosts.setGpuLoad('gpu-node0', [{ utilization: 12 }, { utilization: 55, memoryUsedMiB: 2048 }]);
    const query = `nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits`;
    assert.equal(await ok('gpu-node0', query), '12, 0\n55, 2048\n');
    await hosts.setGpuLoad('gpu-node0', undefined);
    assert.equal(await ok('gpu-node0', query), '0, 0\n0, 0\n');
  });

  it('nvidia-smi -l repeats with the live values', async () => {
    const command = 'nvidia-smi -l 1 --query-gpu=utilization.gpu --format=csv,noheader,nounits';
    const loop = spawnSsh(hosts, 'gpu-node1', command);
    try {
      await outputContains(loop, '0\n');
      await hosts.setGpuLoad('gpu-node1', { utilization: 42 });
      await outputContains(loop, '42\n');
    } finally {
      loop.kill();
      await hosts.setGpuLoad('gpu-node1', undefined);
    }
  });

  it("derives GPU load from the host's running Python job", async () => {
    const busyLoop = `timeout 30 python3 -c 'while True: pass'`;
    const busyJob = `LOCAL_RANK=1 setsid nohup ${busyLoop} > /dev/null 2>&1 < /dev/null & echo $!`;
    const pid = (await ok('gpu-node0', busyJob)).trim();
    try {
      await sleep(300);
      const query = 'nvidia-smi --query-gpu=index,utilization.gpu,memory.used --format=csv,noheader,nounits';
      const rows = (await ok('gpu-node0', query)).trim().split('\n');
      const [gpu0, gpu1] = rows.map((line) => line.split(', ').map(Number));
      assert.deepEqual(gpu0, [0, 0, 0]);
      assert.ok(gpu1 && gpu1[1] >= 30 && gpu1[2] > 0, `GPU 1 should be busy: ${gpu1?.join(', ')}`);
      assert.equal((await ok('gpu-node1', query)).trim(), '0, 0, 0', 'another host does not see the job');
    } finally {
      await runOverSsh(hosts, 'gpu-node0', `kill ${pid}`);
    }
  });

  it("runs Debian's PyTorch as python3", async () => {
    const output = await ok(
      'gpu-node1',
      'command -v python3; python3 -c "import torch, torch.distributed as d; ' + 'print(torch.__version__, d.is_gloo_available())"',
    );
    assert.match(output, /^\/usr\/bin\/python3\n1\.13\.\S+ True\n$/);
  });

  it('serves the host keys listed in known_hosts', async () => {
    for (const host of hosts.hosts) {
      const scanned = await runCommand('ssh-keyscan', ['-p', String(host.port), '-t', 'ed25519', host.address]);
      const keyFile = path.join(hosts.stateDir, `scanned-${host.name}`);
      fs.writeFileSync(keyFile, scanned);
      const fingerprint = new RegExp(`^256 ${escapeRegExp(host.hostKeyFingerprint)} `);
      assert.match(await runCommand('ssh-keygen', ['-lf', keyFile]), fingerprint);
    }
    // Strict checking is real: node1's key under node0's address is rejected.
    const node0 = hosts.host('gpu-node0');
    const wrongKnownHosts = path.join(hosts.stateDir, 'wrong_known_hosts');
    const node1Key = hosts.host('gpu-node1').knownHostsLine.split(' ').slice(1).join(' ');
    fs.writeFileSync(wrongKnownHosts, `${node0.address} ${node1Key}\n`);
    const sshOptions = [`UserKnownHostsFile=${wrongKnownHosts}`];
    const rejected = await runOverSsh(hosts, 'gpu-node0', 'true', { sshOptions });
    assert.equal(rejected.code, 255);
    assert.match(rejected.stderr, /Host key verification failed/);
  });

  it('stop refuses connections and ends detached jobs; start brings back the same key and disk', async () => {
    // Without root the home is the user's real one: leave it alone.
    if (hosts.isolated) await ok('gpu-node1', 'echo kept > disk.txt');
    const job = `sleep ${uniqueSeconds()}`; // unique command line: found on this machine whatever the host's PIDs
    await ok('gpu-node1', `setsid nohup ${job} > /dev/null 2>&1 < /dev/null &`);
    // The detached child may still be between fork and exec when ssh returns: wait for the job itself.
    await eventually(() => processesRunning(job).length === 1, 'the detached job runs');
    const rootPid = hosts.host('gpu-node1').pid;

    await hosts.stop('gpu-node1');
    assert.equal(hosts.host('gpu-node1').running, false);
    const refused = await runOverSsh(hosts, 'gpu-node1', 'true');
    assert.equal(refused.code, 255);
    assert.match(refused.stderr, /Connection refused/);
    assert.deepEqual(processesMentioning(job), [], 'the detached job died with its VM');
    assert.equal(isAlive(rootPid!), false, 'sshd is gone');
    assert.equal((await ok('gpu-node0', 'hostname')).trim() !== '', true, 'other hosts keep running');

    await hosts.start('gpu-node1');
    assert.equal(hosts.host('gpu-node1').running, true);
    if (hosts.isolated) assert.equal((await ok('gpu-node1', 'cat disk.txt')).trim(), 'kept');
    else assert.equal((await ok('gpu-node1', 'echo back')).trim(), 'back');
  });

  it('killConnections breaks open sessions; new ones work', async () => {
    const session = spawnSsh(hosts, 'gpu-node0', 'echo ready; sleep 100');
    await outputContains(session, 'ready');
    const started = Date.now();
    await hosts.killConnections('gpu-node0');
    assert.equal(await exitCode(session), 255);
    assert.ok(Date.now() - started < 60_000, 'broken long before the 100 s sleep would have ended');
    assert.equal((await ok('gpu-node0', 'echo again')).trim(), 'again');
  });

  it('freezeNetwork stalls connections silently until thawNetwork', async () => {
    const session = spawnSsh(hosts, 'gpu-node1', 'for i in $(seq 1 20); do echo tick; sleep 0.1; done');
    await outputContains(session, 'tick');
    await hosts.freezeNetwork('gpu-node1');
    await sleep(200);
    const frozenAt = output(session).length;
    const newcomer = await runOverSsh(hosts, 'gpu-node1', 'true', { sshOptions: ['ConnectTimeout=1'] });
    assert.equal(newcomer.code, 255);
    assert.match(newcomer.stderr, /timed out/, 'no answer, no reset');
    assert.equal(output(session).length, frozenAt, 'nothing arrives while frozen');
    assert.equal(session.exitCode, null, 'the connection stays open');

    await hosts.thawNetwork('gpu-node1');
    assert.equal(await exitCode(session), 0);
    assert.equal(output(session).match(/tick/g)?.length, 20, 'every line arrives after the thaw');
  });

  it('cutNetwork resets open connections; the host stays reachable', async () => {
    const session = spawnSsh(hosts, 'gpu-node1', 'echo ready; sleep 30');
    await outputContains(session, 'ready');
    await hosts.cutNetwork('gpu-node1');
    assert.equal(await exitCode(session), 255);
    assert.equal((await ok('gpu-node1', 'echo again')).trim(), 'again');
  });
});

describe('disposing simulated GPU hosts', function () {
  this.timeout(30_000);

  it('leaves no process, job or state folder behind', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hosts-dispose-'));
    const spec = { name: 'short-lived', address: `${randomLoopbackPrefix()}2` };
    const hosts = await startSimulatedHosts([spec], { stateDir });
    const job = `sleep ${uniqueSeconds()}`;
    let rootPid: number | undefined;
    try {
      await runOverSsh(hosts, 'short-lived', `setsid nohup ${job} > /dev/null 2>&1 < /dev/null &`);
      rootPid = hosts.host('short-lived').pid;
      assert.equal(processesMentioning(job).length, 1, 'the detached job runs');
      assert.ok(processesMentioning(stateDir).length >= 2, 'sshd and the relay process name the state folder');
    } finally {
      await hosts.dispose();
    }
    assert.equal(isAlive(rootPid!), false);
    assert.deepEqual(processesMentioning(job), []);
    assert.deepEqual(processesMentioning(stateDir), []);
    assert.equal(fs.existsSync(stateDir), false);
  });
});

function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A `sleep` duration no other process on this machine has in its command line. */
function uniqueSeconds(): string {
  return `${1000 + Math.floor(Math.random() * 1e6)}.${process.pid}`;
}

/** Live processes on this machine whose command line is `command` (not a shell or launcher naming it). */
function processesRunning(command: string): string[] {
  return processesMentioning(command).filter((entry) => entry.replace(/^\d+: /, '').trim() === command);
}

/** Waits for `condition` with a limit a busy machine does not miss, checking every 50 ms. */
async function eventually(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${limitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Live processes on this machine whose command line contains `text`. */
function processesMentioning(text: string): string[] {
  return fs.readdirSync('/proc').flatMap((entry) => {
    try {
      const commandLine = fs.readFileSync(`/proc/${entry}/cmdline`, 'latin1').replace(/\0/g, ' ');
      const matches = /^\d+$/.test(entry) && isAlive(Number(entry)) && commandLine.includes(text);
      return matches ? [`${entry}: ${commandLine}`] : [];
    } catch {
      return [];
    }
  });
}

const outputs = new WeakMap<ChildProcess, string>();

function output(child: ChildProcess): string {
  if (!outputs.has(child)) {
    outputs.set(child, '');
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      outputs.set(child, (outputs.get(child) ?? '') + chunk);
    });
    child.stderr?.resume();
  }
  return outputs.get(child) ?? '';
}

async function outputContains(child: ChildProcess, text: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!output(child).includes(text)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`No "${text}" in: ${output(child)}`);
    await sleep(20);
  }
}

function exitCode(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  output(child); // keep reading: ssh exits only once its output is consumed
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ssh did not exit')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
