import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileEventSink, FileEventSource } from './fileEventSource';

/**
 * A FileEventSource on Node's recursive `fs.watch` (inotify per folder on Linux, Node ≥ 20; new
 * folders are watched and their contents reported as they appear). fs.watch cannot tell a create
 * from a delete or a move, so every `rename` is reported as `moved`.
 */
export function nodeFileWatcher(root: string): FileEventSource {
  return {
    start(sink: FileEventSink) {
      const watcher = fs.watch(root, { recursive: true }, (event, name) => {
        if (!name) return sink.lostTrack('the watcher reported a change without a name');
        const relative = name.split(path.sep).join('/');
        sink.pathChanged(relative, event === 'change' ? 'changed' : 'moved');
      });
      watcher.on('error', (error) => sink.stopped(`the watcher failed: ${error.message}`));
      watcher.on('close', () => sink.stopped('the watcher closed'));
      return { dispose: () => watcher.close() };
    },
    // inotify queues an event inside the system call that made the change; two turns of the event
    // loop guarantee a poll phase that reads it and hands it to the callback.
    settled: () => new Promise((resolve) => setImmediate(() => setImmediate(resolve))),
  };
}
