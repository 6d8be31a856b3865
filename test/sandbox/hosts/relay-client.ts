import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { RelayReply, RelayRequest } from './relay-protocol';
import type { Endpoint } from './tcp-relay';

type Action = Exclude<RelayRequest['action'], 'open'>;

/** The sandbox's handle on its relay process (see relay-process.ts). */
export class RelayProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve()); // could not be started
    });
    child.on('message', (reply: RelayReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error === undefined) waiter?.resolve();
      else waiter?.reject(new Error(reply.error));
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`Relay process ended (${signal ?? code})`));
      this.pending.clear();
    });
  }

  /** `label` shows in the process's command line (the state folder, for whoever reads `ps`). */
  static start(label: string): RelayProcess {
    // Same extension as this module: .js from out/, .ts under a TypeScript loader (which fork inherits).
    const script = path.join(__dirname, `relay-process${path.extname(__filename)}`);
    const execArgv = process.execArgv.filter((option) => !option.startsWith('--inspect')); // one debugger port
    return new RelayProcess(fork(script, [label], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  open(host: string, listen: Endpoint, upstream: Endpoint): Promise<void> {
    return this.request({ id: this.nextId++, host, action: 'open', listen, upstream });
  }

  send(host: string, action: Action): Promise<void> {
    return this.request({ id: this.nextId++, host, action });
  }

  async dispose(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await this.exited;
  }

  private request(request: RelayRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.child.connected) {
        // A relay process that has ended has no listener left to close.
        if (request.action === 'close') resolve();
        else reject(new Error('The relay process has ended'));
        return;
      }
      this.pending.set(request.id, { resolve, reject });
      this.child.send(request);
    });
  }
}
