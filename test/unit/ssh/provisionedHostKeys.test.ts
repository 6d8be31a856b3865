import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hostKeyFromBlob } from '../../../src/ssh/hostKey';
import { generateHostKeyPair } from '../../../src/ssh/hostKeyPair';
import { checkHostKey, parseKnownHosts } from '../../../src/ssh/knownHosts';
import { createKeyPair, findPublicKeys } from '../../../src/ssh/localPublicKeys';
import { recordProvisionedHostKey, removeProvisionedHostKey } from '../../../src/ssh/provisionedHostKeys';

const VM = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/trainer';

describe('provisioned host keys', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisioned-keys-'));
    file = path.join(dir, 'known_hosts');
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function statusOf(host: string, publicKey: string): string {
    const entries = parseKnownHosts(fs.readFileSync(file, 'utf8')).map((e) => ({ ...e, file }));
    const blob = Buffer.from(publicKey.split(' ')[1], 'base64');
    return checkHostKey(entries, host, 22, hostKeyFromBlob(blob)).kind;
  }

  it('records a generated key so the host is known before the first connection', async () => {
    const pair = generateHostKeyPair('trainer');
    await recordProvisionedHostKey(file, '203.0.113.9', 22, pair.publicKey, VM);
    assert.strictEqual(statusOf('203.0.113.9', pair.publicKey), 'known');
    assert.strictEqual(statusOf('203.0.113.10', pair.publicKey), 'unknown');
  });

  it('replaces its own earlier line for the VM and removes only its own lines', async () => {
    fs.writeFileSync(file, 'other.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB1EMTVbYrt10u81Q1kaAXwnnrN/JE8CF758qbhf+dpj\n');
    const first = generateHostKeyPair('trainer');
    const second = generateHostKeyPair('trainer');
    await recordProvisionedHostKey(file, '203.0.113.9', 22, first.publicKey, VM);
    await recordProvisionedHostKey(file, '203.0.113.9', 22, second.publicKey, VM);
    assert.strictEqual(statusOf('203.0.113.9', second.publicKey), 'known');
    assert.strictEqual(statusOf('203.0.113.9', first.publicKey), 'changed');
    await removeProvisionedHostKey(file, VM);
    assert.strictEqual(statusOf('203.0.113.9', second.publicKey), 'unknown');
    assert.strictEqual(parseKnownHosts(fs.readFileSync(file, 'utf8')).length, 1, 'the other host stays');
  });
});

describe('local public keys', () => {
  let dir: string;

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-keys-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds id_*.pub with ed25519 first, skipping what is not a key; a new pair never overwrites', async () => {
    const rsa = await createKeyPair(dir, 'id_rsa_work', 'me');
    fs.renameSync(rsa.file, path.join(dir, 'id_rsa.pub'));
    const ed = await createKeyPair(dir, 'id_ed25519', 'me');
    fs.writeFileSync(path.join(dir, 'id_broken.pub'), 'not a key\n');
    fs.writeFileSync(path.join(dir, 'other.pub'), ed.line);
    const found = await findPublicKeys(dir);
    assert.deepStrictEqual(
      found.map((k) => path.basename(k.file)),
      ['id_ed25519.pub', 'id_rsa.pub'],
    );
    assert.strictEqual(found[0].line, ed.line);
    assert.strictEqual(fs.statSync(path.join(dir, 'id_ed25519')).mode & 0o777, 0o600);
    await assert.rejects(createKeyPair(dir, 'id_ed25519', 'me'), /EEXIST/);
  });
});
