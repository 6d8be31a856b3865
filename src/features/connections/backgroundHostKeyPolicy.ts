import type { ChangedHostKey, HostKeyPrompt, UnknownHostKey } from '../../ssh/credentials';
import { HostKeyRejectedError } from '../../ssh/errors';

/** An unknown host key met while connecting in the background, where no one is asked about it. */
export class HostKeyNotKnownError extends HostKeyRejectedError {
  constructor(
    readonly fingerprint: string,
    readonly keyType: string,
  ) {
    super(`the host key is not known yet (${keyType} ${fingerprint})`);
  }
}

/**
 * The host key prompt of connections the user did not ask for (reading a host's GPUs during a tree
 * refresh): it never shows a dialog. An unknown key fails with HostKeyNotKnownError, so the view can
 * offer to connect; a changed key is refused with SSH's warning.
 */
export const backgroundHostKeyPrompt: HostKeyPrompt = {
  confirmUnknownKey: (key) => Promise.reject(new HostKeyNotKnownError(key.fingerprint, key.keyType)),
  offerRemoveChangedKey: () => Promise.resolve(false),
};

/**
 * Tells the user about a host key the automatic readers refused, with the action that resolves it;
 * each resolves true once the user acted on it, false when they dismissed it.
 */
export interface HostKeyNotifier {
  /** A changed key: both fingerprints, and the action to remove the old entry. */
  changed(key: ChangedHostKey): Promise<boolean>;
  /** A key not known yet: its fingerprint, and the action to check and trust it. */
  unknown(key: UnknownHostKey): Promise<boolean>;
}

/**
 * The host key policy of the automatic readers (log followers, GPU telemetry, the job monitor): like
 * backgroundHostKeyPrompt it never shows a dialog; changed and unknown keys are refused. The user is
 * told once per host and offered key, however many readers meet it and however often they retry;
 * the refusal is remembered, silently, until the user acts on that one notification.
 */
export class BackgroundHostKeyPolicy implements HostKeyPrompt {
  /** `changed|unknown host-name` (`host` or `[host]:port`) → the offered fingerprint already told about. */
  private readonly told = new Map<string, string>();

  constructor(private readonly notifier: HostKeyNotifier) {}

  confirmUnknownKey(key: UnknownHostKey): Promise<boolean> {
    this.tellOnce(`unknown ${key.hostName}`, key.fingerprint, () => this.notifier.unknown(key));
    return Promise.reject(new HostKeyNotKnownError(key.fingerprint, key.keyType));
  }

  offerRemoveChangedKey(key: ChangedHostKey): Promise<boolean> {
    this.tellOnce(`changed ${key.hostName}`, key.fingerprint, () => this.notifier.changed(key));
    return Promise.resolve(false);
  }

  private tellOnce(situation: string, fingerprint: string, notify: () => Promise<boolean>): void {
    if (this.told.get(situation) === fingerprint) return;
    this.told.set(situation, fingerprint);
    const forget = (): void => {
      if (this.told.get(situation) === fingerprint) this.told.delete(situation);
    };
    // Dismissed, the refusal stands; acted on, meeting it again is news.
    void notify().then((acted) => acted && forget(), forget);
  }
}
