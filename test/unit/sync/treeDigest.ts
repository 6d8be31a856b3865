import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SshConnectionPool } from '../../../src/ssh/connectionPool';
import type { SshTarget } from '../../../src/ssh/sshTarget';

/** path → `d`, `l:<target>` or `f:<755|644>:<sha256>`, for the remote tree (read with find and sha256sum). */
export async function remoteTree(pool: SshConnectionPool, target: SshTarget, remoteDir: string): Promise<Map<string, string>> {
  const listing = await pool.execText(target, ['sh', '-c', 'cd -- "$1" && find . -mindepth 1 -printf "%y\\0%m\\0%P\\0%l\\0"', 'sh', remoteDir]);
  assert.equal(listing.code, 0, listing.stderr);
  const sums = await pool.execText(target, ['sh', '-c', 'cd -- "$1" && find . -type f -print0 | xargs -0 -r sha256sum -z --', 'sh', remoteDir]);
  assert.equal(sums.code, 0, sums.stderr);
  const hashes = new Map<string, string>();
  for (const record of sums.stdout.split('\0').filter(Boolean)) hashes.set(record.slice(66).replace(/^\.\//, ''), record.slice(0, 64));
  const tree = new Map<string, string>();
  const fields = listing.stdout.split('\0');
  for (let i = 0; i + 4 <= fields.length; i += 4) {
    const [kind, mode, file, link] = fields.slice(i, i + 4) as [string, string, string, string];
    if (kind === 'd') tree.set(file, 'd');
    else if (kind === 'l') tree.set(file, `l:${link}`);
    else tree.set(file, `f:${parseInt(mode, 8) & 0o111 ? '755' : '644'}:${hashes.get(file)}`);
  }
  return tree;
}

/** The same digest of the local tree, written independently of the sync's own scanner. */
export function localTree(root: string, excluded: (relative: string) => boolean): Map<string, string> {
  const tree = new Map<string, string>();
  const walk = (relativeDir: string): void => {
    for (const name of fs.readdirSync(path.join(root, relativeDir))) {
      const relative = relativeDir ? `${relativeDir}/${name}` : name;
      if (excluded(relative)) continue;
      const full = path.join(root, relative);
      const stat = fs.lstatSync(full);
      if (stat.isSymbolicLink()) tree.set(relative, `l:${fs.readlinkSync(full)}`);
      else if (stat.isDirectory()) {
        tree.set(relative, 'd');
        walk(relative);
      } else {
        const hash = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
        tree.set(relative, `f:${stat.mode & 0o111 ? '755' : '644'}:${hash}`);
      }
    }
  };
  walk('');
  return tree;
}

