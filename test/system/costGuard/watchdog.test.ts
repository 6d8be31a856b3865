import * as assert from 'assert';
import type { ChildProcess } from 'child_process';
import { defaultIdleCriteria, type CostGuardPolicy } from '../../../src/costGuard/policy';
import { readWatchdogDecisions, readWatchdogStatus } from '../../../src/costGuard/watchdogHost';
import { jobFiles } from '../../../src/jobs/remoteLayout';
import { jsonString, parseJson } from '../../json';
import { spawnSsh } from '../../sandbox/hosts/ssh-command';
import {
  VM,
  checkedSince,
  decisions,
  endJob,
  install,
  jobFile,
  powerState,
  resetVm,
  startCostGuardSandbox,
  startJob,
  waitFor,
  type CostGuardSandbox,
} from './costGuardSandbox';

// The cost guard's watchdog on a simulated VM: it deallocates the VM through the Resource Manager
// stand-in with the VM's managed identity (a token from the instance metadata stand-in), and only
// when the VM is idle. The sandbox hosts have neither a user systemd nor cron: the watchdog runs as
// the detached loop, checking every second; the idle time is 2 s.
const IDLE_MINUTES = 2 / 60;
const IDLE_SECONDS = 2;
const idlePolicy: CostGuardPolicy = { idleMinutes: IDLE_MINUTES, idleWhen: defaultIdleCriteria };

