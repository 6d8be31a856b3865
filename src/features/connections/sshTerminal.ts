import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import * as vscode from 'vscode';
import { errorMessage } from '../../common/errors';
import type { SshConnectionPool } from '../../ssh/connectionPool';
import type { SshConnection } from '../../ssh/sshConnection';
import type { SshTarget } from '../../ssh/sshTarget';
import { shellQuote } from '../../ssh/shellQuote';

/**
 * A VS Code terminal backed by an interactive shell on an open SSH connection: keys typed (or sent
 * with sendText) before the shell is ready are kept and sent once it is, the window size follows
 * the panel, output is decoded as a UTF-8 stream (a character split across packets stays whole),
 * and closing either side closes the other.
 */
export class SshPseudoterminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private channel: ClientChannel | undefined;
  private pendingInput: string[] = [];
  private dimensions: vscode.TerminalDimensions | undefined;
  private ended = false;
  private failed = false;

  constructor(
    private readonly connection: SshConnection,
    private readonly label: string,
    /** Typed first, e.g. `cd <folder>`. */
    private readonly startup?: string,
  ) {}

  open(initialDimensions: vscode.TerminalDimensions | undefined): void {
    this.dimensions = initialDimensions;
    const window = this.dimensions ? { rows: this.dimensions.rows, cols: this.dimensions.columns } : {};
    this.connection.shell(window).then(
      (channel) => this.attach(channel),
      (error: unknown) => this.fail(error),
    );
  }

  close(): void {
    this.ended = true;
    this.channel?.close();
    this.dispose();
  }

  handleInput(data: string): void {
    if (this.failed) {
      // After an error the terminal stays open for reading; any key closes it.
      this.finish(1);
      return;
    }
    if (this.channel) this.channel.write(data);
    else this.pendingInput.push(data);
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.dimensions = dimensions;
    this.channel?.setWindow(dimensions.rows, dimensions.columns, 0, 0);
  }

  private attach(channel: ClientChannel): void {
    if (this.ended) {
      channel.close();
      return;
    }
    this.channel = channel;
    const stdout = new StringDecoder('utf8');
    const stderr = new StringDecoder('utf8');
    let exitCode: number | undefined;
    channel.on('data', (data: Buffer) => this.written.fire(stdout.write(data)));
    channel.stderr.on('data', (data: Buffer) => this.written.fire(stderr.write(data)));
    channel.on('exit', (code: unknown) => {
      exitCode = typeof code === 'number' ? code : undefined;
    });
    channel.on('close', () => this.finish(exitCode));
    // The size may have changed while the shell was opening.
    if (this.dimensions) channel.setWindow(this.dimensions.rows, this.dimensions.columns, 0, 0);
    if (this.startup) channel.write(`${this.startup}\n`);
    for (const data of this.pendingInput.splice(0)) channel.write(data);
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.failed = true;
    this.written.fire(
      `\r\nCould not open a shell on ${this.label}: ${errorMessage(error)}\r\n\r\nPress any key to close this terminal.\r\n`,
    );
  }

  private finish(code: number | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.closed.fire(code);
    this.dispose();
  }

  private dispose(): void {
    this.written.dispose();
    this.closed.dispose();
  }
}

/**
 * Opens a terminal on a machine over the pooled SSH connection (its host keys and keys, no system
 * ssh needed), in `folder` (relative to the remote home). It connects first, so that a machine that
 * cannot be reached fails the command with the reason instead of leaving a dead terminal.
 */
export async function openRemoteTerminal(pool: SshConnectionPool, ssh: SshTarget, folder: string, name: string): Promise<vscode.Terminal> {
  const label = ssh.label ?? ssh.host;
  const connection = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Connecting to ${label}…` },
    () => pool.connection(ssh),
  );
  const startup = folder === '.' || folder === '' ? undefined : `cd ${shellQuote(folder)} && ls`;
  const pty = new SshPseudoterminal(connection, label, startup);
  const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('terminal') });
  terminal.show();
  return terminal;
}
