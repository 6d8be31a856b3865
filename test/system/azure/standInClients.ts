import { type ArmStandIn, StaticTokenCredential } from '../../sandbox/arm';
import { ArmClients, type ArmClientOptions } from '../../../src/azure/armClients';
import { resolveAzureEnvironment } from '../../../src/azure/azureEnvironment';
import type { CredentialSource } from '../../../src/azure/credentialSource';

/**
 * The extension's own Azure clients pointed at the stand-in, configured as a user of a custom cloud
 * would (its endpoint and CA), signed in with the stand-in's static token.
 */
export function standInClients(arm: ArmStandIn, options: ArmClientOptions = {}, caCertificate: string = arm.caFile): ArmClients {
  const environment = resolveAzureEnvironment({ cloud: 'Custom', resourceManagerEndpoint: arm.endpoint, authorityHost: '', caCertificate });
  const token = new StaticTokenCredential(arm.staticToken);
  const source: CredentialSource = { kind: 'environment', credential: () => token, refresh: async () => {} };
  return new ArmClients(environment, source, options);
}
