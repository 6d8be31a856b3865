export type SyncPhase = 'scanning' | 'comparing' | 'removing' | 'uploading' | 'done';

export interface SyncProgress {
  readonly phase: SyncPhase;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** Passes progress on; `force` for the start and end of a phase, which are never skipped. */
export type ProgressReport = (progress: SyncProgress, force?: boolean) => void;

const PROGRESS_INTERVAL_MS = 100;

/** Reports progress at most every PROGRESS_INTERVAL_MS, except when forced. */
export function progressReporter(onProgress: ((progress: SyncProgress) => void) | undefined): ProgressReport {
  let last = 0;
  return (progress, force = false) => {
    if (!onProgress) return;
    const now = Date.now();
    if (!force && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    onProgress(progress);
  };
}
