import { runForOutput, type RemoteRunner } from './remoteRunner';
import { removeRemotePaths } from './remoteScripts';
import type { Removal } from './syncPlan';

/** Removes the plan's removals on the remote side, in the order given. */
export async function removeRemote(
  runner: RemoteRunner,
  remoteDir: string,
  removals: readonly Removal[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const stdin = Buffer.from(removals.map((removal) => `${removalArgument(removal)}\0`).join(''));
  await runForOutput(runner, removeRemotePaths(remoteDir), stdin, signal, 'Removing deleted files');
}

/** The removal as removeRemotePaths reads it: `r/`, `f/` or `d/`, then the path. */
function removalArgument(removal: Removal): string {
  return `${{ tree: 'r', file: 'f', dir: 'd' }[removal.kind]}/${removal.path}`;
}
