import type { CredentialKind } from '../azure/azureEnvironment';
import type { CloudName } from '../azure/cloudEndpoints';
import type { SshSettings } from '../ssh/connectionPool';

// The settings package.json contributes, without VS Code, so that a unit test can hold this table
// against the manifest. Read them through settings.ts.

/** The section every setting is under: `azurePytorch.<name>`. */
export const SETTINGS_SECTION = 'azurePytorch';

/** Each setting's value type, by the name its getter has. */
export interface SettingValues {
  readonly cloud: CloudName;
  readonly resourceManagerEndpoint: string;
  readonly authorityHost: string;
  readonly caCertificate: string;
  readonly credential: CredentialKind;
  readonly tenant: string;
  readonly subscriptions: readonly string[];
  readonly showNonGpuVms: boolean;
  readonly usePrivateIp: boolean;
  readonly identityFile: string;
  readonly knownHostsFile: SshSettings['knownHostsFile'];
  readonly rememberPassphrases: boolean;
  readonly sshHosts: readonly string[];
  readonly syncMaxFileSizeMB: number;
  readonly syncExclude: readonly string[];
  readonly python: string;
  readonly outputsFolder: string;
  readonly gpuTelemetryIntervalSeconds: number;
  readonly retailPricesEndpoint: string;
  readonly vmImage: string;
  readonly sshPublicKeyFile: string;
  readonly costGuardInstanceMetadataEndpoint: string;
  readonly costGuardResourceManagerEndpoint: string;
  readonly costGuardMinimumIdleMinutes: number;
}

export type SettingKey = keyof SettingValues;

export interface SettingDefinition<T> {
  /** The name under the section, as in package.json without `azurePytorch.`. */
  readonly name: string;
  /** The default package.json declares; what a getter returns when the setting is not set. */
  readonly default: T;
}

export const settingDefinitions: { readonly [K in SettingKey]: SettingDefinition<SettingValues[K]> } = {
  cloud: { name: 'cloud', default: 'AzureCloud' },
  resourceManagerEndpoint: { name: 'resourceManagerEndpoint', default: '' },
  authorityHost: { name: 'authorityHost', default: '' },
  caCertificate: { name: 'caCertificate', default: '' },
  credential: { name: 'credential', default: 'vscode' },
  tenant: { name: 'tenant', default: '' },
  subscriptions: { name: 'subscriptions', default: [] },
  showNonGpuVms: { name: 'showNonGpuVms', default: false },
  usePrivateIp: { name: 'ssh.usePrivateIp', default: false },
  identityFile: { name: 'ssh.identityFile', default: '' },
  knownHostsFile: { name: 'ssh.knownHostsFile', default: 'user' },
  rememberPassphrases: { name: 'ssh.rememberPassphrases', default: false },
  sshHosts: { name: 'ssh.hosts', default: [] },
  syncMaxFileSizeMB: { name: 'sync.maxFileSizeMB', default: 50 },
  syncExclude: { name: 'sync.exclude', default: [] },
  python: { name: 'python', default: 'python3' },
  outputsFolder: { name: 'outputsFolder', default: 'outputs' },
  gpuTelemetryIntervalSeconds: { name: 'gpuTelemetryIntervalSeconds', default: 2 },
  retailPricesEndpoint: { name: 'capacity.retailPricesEndpoint', default: 'https://prices.azure.com/api/retail/prices' },
  vmImage: { name: 'capacity.image', default: '' },
  sshPublicKeyFile: { name: 'capacity.sshPublicKeyFile', default: '' },
  costGuardInstanceMetadataEndpoint: { name: 'costGuard.instanceMetadataEndpoint', default: 'http://169.254.169.254' },
  costGuardResourceManagerEndpoint: { name: 'costGuard.resourceManagerEndpoint', default: '' },
  costGuardMinimumIdleMinutes: { name: 'costGuard.minimumIdleMinutes', default: 5 },
};

/** The full name of a setting, `azurePytorch.<name>`, as package.json and settings.json spell it. */
export function settingId(key: SettingKey): string {
  return `${SETTINGS_SECTION}.${settingDefinitions[key].name}`;
}
