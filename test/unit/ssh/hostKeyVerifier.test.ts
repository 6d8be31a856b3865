import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChangedHostKey, HostKeyPrompt, UnknownHostKey } from '../../../src/ssh/credentials';
import { HostKeyChangedError } from '../../../src/ssh/errors';
import { hostKeyFromBlob, sha256Fingerprint, type HostKey } from '../../../src/ssh/hostKey';
import { HostKeyVerifier, type KnownHostsFiles } from '../../../src/ssh/hostKeyVerifier';

function newKey(dir: string, name: string, type = 'ed25519'): { typeAndKey: string; key: HostKey } {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path.join(dir, name)]);
  const typeAndKey = fs
    .readFileSync(path.join(dir, `${name}.pub`), 'utf8')
    .split(' ')
    .slice(0, 2)
    .join(' ');
  return { typeAndKey, key: hostKeyFromBlob(Buffer.from(typeAndKey.split(' ')[1], 'base64')) };
}

/** A user answering host key questions as scripted, recording what was asked. */
class User implements HostKeyPrompt {
  readonly unknown: UnknownHostKey[] = [];
  readonly changed: ChangedHostKey[] = [];
  constructor(private readonly answers: { trust: boolean; remove: boolean }) {}
  confirmUnknownKey(key: UnknownHostKey): Promise<boolean> {
    this.unknown.push(key);
    return Promise.resolve(this.answers.trust);
  }
  offerRemoveChangedKey(key: ChangedHostKey): Promise<boolean> {
    this.changed.push(key);
    return Promise.resolve(this.answers.remove);
  }
}

describe('Host key verifier (known_hosts files)', function () {
  let dir: string;
  let oldKey: { typeAndKey: string; key: HostKey };
  let newHostKey: { typeAndKey: string; key: HostKey };
  let ecdsa: { typeAndKey: string; key: HostKey };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-key-verifier-'));
    oldKey = newKey(dir, 'old');
    newHostKey = newKey(dir, 'new');
    ecdsa = newKey(dir, 'ecdsa', 'ecdsa');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** ~/.ssh/known_hosts as a symbolic link into a dotfiles folder, holding the old key of 20.1.2.3. */
  function linkedKnownHosts(name: string): { link: string; target: string; files: KnownHostsFiles } {
    const home = fs.mkdirSync(path.join(dir, name, '.ssh'), { recursive: true })!;
    const target = path.join(dir, name, 'dotfiles-known_hosts');
    fs.writeFileSync(target, `other.example ${ecdsa.typeAndKey}\n20.1.2.3 ${oldKey.typeAndKey}\n`, { mode: 0o640 });
    const link = path.join(home, 'known_hosts');
    fs.symlinkSync(target, link);
    return { link, target, files: { read: [link], write: link, hash: false, refuseUnknown: false } };
  }
  const identity = { host: '20.1.2.3', port: 22, label: 'gpu-vm' };

  it('removes a changed key through a symlinked known_hosts: the link stays, its target is rewritten', async () => {
    const { link, target, files } = linkedKnownHosts('removed');
    const user = new User({ trust: true, remove: true });
    await new HostKeyVerifier(user).verify(identity, newHostKey.key, files);
    assert.equal(user.changed.length, 1);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'known_hosts is still a symbolic link');
    assert.equal(fs.readlinkSync(link), target);
    assert.equal(fs.readFileSync(target, 'utf8'), `other.example ${ecdsa.typeAndKey}\n20.1.2.3 ${newHostKey.typeAndKey}\n`);
    assert.equal(fs.statSync(target).mode & 0o777, 0o640, 'the target keeps its permissions');
    assert.match(fs.readFileSync(`${target}.old`, 'utf8'), new RegExp(oldKey.typeAndKey.split(' ')[1].replace(/[+/]/g, '\\$&')));
    assert.match(execFileSync('ssh-keygen', ['-F', '20.1.2.3', '-f', link], { encoding: 'utf8' }), /found: line 2/);
  });

  it('replaces a changed key later, from the refusal, through the symlink', async () => {
    const { link, target, files } = linkedKnownHosts('replaced-later');
    const user = new User({ trust: false, remove: false });
    await assert.rejects(new HostKeyVerifier(user).verify(identity, newHostKey.key, files), HostKeyChangedError);
    assert.equal(user.unknown.length, 0);
    await user.changed[0].replaceRecordedKey();
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.readFileSync(target, 'utf8'), `other.example ${ecdsa.typeAndKey}\n20.1.2.3 ${newHostKey.typeAndKey}\n`);
    // Now known: the next connection asks nothing.
    await new HostKeyVerifier(user).verify(identity, newHostKey.key, files);
    assert.equal(user.changed.length, 1);
  });

  it("records an unknown key on a later yes, hashed as the extension's own file is, where ssh-keygen -F finds it", async () => {
    const file = path.join(dir, 'extension', 'known_hosts');
    const files: KnownHostsFiles = { read: [file], write: file, hash: true, refuseUnknown: false };
    const user = new User({ trust: false, remove: false });
    const vm = { host: 'GPU-VM.example.com', port: 2200, label: 'gpu-vm' };
    await assert.rejects(new HostKeyVerifier(user).verify(vm, newHostKey.key, files));
    assert.equal(fs.existsSync(file), false, 'nothing recorded on a no');
    await user.unknown[0].recordKey();
    await user.unknown[0].recordKey();
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 \S+\n$/, 'one hashed line');
    assert.match(execFileSync('ssh-keygen', ['-F', '[gpu-vm.example.com]:2200', '-f', file], { encoding: 'utf8' }), /found: line 1\b/);
    await new HostKeyVerifier(user).verify(vm, newHostKey.key, files);
    assert.equal(user.unknown.length, 1, 'known from then on');
  });

  it('shows the key of another type known for the host when an unknown type is offered', async () => {
    const { files } = linkedKnownHosts('other-type');
    const user = new User({ trust: false, remove: false });
    await assert.rejects(new HostKeyVerifier(user).verify({ ...identity, host: 'other.example' }, newHostKey.key, files));
    assert.deepEqual(user.unknown[0].otherKnownKeys, [
      { keyType: ecdsa.key.type, fingerprint: sha256Fingerprint(ecdsa.key.blob), recordedAt: `${files.read[0]}:1` },
    ]);
  });
});
