/**
 * A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI at start.
 * The certificate file doubles as the CA file clients trust (`tlsOptions: { ca }`).
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

export interface Certificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The PEM file to trust: the certificate itself. */
  readonly caFile: string;
}

export async function createSelfSignedCertificate(stateDir: string, baseName = 'arm'): Promise<Certificate> {
  fs.mkdirSync(stateDir, { recursive: true });
  const caFile = path.join(stateDir, `${baseName}-ca.pem`);
  const keyFile = path.join(stateDir, `${baseName}-key.pem`);
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '30',
    '-subj',
    '/CN=Azure PyTorch sandbox Resource Manager',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    caFile,
  ]);
  fs.chmodSync(keyFile, 0o600);
  return { certPem: fs.readFileSync(caFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8'), caFile };
}
