import type { ClientChannel } from 'ssh2';
import * as vscode from 'vscode';
import type { SshConnectionPool, SshTarget } from '../ssh';
import { shellQuote } from '../ssh/shellQuote';

/**
 * A terminal on a VM over the pooled SSH connection (its host keys and keys, no system ssh
 * needed), starting in `folder` (relative to the remote home).
 */
export function openRemoteTerminal(pool: SshConnectionPool, ssh: SshTarget, folder: string, name: string): vscode.Terminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  let channel: ClientChannel | undefined;
  let size: vscode.TerminalDimensions | undefined;
  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: (dimensions) => {
      size = dimensions;
      write.fire(`Connecting to ${ssh.label ?? ssh.host}…\r\n`);
      void pool
        .connection(ssh)
        .then((connection) => connection.shell(size ? { rows: size.rows, cols: size.columns } : {}))
        .then((opened) => {
          channel = opened;
          opened.on('data', (data: Buffer) => write.fire(data.toString('utf8')));
          opened.stderr.on('data', (data: Buffer) => write.fire(data.toString('utf8')));
          opened.on('close', () => close.fire());
          opened.write(`cd ${shellQuote(folder)} && ls\n`);
        })
        .catch((error: unknown) => {
          write.fire(`\r\nCould not open a shell on ${ssh.label ?? ssh.host}: ${error instanceof Error ? error.message : String(error)}\r\n`);
          close.fire(1);
        });
    },
    close: () => channel?.close(),
    handleInput: (data) => channel?.write(data),
    setDimensions: (dimensions) => {
      size = dimensions;
      channel?.setWindow(dimensions.rows, dimensions.columns, 0, 0);
    },
  };
  const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('terminal') });
  terminal.show();
  return terminal;
}