describe('cost guard watchdog on a sandbox VM', function () {
  // Caps, not expectations: every wait is for an event (a power state, a watchdog check).
  this.timeout(180_000);
  let env: CostGuardSandbox;

  before(async function () {
    env = await startCostGuardSandbox();
    if (!env.sandbox.hosts.isolated) {
      // Without root the hosts share this machine's processes and home: the watchdog would see them.
      await env.dispose();
      this.skip();
    }
  });

  after(async () => {
    await env?.dispose();
  });

  let requestsBefore = 0;
  beforeEach(async () => {
    await resetVm(env);
    env.sandbox.arm.identities.enable(VM);
    requestsBefore = env.sandbox.arm.requestLog.length;
  });

  /** This test's deallocation requests to the Resource Manager stand-in. */
  function deallocateRequests(): { status?: number }[] {
    return env.sandbox.arm.requestLog
      .slice(requestsBefore)
      .filter((entry) => entry.method === 'POST' && /\/virtualMachines\/gpu-a100-1\/deallocate\?/i.test(entry.path));
  }

  /** An SSH session running `sleep`, once it runs. */
  async function openSession(sshOptions: string[]): Promise<ChildProcess> {
    const session = spawnSsh(env.sandbox.hosts, VM, 'echo ready; exec sleep 600', sshOptions);
    await new Promise<void>((resolve, reject) => {
      let output = '';
      session.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('ready')) resolve();
      });
      session.once('exit', (code) => reject(new Error(`the SSH session ended (${code}) before it was ready`)));
    });
    return session;
  }

  async function waitForDeallocated(): Promise<void> {
    await waitFor(() => powerState(env) === 'deallocated', 'the VM to be deallocated');
  }

  it('deallocates an idle VM with its managed identity once the idle time has passed, an SSH command without a terminal open', async () => {
    env.sandbox.arm.identities.grant(VM);
    // What the extension's own connection runs (a log follower): no terminal, so not a user's session.
    const follower = await openSession(['RequestTTY=no']);
    try {
      const { scheduler } = await install(env, idlePolicy);
      assert.strictEqual(scheduler, 'loop', 'the sandbox hosts run neither a user systemd nor cron');
      await waitForDeallocated();
    } finally {
      follower.kill();
    }
    assert.strictEqual(env.sandbox.hosts.host(VM).running, false, 'the simulated host stops with the deallocation');
    assert.deepStrictEqual(
      deallocateRequests().map((entry) => entry.status),
      [202],
    );
    assert.ok(env.imds.requestLog.some((entry) => entry.path.startsWith('/metadata/identity/oauth2/token?') && entry.status === 200));
    const kinds = decisions(env).map((decision) => decision.kind);
    assert.deepStrictEqual(kinds.slice(kinds.indexOf('deallocate')), ['deallocate', 'requested']);
    const deallocate = decisions(env).find((decision) => decision.kind === 'deallocate');
    assert.match(deallocate?.message ?? '', /idle since .*no job running, no interactive SSH session, GPU utilization 0% \(below 10%\)/);
  });

  it('keeps a VM running while a job runs, and deallocates it once the job has ended and the idle time passed', async () => {
    env.sandbox.arm.identities.grant(VM);
    await startJob(env, 'job-busy');
    const { installedAt } = await install(env, idlePolicy);
    const check = await checkedSince(env, installedAt + IDLE_SECONDS + 2);
    assert.strictEqual(check?.kind, 'busy');
    assert.match(check?.message ?? '', /job job-busy running/);
    assert.strictEqual(powerState(env), 'running');
    assert.strictEqual(deallocateRequests().length, 0);
    await endJob(env, 'job-busy');
    await waitForDeallocated();
  });

  it('keeps a VM running while an interactive SSH session is open', async () => {
    env.sandbox.arm.identities.grant(VM);
    let session: ChildProcess | undefined;
    try {
      session = await openSession(['RequestTTY=force']);
      const { installedAt } = await install(env, idlePolicy);
      const check = await checkedSince(env, installedAt + IDLE_SECONDS + 2);
      assert.strictEqual(check?.kind, 'busy');
      assert.match(check?.message ?? '', /1 interactive SSH session open/);
      assert.strictEqual(powerState(env), 'running');
      assert.strictEqual(deallocateRequests().length, 0);
    } finally {
      session?.kill();
    }
    await waitForDeallocated();
  });

  it('keeps a VM running while its GPUs are busy', async () => {
    env.sandbox.arm.identities.grant(VM);
    await env.sandbox.hosts.setGpuLoad(VM, { utilization: 85 });
    const { installedAt } = await install(env, idlePolicy);
    const check = await checkedSince(env, installedAt + IDLE_SECONDS + 2);
    assert.strictEqual(check?.kind, 'busy');
    assert.match(check?.message ?? '', /GPU utilization 85% \(not below 10%\)/);
    assert.strictEqual(powerState(env), 'running');
    // What the VS Code side reads over its connection: the last check, and the decisions.
    const status = await readWatchdogStatus(env.host);
    assert.strictEqual(status?.decision, 'busy');
    assert.strictEqual(status?.idleSince, undefined);
    const logged = await readWatchdogDecisions(env.host);
    assert.deepStrictEqual(
      logged.map((decision) => decision.kind),
      ['start', 'policy', 'busy'],
    );
    await env.sandbox.hosts.setGpuLoad(VM, { utilization: 3 });
    await waitForDeallocated();
  });

  it('deallocates when the chosen job ends, not before', async () => {
    env.sandbox.arm.identities.grant(VM);
    await startJob(env, 'job-then-stop');
    const policy: CostGuardPolicy = { afterJobId: 'job-then-stop', idleWhen: defaultIdleCriteria };
    const { installedAt } = await install(env, policy);
    const check = await checkedSince(env, installedAt + 3);
    assert.strictEqual(check?.kind, 'busy');
    assert.match(check?.message ?? '', /job job-then-stop running; waiting for job job-then-stop to end/);
    assert.strictEqual(powerState(env), 'running');
    await endJob(env, 'job-then-stop');
    await waitForDeallocated();
    const deallocate = decisions(env).find((decision) => decision.kind === 'deallocate');
    assert.match(deallocate?.message ?? '', /^job job-then-stop ended and no job running/);
  });

  it('on a spot eviction notice, marks the running job, tells its log and sends it SIGTERM; the VM is left to Azure', async () => {
    env.sandbox.arm.identities.grant(VM);
    await startJob(env, 'job-spot');
    const { installedAt } = await install(env, { idleMinutes: 60, idleWhen: defaultIdleCriteria }, { spotEviction: {} });
    await checkedSince(env, installedAt);
    assert.strictEqual(jobFile(env, 'job-spot', jobFiles.evicted), undefined, 'no eviction without a notice');
    env.imds.schedulePreempt(VM);
    await waitFor(() => jobFile(env, 'job-spot', jobFiles.exitCode(0)) !== undefined, 'the job to end on the eviction notice');
    assert.strictEqual(jobFile(env, 'job-spot', jobFiles.exitCode(0))?.trim(), '143', 'ended by SIGTERM (its trap ran)');
    const eventId = env.imds.events.documentFor(VM).Events[0].EventId;
    assert.strictEqual(jsonString(parseJson(jobFile(env, 'job-spot', jobFiles.evicted) ?? ''), 'eventId'), eventId);
    assert.match(
      jobFile(env, 'job-spot', jobFiles.log(0)) ?? '',
      /^\[azure-pytorch\] Spot eviction: Azure takes this VM back \(not before .* GMT\)\. Sending SIGTERM/m,
    );
    const preempt = decisions(env).filter((decision) => decision.kind === 'preempt');
    assert.deepStrictEqual(
      preempt.map((decision) => decision.message.replace(/not before .* GMT/, 'not before T')),
      [`spot eviction notice ${eventId}, not before T: sent SIGTERM to job job-spot`],
    );
    assert.strictEqual(powerState(env), 'running');
    assert.strictEqual(deallocateRequests().length, 0);
  });

  it('without a role assignment on the VM, logs the refusal once and leaves the VM running', async () => {
    const { installedAt } = await install(env, idlePolicy);
    await waitFor(() => decisions(env).some((decision) => decision.kind === 'failed'), 'the failed deallocation in the log');
    const failed = decisions(env).filter((decision) => decision.kind === 'failed');
    assert.strictEqual(failed.length, 1);
    assert.match(failed[0].message, /Resource Manager refused to deallocate \(403 AuthorizationFailed: The client '[0-9a-f-]+'/);
    assert.match(failed[0].message, /Microsoft\.Compute\/virtualMachines\/deallocate\/action/);
    assert.match(failed[0].message, /Virtual Machine Contributor/);
    // Later checks do not ask again (they wait 15 minutes after a failure) and nothing else happens.
    const check = await checkedSince(env, installedAt + IDLE_SECONDS + 4);
    assert.strictEqual(check?.kind, 'waiting');
    assert.deepStrictEqual(
      deallocateRequests().map((entry) => entry.status),
      [403],
    );
    assert.strictEqual(powerState(env), 'running');
    assert.strictEqual(env.sandbox.hosts.host(VM).running, true);
  });
});
