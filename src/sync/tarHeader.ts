/** The parts of a tar member header the sync writes. */
export interface TarMember {
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink';
  readonly size: number;
  readonly mode: number;
  readonly mtimeSeconds: number;
  readonly linkTarget?: string;
}

const BLOCK = 512;
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

/**
 * The header block(s) of one member: a plain ustar header when the name fits (printable ASCII,
 * at most 100 bytes), otherwise a POSIX pax extended header first carrying `path`/`linkpath` in
 * UTF-8, so names with newlines, quotes, unicode or great length arrive exactly.
 */
export function tarHeader(member: TarMember): Buffer {
  const name = member.type === 'dir' ? `${member.path}/` : member.path;
  const pax: Record<string, string> = {};
  if (!fitsUstar(name)) pax.path = name;
  if (member.linkTarget !== undefined && !fitsUstar(member.linkTarget)) pax.linkpath = member.linkTarget;
  if (member.size > MAX_OCTAL_SIZE) pax.size = String(member.size);
  const header = ustarHeader({
    name: pax.path ? placeholderName(name) : name,
    typeflag: member.type === 'file' ? '0' : member.type === 'dir' ? '5' : '2',
    size: member.type === 'file' ? Math.min(member.size, MAX_OCTAL_SIZE) : 0,
    mode: member.mode,
    mtime: member.mtimeSeconds,
    linkname: member.linkTarget !== undefined ? (pax.linkpath ? 'pax-linkpath' : member.linkTarget) : '',
  });
  if (Object.keys(pax).length === 0) return header;
  const records = Buffer.from(
    Object.entries(pax)
      .map(([key, value]) => paxRecord(key, value))
      .join(''),
    'utf8',
  );
  const paxHeader = ustarHeader({
    name: 'PaxHeader',
    typeflag: 'x',
    size: records.length,
    mode: 0o644,
    mtime: member.mtimeSeconds,
    linkname: '',
  });
  return Buffer.concat([paxHeader, records, Buffer.alloc(padding(records.length)), header]);
}

/** Zero bytes that round a member's data up to whole blocks. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The end-of-archive marker: two zero blocks. */
export function tarTrailer(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}

/** `LEN key=value\n`, where LEN counts the whole record including its own digits. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let length = bodyLength + String(bodyLength).length;
  while (bodyLength + String(length).length !== length) length = bodyLength + String(length).length;
  return `${length}${body}`;
}

function fitsUstar(name: string): boolean {
  return name.length <= 100 && /^[\x20-\x7e]*$/.test(name);
}

function placeholderName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').slice(0, 99);
}

interface RawHeader {
  name: string;
  typeflag: string;
  size: number;
  mode: number;
  mtime: number;
  linkname: string;
}

function ustarHeader(fields: RawHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(fields.name, 0, 100, 'latin1');
  writeOctal(block, fields.mode & 0o7777, 100, 8);
  writeOctal(block, 0, 108, 8);
  writeOctal(block, 0, 116, 8);
  writeOctal(block, fields.size, 124, 12);
  writeOctal(block, Math.max(0, Math.floor(fields.mtime)), 136, 12);
  block.write('        ', 148, 8, 'latin1');
  block.write(fields.typeflag, 156, 1, 'latin1');
  block.write(fields.linkname, 157, 100, 'latin1');
  block.write('ustar\x0000', 257, 8, 'latin1');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}
