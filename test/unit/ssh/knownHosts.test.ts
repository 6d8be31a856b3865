import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostKeyFromBlob, sha256Fingerprint } from '../../../src/ssh/hostKey';
import {
  checkHostKey,
  entryMatchesHost,
  formatKnownHostsLine,
  parseKnownHosts,
  removeLines,
  type LocatedEntry,
} from '../../../src/ssh/knownHosts';

function newKey(dir: string, name: string): { line: string; blob: Buffer } {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, name)]);
  const line = fs.readFileSync(path.join(dir, `${name}.pub`), 'utf8').trim();
  return { line, blob: Buffer.from(line.split(' ')[1], 'base64') };
}

describe('known_hosts', function () {
  let dir: string;
  let a: { line: string; blob: Buffer };
  let b: { line: string; blob: Buffer };
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'known-hosts-'));
    a = newKey(dir, 'a');
    b = newKey(dir, 'b');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const located = (text: string): LocatedEntry[] => parseKnownHosts(text).map((entry) => ({ ...entry, file: 'kh' }));
  const key = (k: { blob: Buffer }) => hostKeyFromBlob(k.blob);
  const typeAndKey = (k: { line: string }) => k.line.split(' ').slice(0, 2).join(' ');

  it('fingerprints as ssh-keygen -lf does', function () {
    const printed = execFileSync('ssh-keygen', ['-lf', path.join(dir, 'a.pub')], { encoding: 'utf8' }).split(' ')[1];
    assert.equal(sha256Fingerprint(a.blob), printed);
  });

  it('parses markers, comments, pattern lists and skips junk', function () {
    const entries = parseKnownHosts(
      `# c\n\n@revoked * ${typeAndKey(a)}\nh1,h2 ${typeAndKey(b)} comment here\nbroken line\n@bogus x ${typeAndKey(a)}\n`,
    );
    assert.deepEqual(
      entries.map((e) => [e.line, e.marker, e.hosts]),
      [
        [3, 'revoked', '*'],
        [4, undefined, 'h1,h2'],
      ],
    );
  });

  it('matches [host]:port only for that port, wildcards and negations as OpenSSH', function () {
    assert.ok(entryMatchesHost({ hosts: '10.0.0.1' }, '10.0.0.1', 22));
    assert.ok(!entryMatchesHost({ hosts: '10.0.0.1' }, '10.0.0.1', 2222));
    assert.ok(entryMatchesHost({ hosts: '[10.0.0.1]:2222' }, '10.0.0.1', 2222));
    assert.ok(entryMatchesHost({ hosts: '*.example.com,!bad.example.com' }, 'Good.Example.com', 22));
    assert.ok(!entryMatchesHost({ hosts: '*.example.com,!bad.example.com' }, 'bad.example.com', 22));
    assert.ok(entryMatchesHost({ hosts: '10.0.0.?' }, '10.0.0.7', 22));
  });

  it('matches hashed names written by ssh-keygen -H, for port 22 and [host]:port', function () {
    const file = path.join(dir, 'hashed');
    fs.writeFileSync(file, `20.1.2.3 ${typeAndKey(a)}\n[20.1.2.3]:2200 ${typeAndKey(b)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const entries = located(fs.readFileSync(file, 'utf8'));
    assert.ok(entries.every((entry) => entry.hosts.startsWith('|1|')));
    assert.equal(checkHostKey(entries, '20.1.2.3', 22, key(a)).kind, 'known');
    assert.equal(checkHostKey(entries, '20.1.2.3', 2200, key(b)).kind, 'known');
    assert.equal(checkHostKey(entries, '20.1.2.4', 22, key(a)).kind, 'unknown');
  });

  it('matches a hashed name whatever the case of the host name, as OpenSSH does', function () {
    const file = path.join(dir, 'hashed-names');
    fs.writeFileSync(
      file,
      `gpu.example.com ${typeAndKey(a)}
[gpu.example.com]:2200 ${typeAndKey(b)}
`,
    );
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const entries = located(fs.readFileSync(file, 'utf8'));
    assert.equal(checkHostKey(entries, 'GPU.example.com', 22, key(a)).kind, 'known');
    assert.equal(checkHostKey(entries, 'Gpu.Example.COM', 2200, key(b)).kind, 'known');
  });

  it('tells known, changed, unknown (with other types) and revoked apart', function () {
    const entries = located(`vm ${typeAndKey(a)}\n`);
    assert.equal(checkHostKey(entries, 'vm', 22, key(a)).kind, 'known');
    const changed = checkHostKey(entries, 'vm', 22, key(b));
    assert.equal(changed.kind, 'changed');
    assert.equal(checkHostKey(entries, 'other', 22, key(b)).kind, 'unknown');
    const rsaBlob = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-rsa'), Buffer.from([0, 0, 0, 1, 1])]);
    const unknown = checkHostKey(entries, 'vm', 22, hostKeyFromBlob(rsaBlob));
    assert.deepEqual(unknown, { kind: 'unknown', otherTypes: ['ssh-ed25519'] });
    assert.equal(checkHostKey(located(`vm ${typeAndKey(a)}\n@revoked * ${typeAndKey(a)}\n`), 'vm', 22, key(a)).kind, 'revoked');
    assert.equal(checkHostKey(located(`@cert-authority vm ${typeAndKey(b)}\n`), 'vm', 22, key(a)).kind, 'unknown');
  });

  it('hashes names as OpenSSH does: |1|salt|hash of 20 bytes each, found and removed by ssh-keygen -F / -R', function () {
    const file = path.join(dir, 'hashed-written');
    const lines = [formatKnownHostsLine('20.9.9.9', 22, key(a), true), formatKnownHostsLine('GPU.Example.com', 2201, key(b), true)];
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    for (const line of lines) {
      const [, salt, hash] = /^\|1\|([A-Za-z0-9+/]+=*)\|([A-Za-z0-9+/]+=*) ssh-ed25519 /.exec(line) ?? assert.fail(line);
      assert.equal(Buffer.from(salt, 'base64').length, 20, 'salt: 20 bytes, as OpenSSH requires');
      assert.equal(Buffer.from(hash, 'base64').length, 20, 'HMAC-SHA1');
    }
    const find = (name: string): string => execFileSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' });
    assert.match(find('20.9.9.9'), /found: line 1\b/);
    assert.match(find('[gpu.example.com]:2201'), /found: line 2\b/);
    assert.throws(() => find('[20.9.9.9]:2201'), 'another port is another name');
    execFileSync('ssh-keygen', ['-R', '[gpu.example.com]:2201', '-f', file], { stdio: 'ignore' });
    assert.equal(fs.readFileSync(file, 'utf8'), `${lines[0]}\n`);
  });

  it('writes lines OpenSSH reads back, hashed or not, and removes only the given lines', function () {
    const file = path.join(dir, 'written');
    fs.writeFileSync(
      file,
      [formatKnownHostsLine('20.9.9.9', 22, key(a), false), formatKnownHostsLine('20.9.9.9', 2201, key(b), true), ''].join('\n'),
    );
    assert.match(execFileSync('ssh-keygen', ['-F', '20.9.9.9', '-f', file], { encoding: 'utf8' }), /ssh-ed25519/);
    assert.match(execFileSync('ssh-keygen', ['-F', '[20.9.9.9]:2201', '-f', file], { encoding: 'utf8' }), /ssh-ed25519/);
    assert.equal(removeLines('a\nb\nc\n', new Set([2])), 'a\nc\n');
  });
});
