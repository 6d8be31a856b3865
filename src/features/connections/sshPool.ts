import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Logger } from '../../common/logger';
import type { RemoteCommand, RemoteCommandRunner } from '../../logs/remoteCommandRunner';
import { SshConnectionPool } from '../../ssh/connectionPool';
import type { HostKeyPrompt, PassphrasePrompt, PassphraseStore } from '../../ssh/credentials';
import type { SshTarget } from '../../ssh/sshTarget';
import { settings } from '../settings';

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
    const other = key.otherKnownTypes.length ? ` (keys of type ${key.otherKnownTypes.join(', ')} are already known for it)` : '';
    const hostKeyFile = `/etc/ssh/ssh_host_${key.keyType.replace(/^ssh-/, '').replace(/-.*$/, '')}_key.pub`;
    const choice = await vscode.window.showWarningMessage(
      `First connection to ${key.label}: its host key is not known yet${other}.`,
      {
        modal: true,
        detail:
          `${key.keyType} key fingerprint:\n${key.fingerprint}\n\n` +
          `Connect only if it matches the VM's own (on the VM: ssh-keygen -lf ${hostKeyFile}). It is then recorded as ${key.hostName}.`,
      },
      trust,
    );
    return choice === trust;
  },
  async offerRemoveChangedKey(key) {
    const remove = 'Remove the Old Entry…';
    const choice = await vscode.window.showErrorMessage(
      `The host key of ${key.label} has CHANGED: the connection was refused.`,
      {
        modal: true,
        detail:
          `Recorded: ${key.oldFingerprints.join(', ')} (${key.recordedAt.join(', ')})\nOffered now: ${key.keyType} ${key.fingerprint}\n\n` +
          'A VM deleted and recreated with the same IP address has a new key: then remove the old entry and check the new one. ' +
          'Otherwise someone may be intercepting the connection: do not connect.',
      },
      remove,
    );
    return choice === remove;
  },
};

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

/** The log panel's view of a host: commands streamed over the pooled connection. */
export function poolCommandRunner(pool: SshConnectionPool, target: SshTarget): RemoteCommandRunner {
  return {
    start(argv, handlers): RemoteCommand {
      let kill: (() => void) | undefined;
      let cancelled = false;
      const result = (async () => {
        const process = await pool.spawn(target, argv);
        kill = () => process.kill();
        if (cancelled) kill();
        process.stdout.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
        process.stderr.on('data', (chunk: Buffer) => handlers.onStderr?.(chunk));
        process.stdin.end();
        const status = await process.exit;
        return { exitCode: status.code, signal: status.signal ?? undefined };
      })();
      return {
        result,
        cancel: () => {
          cancelled = true;
          kill?.();
        },
      };
    },
  };
}
