import type { HostKeyPrompt } from '../../ssh/credentials';
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
