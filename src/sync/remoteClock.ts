/**
 * Readings of the synced folder's clock (the mtime of a file made there, as `find -printf %T@`
 * prints it): `seconds.fraction`.
 */

/** A remote clock reading (`seconds.nanoseconds`) moved `ms` earlier, in the same form. */
export function earlier(stamp: string, ms: number): string {
  const nanos = stampNanos(stamp) - BigInt(ms) * 1_000_000n;
  return `${nanos / 1_000_000_000n}.${String(nanos % 1_000_000_000n).padStart(9, '0')}`;
}

/** Orders two remote clock readings. */
export function compareStamps(a: string, b: string): number {
  const difference = stampNanos(a) - stampNanos(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

function stampNanos(stamp: string): bigint {
  const [seconds = '0', fraction = ''] = stamp.split('.');
  return BigInt(seconds) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}
