import { deflateRawSync } from 'node:zlib';

// gzip level 1 in Node on one core; compression and sending overlap, so compressing pays when the
// link is slower than this (and the data compresses), and only for payloads worth the bother.
export const GZIP_BYTES_PER_SECOND = 60e6;
export const MIN_COMPRESSED_PAYLOAD = 1 << 20;

/** Whether to gzip the tar stream, given its size, a sample's compressed ratio and the link speed. */
export function shouldCompress(payloadBytes: number, sampleRatio: number, linkBytesPerSecond: number): boolean {
  if (payloadBytes < MIN_COMPRESSED_PAYLOAD || sampleRatio > 0.85) return false;
  return linkBytesPerSecond < GZIP_BYTES_PER_SECOND * 0.8;
}

/** Compressed-to-raw ratio of a sample at the level the transfer would use. */
export function compressionRatio(sample: Buffer): number {
  if (sample.length === 0) return 1;
  return deflateRawSync(sample, { level: 1 }).length / sample.length;
}
