import * as vscode from 'vscode';
import { SETTINGS_SECTION, settingDefinitions, settingId, type SettingKey, type SettingValues } from './settingDefinitions';

function read<K extends SettingKey>(key: K): SettingValues[K] {
  const { name, default: fallback } = settingDefinitions[key];
  return vscode.workspace.getConfiguration(SETTINGS_SECTION).get<SettingValues[K]>(name, fallback);
}

/** One getter per setting of package.json (names and defaults in settingDefinitions.ts), read afresh on each call. */
export const settings: { readonly [K in SettingKey]: () => SettingValues[K] } = {
  cloud: () => read('cloud'),
  resourceManagerEndpoint: () => read('resourceManagerEndpoint'),
  authorityHost: () => read('authorityHost'),
  caCertificate: () => read('caCertificate'),
  credential: () => read('credential'),
  tenant: () => read('tenant'),
  subscriptions: () => read('subscriptions'),
  showNonGpuVms: () => read('showNonGpuVms'),
  usePrivateIp: () => read('usePrivateIp'),
  identityFile: () => read('identityFile'),
  knownHostsFile: () => read('knownHostsFile'),
  rememberPassphrases: () => read('rememberPassphrases'),
  sshHosts: () => read('sshHosts'),
  syncMaxFileSizeMB: () => read('syncMaxFileSizeMB'),
  syncExclude: () => read('syncExclude'),
  python: () => read('python'),
  outputsFolder: () => read('outputsFolder'),
  gpuTelemetryIntervalSeconds: () => read('gpuTelemetryIntervalSeconds'),
  retailPricesEndpoint: () => read('retailPricesEndpoint'),
  vmImage: () => read('vmImage'),
  sshPublicKeyFile: () => read('sshPublicKeyFile'),
  costGuardInstanceMetadataEndpoint: () => read('costGuardInstanceMetadataEndpoint'),
  costGuardResourceManagerEndpoint: () => read('costGuardResourceManagerEndpoint'),
  costGuardMinimumIdleMinutes: () => read('costGuardMinimumIdleMinutes'),
};

/** Changes a setting in the user's settings (every workspace); undefined removes it. */
export async function updateSetting<K extends SettingKey>(key: K, value: SettingValues[K] | undefined): Promise<void> {
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(settingDefinitions[key].name, value, vscode.ConfigurationTarget.Global);
}

/** Whether a configuration change touches any of these settings. */
export function settingsChanged(event: vscode.ConfigurationChangeEvent, ...keys: SettingKey[]): boolean {
  return keys.some((key) => event.affectsConfiguration(settingId(key)));
}
