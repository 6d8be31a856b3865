import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CostGuardPolicy } from '../../../src/costGuard/policy';
import type { WatchdogScheduler } from '../../../src/costGuard/watchdogCommands';
import { installWatchdog, removeWatchdog, type WatchdogHost } from '../../../src/costGuard/watchdogHost';
import { watchdogConfig, type WatchdogConfig, type WatchdogConfigInputs } from '../../../src/costGuard/watchdogConfig';
import { parseWatchdogLog, type WatchdogDecision } from '../../../src/costGuard/watchdogLog';
import { jobDir, jobsDir, watchdogDir } from '../../../src/jobs/remoteLayout';
import { shellQuote } from '../../../src/ssh/shellQuote';
import { jsonAt, jsonNumber, jsonString, parseJson } from '../../json';
import { loadCloudSpec } from '../../sandbox/arm';
import { randomLoopbackPrefix } from '../../sandbox/hosts/loopback';
import { runOverSsh } from '../../sandbox/hosts/ssh-command';
import type { InstanceMetadataStandIn } from '../../sandbox/imds';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { sandboxJobHost, sandboxPool } from '../jobs/sandboxJobHosts';

/** The VM every cost guard test runs on: one simulated host, on a loopback prefix of its own. */
export const VM = 'gpu-a100-1';

export interface CostGuardSandbox {
  readonly sandbox: Sandbox;
  readonly imds: InstanceMetadataStandIn;
  /** The VM over the SSH layer's pooled connection, as the extension reaches it. */
  readonly host: WatchdogHost;
  dispose(): Promise<void>;
}

export async function startCostGuardSandbox(): Promise<CostGuardSandbox> {
  const cloud = loadCloudSpec();
  const prefix = randomLoopbackPrefix();
  for (const group of cloud.subscriptions.flatMap((subscription) => subscription.resourceGroups)) {
    for (const vm of group.vms) {
      if (vm.name === VM) vm.publicIpAddress = `${prefix}2`;
      else if (vm.simulatedHost) vm.simulatedHost = false;
    }
  }
  const sandbox = await startSandbox({ stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'cost-guard-')), cloud, operationMs: 300 });
  const { imds } = sandbox;
  const pool = sandboxPool(sandbox.hosts);
  return {
    sandbox,
    imds,
    host: sandboxJobHost(sandbox.hosts, VM, pool),
    async dispose() {
      pool.dispose();
      await sandbox.dispose();
    },
  };
}

/** Every address the watchdog may talk to is this machine's loopback: never Azure's metadata address or the internet. */
function assertLoopback(config: WatchdogConfig): void {
  for (const url of [config.endpoints.instanceMetadata, config.endpoints.resourceManager]) {
    assert.match(new URL(url).hostname, /^127\.\d+\.\d+\.\d+$/, `${url} is not a loopback address`);
  }
}

export function sandboxConfig(env: CostGuardSandbox, policy: CostGuardPolicy, extra: Partial<WatchdogConfigInputs> = {}): WatchdogConfig {
  const { arm } = env.sandbox;
  const config = watchdogConfig({
    vmResourceId: arm.state.vmNamed(VM).id,
    policy,
    endpoints: {
      instanceMetadata: env.imds.endpointOf(VM),
      resourceManager: arm.endpoint,
      resourceManagerAudience: 'https://management.azure.com/',
      resourceManagerCaPem: arm.caPem,
    },
    checkIntervalSeconds: 1,
    ...extra,
  });
  assertLoopback(config);
  return config;
}

