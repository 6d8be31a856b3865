/** Where the extension writes its diagnostics; in VS Code, a LogOutputChannel. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

/** A logger that drops everything, for code run outside VS Code (unit tests). */
export const silentLogger: Logger = { trace() {}, info() {}, warn() {}, error() {} };
