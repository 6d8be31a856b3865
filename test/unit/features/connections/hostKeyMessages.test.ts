import * as assert from 'node:assert/strict';
import { changedKeyNotice, unknownKeyDialog } from '../../../../src/features/connections/hostKeyMessages';

const unknown = {
  hostName: '[20.1.2.3]:2200',
  label: 'gpu-vm',
  keyType: 'ecdsa-sha2-nistp256',
  fingerprint: 'SHA256:offered',
  otherKnownTypes: [] as string[],
  otherKnownKeys: [] as Array<{ keyType: string; fingerprint: string; recordedAt: string }>,
  recordKey: () => Promise.resolve(),
};

describe('Host key messages', () => {
  it('calls a host with no key recorded a first connection', () => {
    const dialog = unknownKeyDialog(unknown);
    assert.match(dialog.message, /^First connection to gpu-vm/);
    assert.match(dialog.detail, /ecdsa-sha2-nistp256 key fingerprint:\nSHA256:offered/);
    assert.match(dialog.detail, /ssh-keygen -lf \/etc\/ssh\/ssh_host_ecdsa_key\.pub/);
  });

  it('does not call it a first connection when a key of another type is known, and shows that key', () => {
    const known = { keyType: 'ssh-ed25519', fingerprint: 'SHA256:recorded', recordedAt: '/home/u/.ssh/known_hosts:7' };
    const dialog = unknownKeyDialog({ ...unknown, otherKnownTypes: ['ssh-ed25519'], otherKnownKeys: [known] });
    assert.doesNotMatch(`${dialog.message} ${dialog.detail}`, /first connection/i);
    assert.match(dialog.message, /another type is known/);
    assert.match(dialog.detail, /ssh-ed25519 SHA256:recorded \(\/home\/u\/\.ssh\/known_hosts:7\)/);
    assert.match(dialog.detail, /SHA256:offered/);
  });

  it('puts both fingerprints and where the old one is recorded into the changed-key notification', () => {
    const text = changedKeyNotice({
      hostName: '20.1.2.3',
      label: 'gpu-vm',
      keyType: 'ssh-ed25519',
      fingerprint: 'SHA256:offered',
      oldFingerprints: ['SHA256:recorded'],
      recordedAt: ['/home/u/.ssh/known_hosts:3'],
      replaceRecordedKey: () => Promise.resolve(),
    });
    assert.match(text, /CHANGED/);
    assert.match(text, /Recorded: SHA256:recorded \(\/home\/u\/\.ssh\/known_hosts:3\); offered now: ssh-ed25519 SHA256:offered/);
  });
});
