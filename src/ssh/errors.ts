/** The SSH layer's failures, each with a message fit to show the user. */
export class SshError extends Error {
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The host's key differs from the recorded one; the connection was refused. */
export class HostKeyChangedError extends SshError {}

/** The user declined an unknown host key, or StrictHostKeyChecking refused it. */
export class HostKeyRejectedError extends SshError {}

/** No key was accepted by the server. */
export class AuthenticationFailedError extends SshError {}

/** The connection dropped (network, keepalive, or the server side died). */
export class ConnectionLostError extends SshError {
  constructor(message: string) {
    super(message, true);
  }
}

/** A remote command ran past the timeout its caller gave. */
export class CommandTimeoutError extends SshError {}

/** A remote command was cancelled through its AbortSignal. */
export class CommandAbortedError extends SshError {}
