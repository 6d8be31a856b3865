import * as fs from 'node:fs';
import { stripAnsi } from './ansi';
import type { LogStore } from './logStore';

/**
 * Writes the merged log as plain text (ANSI escapes removed, progress bars at their last state),
 * each line labelled with its node and rank when the job has several nodes; streamed in blocks.
 */
export function exportLog(store: LogStore, labels: readonly string[], file: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    const multiNode = store.nodeCount > 1;
    let block: string[] = [];
    for (let i = 0; i < store.lineCount; i++) {
      const { rank, text } = store.line(i);
      const node = store.index.node(i);
      const prefix = multiNode ? `[${labels[node] ?? `node ${node}`}${rank ? ` ${rank}` : ''}] ` : rank ? `[${rank}]:` : '';
      block.push(prefix + stripAnsi(text));
      if (block.length === 4096) {
        fs.writeSync(fd, `${block.join('\n')}\n`);
        block = [];
      }
    }
    if (block.length > 0) fs.writeSync(fd, `${block.join('\n')}\n`);
  } finally {
    fs.closeSync(fd);
  }
}
