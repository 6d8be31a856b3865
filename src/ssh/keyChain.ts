import * as fs from 'node:fs/promises';
import { BaseAgent, OpenSSHAgent, utils, type IdentityCallback, type ParsedKey, type SignCallback, type SigningRequestOptions } from 'ssh2';
import type { Logger } from '../common/logger';
import type { KeyUnlocker } from './keyUnlocker';
import { parsePrivateKey, publicBlobOfOpensshKey, publicBlobOfPubFile } from './privateKeyFile';

/** One key offered to the server, and how to sign with it once the server says it would accept it. */
interface Identity {
  readonly publicBlob: Buffer;
  readonly source: { readonly kind: 'agent' } | { readonly kind: 'file'; readonly path: string; readonly data: Buffer };
}

export interface KeyChainOptions {
  readonly identityFiles: readonly string[];
  /** IdentitiesOnly: of the agent's keys, offer only those that match an identity file. */
  readonly identitiesOnly: boolean;
  readonly agentSocket: string | undefined;
  readonly unlocker: KeyUnlocker;
  readonly log: Logger;
}

/**
 * The keys of one connection attempt as an ssh2 agent, in OpenSSH's order: the agent's keys, then
 * identity files not already in the agent. The server is asked about each public key first; only
 * a key it accepts is unlocked (so a passphrase is asked only for a key that would work).
 */
export class KeyChain extends BaseAgent<Buffer> {
  private identities: Identity[] = [];
  private readonly agent: OpenSSHAgent | undefined;

  constructor(private readonly options: KeyChainOptions) {
    super();
    this.agent = options.agentSocket ? new OpenSSHAgent(options.agentSocket) : undefined;
  }

  getIdentities(cb: IdentityCallback<Buffer>): void {
    this.collect().then(
      (identities) => {
        this.identities = identities;
        cb(
          undefined,
          identities.map((identity) => identity.publicBlob),
        );
      },
      (error: Error) => cb(error),
    );
  }

  sign(pubKey: Buffer | ParsedKey, data: Buffer, options: SigningRequestOptions | SignCallback, cb?: SignCallback): void {
    const callback = (typeof options === 'function' ? options : cb)!;
    const signOptions = typeof options === 'function' ? {} : options;
    const blob = Buffer.isBuffer(pubKey) ? pubKey : pubKey.getPublicSSH();
    const identity = this.identities.find((each) => each.publicBlob.equals(blob));
    if (!identity) return callback(new Error('Unknown key'));
    if (identity.source.kind === 'agent') {
      const parsed = utils.parseKey(blob);
      if (parsed instanceof Error || Array.isArray(parsed)) return callback(new Error('Unreadable agent key'));
      this.agent!.sign(parsed, data, signOptions, callback);
      return;
    }
    const { path, data: keyData } = identity.source;
    this.options.unlocker.unlock(path, keyData).then(
      (key) => {
        if (!key) return callback(new Error(`Key ${path} was not unlocked`));
        const signature = key.sign(data, signOptions.hash);
        if (signature instanceof Error) return callback(signature);
        callback(undefined, signature);
      },
      (error: Error) => callback(error),
    );
  }

  private async collect(): Promise<Identity[]> {
    const files = (await Promise.all(this.options.identityFiles.map((path) => this.readFileIdentity(path)))).filter(
      (identity): identity is Identity => identity !== undefined,
    );
    let agentBlobs = await this.agentKeys();
    if (this.options.identitiesOnly) agentBlobs = agentBlobs.filter((blob) => files.some((file) => file.publicBlob.equals(blob)));
    const fromAgent: Identity[] = agentBlobs.map((publicBlob) => ({ publicBlob, source: { kind: 'agent' } }));
    const fileOnly = files.filter((file) => !agentBlobs.some((blob) => blob.equals(file.publicBlob)));
    return [...fromAgent, ...fileOnly];
  }

  private agentKeys(): Promise<Buffer[]> {
    const agent = this.agent;
    if (!agent) return Promise.resolve([]);
    return new Promise((resolve) => {
      agent.getIdentities((error, keys) => {
        if (error || !keys) {
          this.options.log.warn(`ssh-agent at ${this.options.agentSocket} did not answer: ${error?.message ?? 'no keys'}`);
          return resolve([]);
        }
        // OpenSSHAgent hands back parsed keys.
        resolve(keys.flatMap((key) => ('getPublicSSH' in key ? [key.getPublicSSH()] : [])));
      });
    });
  }

  private async readFileIdentity(path: string): Promise<Identity | undefined> {
    let data: Buffer;
    try {
      data = await fs.readFile(path);
    } catch {
      return undefined; // a default key file that does not exist
    }
    const plain = parsePrivateKey(data);
    let publicBlob = plain instanceof Error ? publicBlobOfOpensshKey(data) : plain.getPublicSSH();
    if (!publicBlob) {
      const pub = await fs.readFile(`${path}.pub`, 'utf8').catch(() => undefined);
      publicBlob = pub !== undefined ? publicBlobOfPubFile(pub) : undefined;
    }
    if (!publicBlob) {
      // An old PEM key that is encrypted and has no .pub: it has to be unlocked to be offered.
      const key = await this.options.unlocker.unlock(path, data).catch((error: Error) => {
        this.options.log.warn(error.message);
        return undefined;
      });
      if (!key) return undefined;
      publicBlob = key.getPublicSSH();
    }
    return { publicBlob, source: { kind: 'file', path, data } };
  }
}
