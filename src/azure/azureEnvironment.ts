import * as fs from 'fs';
import * as tls from 'tls';
import { stringField } from '../common/fields';
import { cloudEndpoints, type CloudEndpoints, type CloudName } from './cloudEndpoints';

/** The user's Azure settings, as read from `azurePytorch.*`. */
export interface AzureSettings {
  readonly cloud: CloudName;
  readonly resourceManagerEndpoint: string;
  readonly authorityHost: string;
  /** Path of an extra CA certificate (PEM); empty for none. */
  readonly caCertificate: string;
  readonly credential: CredentialKind;
  /** Empty: chosen at sign-in. */
  readonly tenant: string;
  /** Empty: every subscription of the tenant. */
  readonly subscriptions: readonly string[];
}

export type CredentialKind = 'vscode' | 'azureCli' | 'environment';

/** Where and how the extension talks to Azure: endpoints and the certificates it trusts. */
export interface AzureEnvironment {
  readonly cloud: CloudName;
  readonly endpoints: CloudEndpoints;
  /** The CAs trusted for Azure requests: the system's plus the configured one; undefined for Node's defaults. */
  readonly trustedCas?: readonly string[];
}

export function resolveAzureEnvironment(
  settings: Pick<AzureSettings, 'cloud' | 'resourceManagerEndpoint' | 'authorityHost' | 'caCertificate'>,
  readFile: (path: string) => string = (path) => fs.readFileSync(path, 'utf8'),
): AzureEnvironment {
  const endpoints = cloudEndpoints(settings.cloud, {
    resourceManager: settings.resourceManagerEndpoint,
    authorityHost: settings.authorityHost,
  });
  return {
    cloud: settings.cloud,
    endpoints,
    trustedCas: settings.caCertificate ? trustedCas(settings.caCertificate, readFile) : undefined,
  };
}

function trustedCas(path: string, readFile: (path: string) => string): string[] {
  let pem: string;
  try {
    pem = readFile(path);
  } catch (error) {
    throw new Error(`azurePytorch.caCertificate: cannot read ${path} (${stringField(error, 'code') ?? String(error)}).`, { cause: error });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`azurePytorch.caCertificate: ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  // Node's `ca` option replaces the default roots; keep them so public endpoints still verify.
  return [...tls.rootCertificates, pem];
}

/** TLS options for the SDK's clients (`tlsOptions`). */
export function tlsOptionsOf(environment: AzureEnvironment): { ca: string[] } | undefined {
  return environment.trustedCas ? { ca: [...environment.trustedCas] } : undefined;
}
