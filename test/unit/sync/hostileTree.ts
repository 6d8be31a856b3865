import * as fs from 'node:fs';
import * as path from 'node:path';

/** Names that break naive quoting, parsing or tar headers. */
export const HOSTILE_NAMES = [
  'with space.py',
  "it's quoted.txt",
  'double"quote.txt',
  '-rf',
  '--help',
  'new\nline.txt',
  'tab\there',
  'ünïcödé-файл-数据.txt',
  'emoji-🔥.md',
  'back\\slash',
  '$(touch pwned)',
  '`id`',
  '*',
  'semi;colon&amp',
  'x'.repeat(150) + '.long',
];

export function writeFile(root: string, relative: string, content: string | Buffer, mode = 0o644): void {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  fs.chmodSync(file, mode);
}
