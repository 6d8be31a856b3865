/** What happened to a path: `created`, `deleted` and `moved` also change the folder holding it. */
export type FileChangeKind = 'changed' | 'created' | 'deleted' | 'moved';

/** Receives a watcher's reports. Paths are workspace-relative and '/'-separated. */
export interface FileEventSink {
  pathChanged(relativePath: string, kind: FileChangeKind): void;
  /** The watcher may have missed events (a queue overflow): the next sync scans everything. */
  lostTrack(reason: string): void;
  /** The watcher no longer reports anything (failed, closed): every later sync scans everything. */
  stopped(reason: string): void;
}

/** A file watcher over one workspace folder (fs.watch here, VS Code's watcher in the extension). */
export interface FileEventSource {
  start(sink: FileEventSink): { dispose(): void };
  /** Resolves once the events of every change made before the call have reached the sink. */
  settled(): Promise<void>;
}
