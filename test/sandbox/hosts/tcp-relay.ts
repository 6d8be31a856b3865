import * as net from 'node:net';

export interface Endpoint {
  address: string;
  port: number;
}

/**
 * TCP relay in front of a host's sshd, at the address clients dial. `freeze()` simulates a silent
 * network outage: nothing moves either way and nobody sees FIN or RST (new connections are accepted
 * but get no answer); `thaw()` lets everything through again, as TCP would once the network recovers.
 * `cut()` resets every connection (RST both ways) while the listener stays up.
 */
export class TcpRelay {
  private server: net.Server | undefined;
  private readonly links = new Set<RelayLink>();
  private frozen = false;

  constructor(
    readonly listen: Endpoint,
    readonly upstream: Endpoint,
  ) {}

  get isFrozen(): boolean {
    return this.frozen;
  }

  async open(): Promise<void> {
    if (this.server) return;
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
      const link = new RelayLink(client, this.upstream, () => this.links.delete(link));
      this.links.add(link);
      if (!this.frozen) link.start();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listen.port, this.listen.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Stops listening (connection refused) and drops every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const link of this.links) link.destroy();
    this.links.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  freeze(): void {
    this.frozen = true;
    for (const link of this.links) link.pause();
  }

  thaw(): void {
    this.frozen = false;
    for (const link of this.links) link.start();
  }

  cut(): void {
    for (const link of this.links) link.reset();
    this.links.clear();
  }
}

/** One client connection and its connection to sshd, opened on the first start(). */
class RelayLink {
  private upstream: net.Socket | undefined;
  private paused = true;

  constructor(
    private readonly client: net.Socket,
    private readonly target: Endpoint,
    private readonly onClosed: () => void,
  ) {
    client.on('error', () => this.destroy());
    client.on('close', () => this.settle());
  }

  start(): void {
    this.paused = false;
    if (!this.upstream) {
      // No Nagle delay on either side: a relay must not add latency to SSH's small packets.
      const upstream = net.connect({ host: this.target.address, port: this.target.port, allowHalfOpen: true, noDelay: true });
      this.client.setNoDelay(true);
      upstream.on('error', () => this.destroy());
      upstream.on('close', () => this.settle());
      this.forward(this.client, upstream);
      this.forward(upstream, this.client);
      this.upstream = upstream;
    }
    this.client.resume();
    this.upstream.resume();
  }

  pause(): void {
    this.paused = true;
    this.client.pause();
    this.upstream?.pause();
  }

  reset(): void {
    this.client.resetAndDestroy();
    this.upstream?.resetAndDestroy();
    this.onClosed();
  }

  destroy(): void {
    this.client.destroy();
    this.upstream?.destroy();
    this.onClosed();
  }

  private forward(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (!this.paused) from.resume();
    });
    from.on('end', () => to.end());
  }

  private settle(): void {
    if (this.client.destroyed && (this.upstream?.destroyed ?? true)) this.onClosed();
  }
}
