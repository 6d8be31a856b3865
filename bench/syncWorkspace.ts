/**
 * Workspace sync figures against `rsync -az --delete` over the same simulated host (real OpenSSH
 * sshd on loopback), in the same run, on a workspace of 10,000 files / ~200 MB of mixed sizes and
 * content (source-like text, JSON, random binaries):
 *   first sync       into an empty folder (ours includes opening the SSH connection, as rsync does)
 *   one-file edit    re-sync after editing one file
 *   no change        re-sync with nothing changed
 * Re-syncs are timed both on the pooled connection (how the extension runs them) and with a fresh
 * connection, with the workspace's watcher as the extension keeps one (and once without it). Each
 * figure is the median of RUNS runs, ours and rsync's alternating.
 * Both clients dial the host's sshd directly, not the sandbox's fault-injection relay in front of
 * it: the relay adds Nagle delays (~40 ms a round trip) that no real network path has.
 * Run: npx tsc -p . && RUNS=5 PHASES=1 node out/bench/syncWorkspace.js   (as root, like the sandbox; RUNS=5 by default)
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../src/common/logger';
import { SshConnectionPool } from '../src/ssh/connectionPool';
import type { SshTarget } from '../src/ssh/sshTarget';
import { WorkspaceTracker } from '../src/sync/workspaceTracker';
import { FileSyncStateStore } from '../src/sync/syncState';
import { syncWorkspace, type SyncResult } from '../src/sync/workspaceSync';
import { startSimulatedHosts, type SimulatedHosts } from '../test/sandbox/hosts';
import { randomLoopbackPrefix } from '../test/sandbox/hosts/loopback';

const run = promisify(execFile);
const RUNS = Number(process.env.RUNS ?? 5);
const NAME = 'bench-sync0';

/** A deterministic-size mix: 9,000 small text files, 950 medium, 50 large. */
function makeWorkspace(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const write = (relative: string, data: Buffer): void => {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
    files++;
    bytes += data.length;
  };
  const words = 'import torch numpy model layer forward backward optimizer step loss batch epoch tensor cuda device'.split(' ');
  const text = (size: number, seed: number): Buffer => {
    let out = '';
    for (let i = seed; out.length < size; i++)
      out += `${words[i % words.length]}_${(i * 7919) % 1000} = ${words[(i * 31) % words.length]}(${i % 97})\n`;
    return Buffer.from(out.slice(0, size));
  };
  for (let i = 0; i < 9000; i++)
    write(`src/pkg${i % 30}/mod${Math.floor(i / 30) % 30}/file${i}.py`, text(1024 + ((i * 2654435761) % 7168), i));
  for (let i = 0; i < 950; i++) {
    const size = 20_000 + ((i * 40503) % 140_000);
    write(`assets/set${i % 10}/item${i}.${i % 2 ? 'bin' : 'json'}`, i % 2 ? randomBytes(size) : text(size, i));
  }
  for (let i = 0; i < 50; i++) {
    const size = 1_000_000 + ((i * 7) % 13) * 150_000;
    write(`weights/part${i}.${i % 3 ? 'npy' : 'txt'}`, i % 3 ? randomBytes(size) : text(size, i));
  }
  return { files, bytes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const stateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-'));
  const workspace = path.join(stateRoot, 'workspace');
  const { files, bytes } = makeWorkspace(workspace);
  await run('sh', ['-c', 'cat -- "$0"/*/*/* "$0"/*/*/*/* > /dev/null 2>&1 || true', workspace]); // page cache, for both
  const hosts: SimulatedHosts = await startSimulatedHosts([{ name: NAME, address: `${randomLoopbackPrefix()}2` }], {
    stateDir: path.join(stateRoot, 'hosts'),
  });
  const host = hosts.host(NAME);
  const sshdConfig = fs.readFileSync(path.join(hosts.stateDir, 'hosts', NAME, 'sshd_config'), 'utf8');
  const port = Number(/^ListenAddress [\d.]+:(\d+)$/m.exec(sshdConfig)![1]);
  const target: SshTarget = { host: host.address, port, user: hosts.user };
  const home = path.join(stateRoot, 'client-home');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
  const knownHosts = path.join(home, '.ssh', 'known_hosts');
  fs.writeFileSync(knownHosts, `[${host.address}]:${port} ${host.knownHostsLine.split(' ').slice(1).join(' ')}\n`);
  const newPool = (): SshConnectionPool =>
    new SshConnectionPool({
      hostKeyPrompt: { confirmUnknownKey: () => Promise.resolve(false), offerRemoveChangedKey: () => Promise.resolve(false) },
      settings: () => ({ identityFile: hosts.privateKeyPath, knownHostsFile: 'user', rememberPassphrases: false }),
      extensionKnownHostsFile: path.join(home, 'extension-known-hosts'),
      log: silentLogger,
      local: { user: 'bench', home, agentSocket: undefined, env: {} },
    });
  const sshCommand = [
    'ssh -F /dev/null',
    `-i ${hosts.privateKeyPath} -p ${port}`,
    `-o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHosts}`,
  ].join(' ');
  const remote = (command: string): Promise<unknown> =>
    run('ssh', [...sshCommand.split(' ').slice(1), `${hosts.user}@${host.address}`, command]);

  const oursDir = '.azure-pytorch/ws/bench-ours';
  const rsyncDir = '.azure-pytorch/ws/bench-rsync';
  const TRASH = '.azure-pytorch/bench-trash';
  let pool = newPool();
  let state = new FileSyncStateStore(path.join(stateRoot, 'sync-state-0'));
  // As in the extension: one per workspace folder, from its first sync on.
  let tracker: WorkspaceTracker | undefined;
  const ours = async (fresh: boolean, watched = true): Promise<{ seconds: number; result: SyncResult }> => {
    if (fresh) {
      pool.dispose();
      pool = newPool();
    }
    const started = process.hrtime.bigint();
    const result = await syncWorkspace(await pool.connection(target), {
      localRoot: workspace,
      remoteDir: oursDir,
      maxFileSizeBytes: 50 << 20,
      state,
      tracker: watched ? tracker : undefined,
      targetKey: `${target.user}@${target.host}:${target.port}`,
    });
    if (process.env.PHASES)
      console.log(JSON.stringify(result.phases), result.uploadedFiles, result.compressed, result.remoteCheck, result.localScan);
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, result };
  };
  const rsync = async (): Promise<number> => {
    const started = process.hrtime.bigint();
    await run('rsync', ['-az', '--delete', '-e', sshCommand, `${workspace}/`, `${hosts.user}@${host.address}:${rsyncDir}/`], {
      maxBuffer: 1 << 26,
    });
    return Number(process.hrtime.bigint() - started) / 1e9;
  };

  const rows: string[] = [];
  const report = (scenario: string, oursTimes: number[], rsyncTimes: number[], note = ''): void => {
    const o = median(oursTimes);
    const r = median(rsyncTimes);
    const line = `| ${scenario} | ${o.toFixed(3)} | ${r.toFixed(3)} | ${(r / o).toFixed(2)}× | ${note} |`;
    rows.push(line);
    console.log(line);
  };

  try {
    console.log(`workspace: ${files} files, ${(bytes / 1e6).toFixed(1)} MB; ${RUNS} runs each; ${os.cpus().length} cores`);
    // First sync: a new remote folder, no saved state and a new connection each time.
    const firstOurs: number[] = [];
    const firstRsync: number[] = [];
    let firstNote = '';
    for (let i = 0; i < RUNS; i++) {
      // Moved aside, deleted at the end: on this sandbox's journal-less ext4, each new inode is
      // found by skipping every inode freed in the last minute or more (ext4 `recently_deleted`),
      // so deleting 20,000 files right before a first sync makes whichever tool goes first pay.
      await remote(`mkdir -p ${TRASH} && mv ${oursDir} ${TRASH}/ours${i} ; mv ${rsyncDir} ${TRASH}/rsync${i} ; true`);
      state = new FileSyncStateStore(path.join(stateRoot, `sync-state-${i + 1}`));
      tracker?.dispose();
      tracker = new WorkspaceTracker(workspace);
      // Dirty pages of the last copy are written back first, so neither tool pays for the other's.
      await run('sync');
      const runOurs = async (): Promise<void> => {
        const first = await ours(true);
        firstOurs.push(first.seconds);
        const megabytes = (first.result.transferredBytes / 1e6).toFixed(1);
        firstNote = `${first.result.uploadedFiles} files, ${megabytes} MB on the wire${first.result.compressed ? ' (gzip)' : ''}`;
      };
      const runRsync = async (): Promise<void> => {
        await run('sync');
        firstRsync.push(await rsync());
      };
      if (i % 2 === 0) {
        await runOurs();
        await runRsync();
      } else {
        await runRsync();
        await run('sync');
        await runOurs();
      }
      if (process.env.PHASES)
        console.log(`first sync run ${i + 1}: ours ${firstOurs.at(-1)!.toFixed(3)} s, rsync ${firstRsync.at(-1)!.toFixed(3)} s`);
    }
    report('first sync (new connection)', firstOurs, firstRsync, firstNote);

    const edited = path.join(workspace, 'src/pkg3/mod7/file213.py');
    const editOurs: number[] = [];
    const editOursFresh: number[] = [];
    const editOursUnwatched: number[] = [];
    const editRsync: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      fs.appendFileSync(edited, `# edit ${i}\n`);
      const warm = await ours(false);
      if (warm.result.uploadedFiles !== 1) throw new Error(`expected 1 file sent, got ${warm.result.uploadedFiles}`);
      editOurs.push(warm.seconds);
      editRsync.push(await rsync());
      fs.appendFileSync(edited, `# edit ${i}b\n`);
      editOursFresh.push((await ours(true)).seconds);
      await rsync();
      fs.appendFileSync(edited, `# edit ${i}c\n`);
      editOursUnwatched.push((await ours(false, false)).seconds);
      await rsync();
    }
    report('one-file edit (pooled connection)', editOurs, editRsync);
    report('one-file edit (new connection)', editOursFresh, editRsync);
    report('one-file edit (pooled, no watcher: full local scan)', editOursUnwatched, editRsync);

    const sameOurs: number[] = [];
    const sameOursFresh: number[] = [];
    const sameRsync: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const warm = await ours(false);
      if (warm.result.uploadedFiles !== 0) throw new Error(`expected nothing sent, got ${warm.result.uploadedFiles}`);
      sameOurs.push(warm.seconds);
      sameRsync.push(await rsync());
      sameOursFresh.push((await ours(true)).seconds);
    }
    report('no change (pooled connection)', sameOurs, sameRsync);
    report('no change (new connection)', sameOursFresh, sameRsync);

    const check = await run('sh', ['-c', `cd ${host.homeDir} && diff -r ${oursDir} ${rsyncDir} && echo identical`]);
    console.log(`remote copies: ${String(check.stdout).trim()}`);
    console.log('\n| scenario | ours (s) | rsync -az (s) | speed vs rsync | |\n|---|---|---|---|---|\n' + rows.join('\n'));
  } finally {
    tracker?.dispose();
    await remote(`rm -rf ${TRASH}`).catch(() => undefined);
    pool.dispose();
    await hosts.dispose();
    fs.rmSync(stateRoot, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
