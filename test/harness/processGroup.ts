import { ChildProcess, spawn, SpawnOptions } from 'child_process';

/** Groups not stopped yet; killed if this process exits or is interrupted first. */
const liveGroups = new Set<ProcessGroup>();
let exitHandlersInstalled = false;

/**
 * A child process started in its own process group, so that stopping it also stops everything it
 * started (code-server forks its extension host, pty host and file watcher).
 */
export class ProcessGroup {
  private constructor(
    readonly child: ChildProcess,
    readonly pid: number,
  ) {}

  static spawn(command: string, args: readonly string[], options: SpawnOptions): ProcessGroup {
    const child = spawn(command, args, { ...options, detached: true });
    if (child.pid === undefined) {
      throw new Error(`could not start ${command}`);
    }
    const group = new ProcessGroup(child, child.pid);
    liveGroups.add(group);
    installExitHandlers();
    return group;
  }

  /** True while any process of the group is alive. */
  isAlive(): boolean {
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once no process of it is left. */
  async stop(graceMs = 3000): Promise<void> {
    this.signal('SIGTERM');
    if (!(await this.waitForGroupExit(graceMs))) {
      this.signal('SIGKILL');
      if (!(await this.waitForGroupExit(5000))) {
        throw new Error(`process group ${this.pid} survived SIGKILL`);
      }
    }
    liveGroups.delete(this);
  }

  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // Group already gone.
    }
  }

  private async waitForGroupExit(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.isAlive()) {
      if (Date.now() > deadline) {
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }
}

/** A runner that dies (Ctrl+C, uncaught error, process.exit) must not leave servers behind. */
function installExitHandlers(): void {
  if (exitHandlersInstalled) {
    return;
  }
  exitHandlersInstalled = true;
  const killAll = (): void => liveGroups.forEach((group) => group.signal('SIGKILL'));
  process.on('exit', killAll);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      // A runner that handles the signal itself (the demo) stops its groups in order.
      if (process.listenerCount(signal) > 0) return;
      killAll();
      process.exit(code);
    });
  }
}
