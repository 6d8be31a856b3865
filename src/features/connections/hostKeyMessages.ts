import type { ChangedHostKey, UnknownHostKey } from '../../ssh/credentials';

/** A dialog's text: the headline and the detail below it. */
export interface DialogText {
  readonly message: string;
  readonly detail: string;
}

/** Where the VM keeps its public key of this type (ssh_host_ed25519_key.pub, …). */
function hostKeyFile(keyType: string): string {
  return `/etc/ssh/ssh_host_${keyType.replace(/^ssh-/, '').replace(/-.*$/, '')}_key.pub`;
}

/**
 * The question about a key known_hosts does not hold. A host for which a key of another type is
 * recorded is no first connection: that key is shown, since a host that stopped offering it may
 * have been reinstalled, or may not be the same host.
 */
export function unknownKeyDialog(key: UnknownHostKey): DialogText {
  const check =
    `Connect only if it matches the VM's own (on the VM: ssh-keygen -lf ${hostKeyFile(key.keyType)}). ` +
    `It is then recorded as ${key.hostName}.`;
  const offered = `${key.keyType} key fingerprint:\n${key.fingerprint}`;
  if (key.otherKnownKeys.length === 0) {
    return { message: `First connection to ${key.label}: its host key is not known yet.`, detail: `${offered}\n\n${check}` };
  }
  const known = key.otherKnownKeys.map((other) => `${other.keyType} ${other.fingerprint} (${other.recordedAt})`).join('\n');
  return {
    message: `${key.label} offered a ${key.keyType} host key, but a key of another type is known for it.`,
    detail:
      `Known for ${key.hostName}:\n${known}\n\nOffered now: ${offered}\n\n` +
      'The host may have been reinstalled, or someone may be intercepting the connection. ' +
      check,
  };
}

/** The modal shown when the user's own action meets a changed key. */
export function changedKeyDialog(key: ChangedHostKey): DialogText {
  return {
    message: `The host key of ${key.label} has CHANGED: the connection was refused.`,
    detail:
      `Recorded: ${key.oldFingerprints.join(', ')} (${key.recordedAt.join(', ')})\nOffered now: ${key.keyType} ${key.fingerprint}\n\n` +
      'A VM deleted and recreated with the same IP address has a new key: then remove the old entry and check the new one. ' +
      'Otherwise someone may be intercepting the connection: do not connect.',
  };
}

/** The one notification for a changed key met by readers nobody clicked for (logs, GPUs, job state). */
export function changedKeyNotice(key: ChangedHostKey): string {
  return (
    `The host key of ${key.label} (${key.hostName}) has CHANGED: logs, GPU readings and job state from it are refused until you act. ` +
    `Recorded: ${key.oldFingerprints.join(', ')} (${key.recordedAt.join(', ')}); offered now: ${key.keyType} ${key.fingerprint}. ` +
    'A VM recreated with the same IP address has a new key; otherwise someone may be intercepting the connection.'
  );
}

/** The one notification for a key not known yet, met by those readers. */
export function unknownKeyNotice(key: UnknownHostKey): string {
  return (
    `The host key of ${key.label} (${key.hostName}) is not known: logs, GPU readings and job state from it wait until you check it ` +
    `(${key.keyType} ${key.fingerprint}).`
  );
}

/** The confirmation after "Remove the Old Entry…" in that notification: the new key, to check. */
export function replaceKeyDialog(key: ChangedHostKey): DialogText {
  return {
    message: `Trust the new host key of ${key.label}?`,
    detail:
      `${key.keyType} key fingerprint:\n${key.fingerprint}\n\n` +
      `Trust it only if it matches the VM's own (on the VM: ssh-keygen -lf ${hostKeyFile(key.keyType)}). ` +
      `The old entry (${key.recordedAt.join(', ')}) is then removed, kept as a .old copy, and the new key recorded as ${key.hostName}.`,
  };
}
