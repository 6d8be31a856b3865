import * as assert from 'node:assert/strict';
import {
  BackgroundHostKeyPolicy,
  HostKeyNotKnownError,
  type HostKeyNotifier,
} from '../../../../src/features/connections/backgroundHostKeyPolicy';
import type { ChangedHostKey, UnknownHostKey } from '../../../../src/ssh/credentials';

function changedKey(hostName: string, fingerprint: string): ChangedHostKey & { replaced: number } {
  const key = {
    hostName,
    label: hostName,
    keyType: 'ssh-ed25519',
    fingerprint,
    oldFingerprints: ['SHA256:old'],
    recordedAt: ['/home/u/.ssh/known_hosts:3'],
    replaced: 0,
    replaceRecordedKey: () => {
      key.replaced++;
      return Promise.resolve();
    },
  };
  return key;
}

/** A user who leaves each notification open until the test answers it. */
class FakeNotifications implements HostKeyNotifier {
  readonly shown: Array<{ key: ChangedHostKey | UnknownHostKey; answer: (acted: boolean) => void }> = [];
  changed(key: ChangedHostKey): Promise<boolean> {
    return new Promise((answer) => this.shown.push({ key, answer }));
  }
  unknown(key: UnknownHostKey): Promise<boolean> {
    return new Promise((answer) => this.shown.push({ key, answer }));
  }
}

function unknownKey(hostName: string, fingerprint: string): UnknownHostKey {
  return {
    hostName,
    label: hostName,
    keyType: 'ssh-ed25519',
    fingerprint,
    otherKnownTypes: [],
    otherKnownKeys: [],
    recordKey: () => Promise.resolve(),
  };
}

/** The readers of the scenario, each retrying on its own schedule: every attempt meets the changed key. */
async function attemptsOfReaders(policy: BackgroundHostKeyPolicy, key: ChangedHostKey, attempts: number): Promise<boolean[]> {
  const answers: boolean[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) answers.push(await policy.offerRemoveChangedKey(key));
  return answers;
}

describe('Background host key policy (automatic readers)', () => {
  it('refuses every attempt on a changed key and tells the user once, with both fingerprints', async () => {
    const notifications = new FakeNotifications();
    const policy = new BackgroundHostKeyPolicy(notifications);
    const key = changedKey('20.1.2.3', 'SHA256:new');
    // Log follower, log panel telemetry, cluster GPU poller and job monitor: 16 attempts each.
    const answers = (await Promise.all([1, 2, 3, 4].map(() => attemptsOfReaders(policy, key, 16)))).flat();
    assert.equal(answers.length, 64);
    assert.ok(
      answers.every((answer) => answer === false),
      'every attempt refused',
    );
    assert.equal(notifications.shown.length, 1);
    assert.ok('oldFingerprints' in notifications.shown[0].key);
    assert.deepEqual(notifications.shown[0].key.oldFingerprints, ['SHA256:old']);
    assert.equal(notifications.shown[0].key.fingerprint, 'SHA256:new');
  });

  it('keeps the refusal after the notification is dismissed, until the user acts on one', async () => {
    const notifications = new FakeNotifications();
    const policy = new BackgroundHostKeyPolicy(notifications);
    const key = changedKey('[20.1.2.3]:2200', 'SHA256:new');
    await policy.offerRemoveChangedKey(key);
    notifications.shown[0].answer(false);
    await attemptsOfReaders(policy, key, 10);
    assert.equal(notifications.shown.length, 1, 'dismissed: no second notification');

    // Another host, or the same host offering yet another key, is news.
    await policy.offerRemoveChangedKey(changedKey('20.9.9.9', 'SHA256:new'));
    await policy.offerRemoveChangedKey(changedKey('[20.1.2.3]:2200', 'SHA256:newer'));
    assert.deepEqual(
      notifications.shown.map((shown) => [shown.key.hostName, shown.key.fingerprint]),
      [
        ['[20.1.2.3]:2200', 'SHA256:new'],
        ['20.9.9.9', 'SHA256:new'],
        ['[20.1.2.3]:2200', 'SHA256:newer'],
      ],
    );
  });

  it('tells again once the user acted and the key is met changed once more', async () => {
    const notifications = new FakeNotifications();
    const policy = new BackgroundHostKeyPolicy(notifications);
    const key = changedKey('vm-a', 'SHA256:new');
    await policy.offerRemoveChangedKey(key);
    notifications.shown[0].answer(true);
    await new Promise((resolve) => setImmediate(resolve)); // the answer's handlers run
    await policy.offerRemoveChangedKey(key);
    assert.equal(notifications.shown.length, 2);
  });

  it('refuses an unknown key without asking, telling the user once per host and key', async () => {
    const notifications = new FakeNotifications();
    const policy = new BackgroundHostKeyPolicy(notifications);
    for (let attempt = 0; attempt < 10; attempt++) {
      await assert.rejects(policy.confirmUnknownKey(unknownKey('vm', 'SHA256:x')), HostKeyNotKnownError);
    }
    assert.equal(notifications.shown.length, 1);
    // A changed key of the same host is another situation.
    await policy.offerRemoveChangedKey(changedKey('vm', 'SHA256:x'));
    assert.equal(notifications.shown.length, 2);
  });
});
