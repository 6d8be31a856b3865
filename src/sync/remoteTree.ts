import type { Logger } from '../common/logger';
import { compareStamps, earlier } from './remoteClock';
import { findRemoteDrift } from './remoteDrift';
import { parseRemoteSections } from './remoteListing';
import { describeStatus, runForOutput, type RemoteRunner } from './remoteRunner';
import { fitsOnCommandLine, FOLDER_MISSING, listChangedSince, listRemoteTree } from './remoteScripts';
import type { RemoteEntry } from './syncEntry';
import type { RemoteRecord, RemoteState } from './syncState';

// A checkpoint is set this far before the folder clock's reading, so that a change in the same
// tick of a coarse filesystem clock is still after it (`find -newerct` is strict).
const CHECKPOINT_MARGIN_MS = 50;

/** The remote tree as the plan sees it, and the remote clock before it was looked at ('' if unknown). */
export type RemoteTree =
  | {
      /** The saved records, checked for changes since their checkpoint. */
      readonly fromRecords: true;
      readonly entries: ReadonlyMap<string, RemoteRecord>;
      readonly stamp: string;
    }
  | {
      /** A listing of the whole synced folder. */
      readonly fromRecords: false;
      readonly entries: ReadonlyMap<string, RemoteEntry>;
      readonly stamp: string;
    };

/**
 * The saved records when they still hold (nothing the sync owns changed on the remote side since
 * their checkpoint), else a listing of the whole synced folder.
 */
export async function readRemoteTree(
  runner: RemoteRunner,
  remoteDir: string,
  saved: RemoteState | undefined,
  signal: AbortSignal | undefined,
  log: Logger | undefined,
): Promise<RemoteTree> {
  if (saved?.checkpoint) {
    const check = await checkSinceCheckpoint(runner, remoteDir, saved.records, saved.checkpoint, signal);
    if ('stamp' in check) return { fromRecords: true, entries: saved.records, stamp: check.stamp };
    log?.info(`Listing the synced folder again: ${check.reason}`);
  }
  const output = await runForOutput(runner, listRemoteTree(remoteDir), undefined, signal, 'Listing the synced folder');
  const [listing] = parseRemoteSections(output);
  return { fromRecords: false, entries: listing.entries, stamp: listing.stamp };
}

/** The remote clock now when nothing the sync owns changed since the checkpoint, else why the records no longer hold. */
async function checkSinceCheckpoint(
  runner: RemoteRunner,
  remoteDir: string,
  records: ReadonlyMap<string, RemoteRecord>,
  checkpoint: string,
  signal: AbortSignal | undefined,
): Promise<{ readonly stamp: string } | { readonly reason: string }> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const since = earlier(checkpoint, CHECKPOINT_MARGIN_MS);
  const roots = [...records.keys()].filter((file) => !file.includes('/'));
  const status = await runner.exec(listChangedSince(remoteDir, since, fitsOnCommandLine(roots) ? roots : undefined), {
    signal,
    onStdout: (chunk) => stdout.push(chunk),
    onStderr: (chunk) => stderr.push(chunk),
  });
  if (status.code === FOLDER_MISSING) return { reason: 'the synced folder is gone' };
  const sections = parseRemoteSections(Buffer.concat(stdout));
  const changed = sections.at(0);
  const folderEntries = sections.at(1);
  if (status.code !== 0 || !changed?.stamp || !folderEntries) {
    const detail = Buffer.concat(stderr).toString('utf8').trim().slice(-300);
    return { reason: `looking for changes failed (${describeStatus(status)}): ${detail}` };
  }
  if (compareStamps(changed.stamp, checkpoint) < 0) return { reason: 'the remote clock went back since the last sync' };
  const drift = findRemoteDrift(records, changed.entries, folderEntries.entries);
  return drift ? { reason: drift } : { stamp: changed.stamp };
}
