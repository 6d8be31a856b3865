import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { compressionRatio, shouldCompress } from './compressionPolicy';
import type { RemoteRunner } from './remoteRunner';
import { discardInput } from './remoteScripts';
import type { LocalEntry } from './syncEntry';

/** auto: gzip when the data compresses and the link is slower than gzip. */
export type CompressionMode = 'auto' | 'always' | 'never';

/** Link throughput measured per connection, to decide on compression without probing again. */
const linkSpeeds = new WeakMap<RemoteRunner, number>();

/** Whether to gzip an upload of these files over this connection. */
export async function decideCompression(
  runner: RemoteRunner,
  root: string,
  files: readonly LocalEntry[],
  payloadBytes: number,
  mode: CompressionMode,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (mode !== 'auto') return mode === 'always';
  if (!shouldCompress(payloadBytes, 0, 0)) return false;
  const ratio = compressionRatio(await sampleOf(root, files));
  if (!shouldCompress(payloadBytes, ratio, 0)) return false;
  let speed = linkSpeeds.get(runner);
  if (speed === undefined) {
    speed = await probeLinkSpeed(runner, signal);
    // A busy CPU only ever makes a probe look slower: a slow verdict is checked once more.
    if (shouldCompress(payloadBytes, ratio, speed)) speed = Math.max(speed, await probeLinkSpeed(runner, signal));
    linkSpeeds.set(runner, speed);
  }
  return shouldCompress(payloadBytes, ratio, speed);
}

/** Learns from an uncompressed upload of `bytes` that took `seconds`. */
export function noteUploadSpeed(runner: RemoteRunner, bytes: number, seconds: number): void {
  // An upload's pace is bounded by the remote disk too, so it may raise the estimate, never lower it.
  if (bytes >= 4 << 20 && seconds > 0) linkSpeeds.set(runner, Math.max(linkSpeeds.get(runner) ?? 0, bytes / seconds));
}

/** Up to 1 MB taken from the heads of files spread over the upload. */
async function sampleOf(root: string, files: readonly LocalEntry[]): Promise<Buffer> {
  const count = Math.min(16, files.length);
  const picks = Array.from({ length: count }, (_, i) => files[Math.floor((i * files.length) / count)]);
  const parts = await Promise.all(
    picks.map(async (entry) => {
      const handle = await fs.open(path.join(root, entry.path), 'r').catch(() => undefined);
      if (!handle) return Buffer.alloc(0);
      try {
        const buffer = Buffer.alloc(Math.min(entry.size, 64 << 10));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    }),
  );
  return Buffer.concat(parts);
}

/**
 * Bytes per second of the link: 4 MB of incompressible data sent to `cat > /dev/null`, less the
 * time of the same command sent nothing (the round trips of starting a command).
 */
async function probeLinkSpeed(runner: RemoteRunner, signal: AbortSignal | undefined): Promise<number> {
  const data = randomBytes(4 << 20);
  const time = async (stdin: Buffer): Promise<number> => {
    const started = process.hrtime.bigint();
    await runner.exec(discardInput(), { stdin, signal });
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const overhead = await time(Buffer.alloc(0));
  const total = await time(data);
  return data.length / Math.max(total - overhead, 1e-4);
}
