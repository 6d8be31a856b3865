import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeyValueStorage } from './jobStore';

/**
 * Values kept as JSON files in a folder (the extension's global storage), one per key, each
 * written at once and atomically. VS Code's globalState flushes later: a job recorded just before a
 * window reload could be forgotten while it runs on. Every window reads the files afresh, so one
 * window sees the jobs another started; a file is parsed again only when it changed.
 */
export class FileKeyValueStorage implements KeyValueStorage {
  private readonly cache = new Map<string, { stamp: string; value: unknown }>();

  constructor(
    private readonly folder: string,
    /** Where values lived before (globalState): read once for a key that has no file yet. */
    private readonly previous?: Pick<KeyValueStorage, 'get'>,
  ) {}

  get(key: string): unknown {
    const file = this.file(key);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return this.previous?.get(key);
    }
    const stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    const cached = this.cache.get(key);
    if (cached?.stamp === stamp) return cached.value;
    try {
      const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      this.cache.set(key, { stamp, value });
      return value;
    } catch {
      return undefined;
    }
  }

  /** Written before it returns (synchronously), so that a reload right after loses nothing. */
  update(key: string, value: unknown): Promise<void> {
    fs.mkdirSync(this.folder, { recursive: true });
    const file = this.file(key);
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(value));
    fs.renameSync(temporary, file);
    this.cache.delete(key);
    return Promise.resolve();
  }

  private file(key: string): string {
    return path.join(this.folder, `${key.replace(/[^\w.-]/g, '_')}.json`);
  }
}