export async function ssh(env: CostGuardSandbox, argv: readonly string[], input = ''): Promise<string> {
  const result = await runOverSsh(env.sandbox.hosts, VM, shellQuote(argv), { input });
  assert.strictEqual(result.code, 0, `${argv.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export async function install(
  env: CostGuardSandbox,
  policy: CostGuardPolicy,
  extra: Partial<WatchdogConfigInputs> = {},
): Promise<{ scheduler: WatchdogScheduler | undefined; installedAt: number }> {
  const installedAt = Math.floor(Date.now() / 1000);
  return { scheduler: await installWatchdog(env.host, sandboxConfig(env, policy, extra)), installedAt };
}

export async function uninstall(env: CostGuardSandbox): Promise<void> {
  if (env.sandbox.hosts.host(VM).running) await removeWatchdog(env.host);
}

function homeFile(env: CostGuardSandbox, relative: string): string {
  return path.join(env.sandbox.hosts.host(VM).homeDir, relative);
}

/** A file of a job's folder on the VM, or undefined while it does not exist. */
export function jobFile(env: CostGuardSandbox, jobId: string, name: string): string | undefined {
  const file = homeFile(env, `${jobDir(jobId)}/${name}`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

export function decisions(env: CostGuardSandbox): WatchdogDecision[] {
  const file = homeFile(env, `${watchdogDir()}/decisions.log`);
  return fs.existsSync(file) ? parseWatchdogLog(fs.readFileSync(file, 'utf8')) : [];
}

export interface WatchdogState {
  checks?: number;
  lastCheck?: { at: number; kind: string; message: string };
}

export function watchdogState(env: CostGuardSandbox): WatchdogState {
  let state: unknown;
  try {
    state = parseJson(fs.readFileSync(homeFile(env, `${watchdogDir()}/state.json`), 'utf8'));
  } catch {
    return {}; // not written yet, or being replaced
  }
  const last = jsonAt(state, 'lastCheck');
  return {
    checks: jsonAt(state, 'checks') === undefined ? undefined : jsonNumber(state, 'checks'),
    lastCheck: last ? { at: jsonNumber(last, 'at'), kind: jsonString(last, 'kind'), message: jsonString(last, 'message') } : undefined,
  };
}

export function powerState(env: CostGuardSandbox): string {
  return env.sandbox.arm.state.vmNamed(VM).powerState;
}

/** A fresh start: the VM running, no watchdog files, no job folders, no identity's role left over. */
export async function resetVm(env: CostGuardSandbox): Promise<void> {
  const { arm, hosts } = env.sandbox;
  await waitFor(() => arm.state.vmNamed(VM).pendingOperation === undefined, 'no operation in flight on the VM', 30_000);
  if (powerState(env) !== 'running') await arm.setPowerState(VM, 'running');
  await uninstall(env);
  fs.rmSync(homeFile(env, watchdogDir()), { recursive: true, force: true });
  fs.rmSync(homeFile(env, jobsDir()), { recursive: true, force: true });
  await hosts.setGpuLoad(VM, { utilization: 0 });
  arm.identities.revokeAll(VM);
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits until the watchdog has checked at `atLeast` (epoch seconds) or later: the negative tests'
 * event, so that "not deallocated" is asserted after checks that would have deallocated.
 */
export async function checkedSince(env: CostGuardSandbox, atLeast: number): Promise<WatchdogState['lastCheck']> {
  await waitFor(
    () => (watchdogState(env).lastCheck?.at ?? 0) >= atLeast || powerState(env) !== 'running',
    `a watchdog check at or after ${new Date(atLeast * 1000).toISOString()}`,
  );
  const log = decisions(env).map((decision) => `${decision.kind} ${decision.message}`);
  assert.strictEqual(powerState(env), 'running', `the VM was deallocated; the watchdog's log:\n${log.join('\n')}`);
  return watchdogState(env).lastCheck;
}

/**
 * A job folder as the extension's run.sh leaves it (node-0.pid with its PID, node-0.exit-code when
 * it ends), whose run.sh waits until the test releases it.
 */
export async function startJob(env: CostGuardSandbox, jobId: string): Promise<void> {
  const runScript = [
    '#!/bin/sh',
    'echo $$ > node-0.pid',
    "trap 'echo 143 > node-0.exit-code; exit 143' TERM",
    'while [ ! -f release ]; do sleep 0.2; done',
    'date +%s > node-0.ended',
    'echo 0 > node-0.exit-code',
  ].join('\n');
  const script = [
    'mkdir -p -- "$1" && cd -- "$1" || exit 1',
    'cat > run.sh && chmod 700 run.sh || exit 1',
    'setsid nohup ./run.sh 0 >> node-0.log 2>&1 < /dev/null &', // as launchNodeCommand starts it
    'echo $! > node-0.pid',
  ].join('\n');
  await ssh(env, ['sh', '-c', script, 'sh', jobDir(jobId)], runScript);
}

export async function endJob(env: CostGuardSandbox, jobId: string): Promise<void> {
  await ssh(env, ['sh', '-c', 'touch -- "$1/release"', 'sh', jobDir(jobId)]);
}
