import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCloudSpec, type CloudSpec } from '../sandbox/arm';
import { writeClientProfile, type ClientProfile } from '../sandbox/clientProfile';
import { randomLoopbackPrefix } from '../sandbox/hosts/loopback';
import { startSandbox, type Sandbox } from '../sandbox/sandbox';
import { repoRoot } from '../harness/paths';
import type { WorkbenchSession } from '../harness/workbenchSession';
import { useWorkbench } from './useWorkbench';

export interface SandboxWorkbenchOptions {
  /** Files added to the copy of test/fixtures/workspace that the workbench opens. */
  readonly workspaceFiles?: Readonly<Record<string, string>>;
  /** Runs once the sandbox is up and the client profile written, before the workbench opens. */
  readonly prepare?: (sandbox: Sandbox, profile: ClientProfile) => void | Promise<void>;
}

export interface SandboxWorkbench {
  readonly workbench: () => WorkbenchSession;
  readonly sandbox: Sandbox;
  readonly profile: ClientProfile;
}

/** The default cloud, its VMs moved onto a loopback prefix of their own: other test runs may hold 127.0.0.x:22. */
function cloudOnOwnLoopbackPrefix(): CloudSpec {
  const cloud = loadCloudSpec();
  const prefix = randomLoopbackPrefix();
  let next = 2;
  for (const subscription of cloud.subscriptions) {
    for (const group of subscription.resourceGroups) {
      for (const vm of group.vms) if (vm.publicIpAddress) vm.publicIpAddress = `${prefix}${next++}`;
    }
  }
  return cloud;
}

/**
 * Mocha glue for a `describe` block: starts the sandbox cloud, writes a client profile (HOME, env,
 * settings) for it, and opens the development extension in a workbench configured by that profile.
 * The workbench closes before the sandbox is disposed.
 */
export function useSandboxWorkbench(name: string, options: SandboxWorkbenchOptions = {}): SandboxWorkbench {
  let stateDir: string | undefined;
  let workspace: string | undefined;
  let sandbox: Sandbox | undefined;
  let profile: ClientProfile | undefined;

  before(async function () {
    this.timeout(120_000);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `azure-pytorch-e2e-${name}-`));
    if (options.workspaceFiles) {
      workspace = path.join(stateDir, 'workspace');
      fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
      for (const [file, text] of Object.entries(options.workspaceFiles)) fs.writeFileSync(path.join(workspace, file), text);
    }
    sandbox = await startSandbox({ stateDir: path.join(stateDir, 'sandbox'), cloud: cloudOnOwnLoopbackPrefix(), operationMs: 1000 });
    profile = writeClientProfile(sandbox.summary, path.join(stateDir, 'home'));
    await options.prepare?.(sandbox, profile);
  });

  const started = (): { sandbox: Sandbox; profile: ClientProfile } => {
    if (!sandbox || !profile) throw new Error('the sandbox did not start (see the before hook)');
    return { sandbox, profile };
  };

  // Without workspaceFiles the folder stays undefined, and useWorkbench opens its own copy of the fixture.
  const workbench = useWorkbench(name, {
    extension: { kind: 'development', path: repoRoot },
    get folder() {
      return workspace;
    },
    get env() {
      return started().profile.env;
    },
    get settings() {
      return started().profile.settings;
    },
  });

  after(async function () {
    this.timeout(60_000);
    await sandbox?.dispose();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  return {
    workbench,
    get sandbox() {
      return started().sandbox;
    },
    get profile() {
      return started().profile;
    },
  };
}
