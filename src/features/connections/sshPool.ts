import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { errorMessage } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { SshConnectionPool } from '../../ssh/connectionPool';
import type { HostKeyPrompt, PassphrasePrompt, PassphraseStore } from '../../ssh/credentials';
import { settings } from '../settings';
import { BackgroundHostKeyPolicy } from './backgroundHostKeyPolicy';
import {
  changedKeyDialog,
  changedKeyNotice,
  replaceKeyDialog,
  unknownKeyDialog,
  unknownKeyNotice,
  type DialogText,
} from './hostKeyMessages';

/**
 * The SSH layer's pool with VS Code's side: modal host key questions (never a silent yes), the
 * passphrase box, passphrases in SecretStorage when the setting allows, and the ssh.* settings.
 */
export function createSshPool(
  context: vscode.ExtensionContext,
  log: Logger,
  prompts: { hostKeyPrompt: HostKeyPrompt; passphrasePrompt?: PassphrasePrompt } = { hostKeyPrompt, passphrasePrompt },
): SshConnectionPool {
  const knownHosts = vscode.Uri.joinPath(context.globalStorageUri, 'known_hosts').fsPath;
  return new SshConnectionPool({
    hostKeyPrompt: {
      // The extension's known_hosts is written only after a yes: its folder is made then, not at activation.
      confirmUnknownKey: async (key) =>
        (await prompts.hostKeyPrompt.confirmUnknownKey(key)) &&
        (await fs.promises.mkdir(path.dirname(knownHosts), { recursive: true }), true),
      offerRemoveChangedKey: (key) => prompts.hostKeyPrompt.offerRemoveChangedKey(key),
    },
    passphrasePrompt: prompts.passphrasePrompt,
    passphraseStore: secretPassphrases(context.secrets),
    settings: () => ({
      identityFile: settings.identityFile() || undefined,
      knownHostsFile: settings.knownHostsFile(),
      rememberPassphrases: settings.rememberPassphrases(),
    }),
    extensionKnownHostsFile: knownHosts,
    log,
  });
}

const hostKeyPrompt: HostKeyPrompt = {
  async confirmUnknownKey(key) {
    const trust = 'Trust and Connect';
    const { message, detail } = unknownKeyDialog(key);
    const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, trust);
    return choice === trust;
  },
  async offerRemoveChangedKey(key) {
    const remove = 'Remove the Old Entry…';
    const { message, detail } = changedKeyDialog(key);
    const choice = await vscode.window.showErrorMessage(message, { modal: true, detail }, remove);
    return choice === remove;
  },
};

/**
 * The pool's view for the readers nobody clicked for (log followers, GPU telemetry, the job
 * monitor): the same connections, but a host key question becomes one notification, not a dialog.
 */
export function backgroundSshPool(pool: SshConnectionPool, log: Logger): SshConnectionPool {
  return pool.withHostKeyPrompt(
    new BackgroundHostKeyPolicy({
      changed: (key) =>
        actOnNotification(key, log, {
          severity: 'error',
          notice: changedKeyNotice(key),
          action: 'Remove the Old Entry…',
          dialog: replaceKeyDialog(key),
          trust: 'Trust the New Key',
          record: () => key.replaceRecordedKey(),
        }),
      unknown: (key) =>
        actOnNotification(key, log, {
          severity: 'warning',
          notice: unknownKeyNotice(key),
          action: 'Check the Key…',
          dialog: unknownKeyDialog(key),
          trust: 'Trust and Connect',
          record: () => key.recordKey(),
        }),
    }),
  );
}

/**
 * A notification whose action opens the modal with the fingerprint to check; a yes there records
 * the key. Resolves true once the user acted (a failure to record is shown, and meeting the key
 * again may notify again), false when they dismissed either.
 */
async function actOnNotification(
  key: { readonly label: string; readonly hostName: string; readonly keyType: string; readonly fingerprint: string },
  log: Logger,
  ui: {
    severity: 'error' | 'warning';
    notice: string;
    action: string;
    dialog: DialogText;
    trust: string;
    record: () => Promise<void>;
  },
): Promise<boolean> {
  const show = ui.severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  if ((await show(ui.notice, ui.action)) !== ui.action) return false;
  const { message, detail } = ui.dialog;
  if ((await vscode.window.showWarningMessage(message, { modal: true, detail }, ui.trust)) !== ui.trust) return false;
  try {
    await ui.record();
    log.info(`Host key of ${key.label} (${key.hostName}) recorded: ${key.keyType} ${key.fingerprint}`);
  } catch (error) {
    void vscode.window.showErrorMessage(
      `Recording the host key of ${key.label} failed: ${errorMessage(error)}. Check known_hosts (ssh-keygen -F '${key.hostName}'), then connect again.`,
    );
  }
  return true;
}

const passphrasePrompt: PassphrasePrompt = {
  askPassphrase: ({ keyPath, previousWasWrong }) =>
    Promise.resolve(
      vscode.window.showInputBox({
        title: 'Azure PyTorch: SSH key passphrase',
        prompt: `${previousWasWrong ? 'Wrong passphrase. ' : ''}Passphrase of ${keyPath}`,
        password: true,
        ignoreFocusOut: true,
      }),
    ),
};

function secretPassphrases(secrets: vscode.SecretStorage): PassphraseStore {
  const key = (keyPath: string): string => `azurePytorch.ssh.passphrase:${keyPath}`;
  return {
    get: async (keyPath) => secrets.get(key(keyPath)),
    set: async (keyPath, passphrase) => secrets.store(key(keyPath), passphrase),
    delete: async (keyPath) => secrets.delete(key(keyPath)),
  };
}
