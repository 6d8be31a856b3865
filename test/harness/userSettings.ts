import * as fs from 'fs';
import * as path from 'path';

/** Settings that keep the workbench quiet, offline and free of first-run UI. */
export const quietUserSettings: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.openRepositoryInParentFolders': 'never',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  // The sandbox opens many ports (sshd's, the ARM stand-in, rendezvous): none of them is the user's.
  'remote.autoForwardPorts': false,
};

/**
 * Writes user-data/User/settings.json: the quiet settings, then `extra` on top; and the same into
 * user-data/Machine/settings.json, the server's own ("Remote") settings. The workbench is a remote
 * window of the server, so settings of machine scope are taken from there: VS Code drops them from
 * User settings once the extension's settings are registered.
 */
export function writeUserSettings(userDataDir: string, extra: Record<string, unknown> = {}): string {
  const settings = JSON.stringify({ ...quietUserSettings, ...extra }, null, 2);
  for (const folder of ['Machine', 'User']) {
    fs.mkdirSync(path.join(userDataDir, folder), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, folder, 'settings.json'), settings);
  }
  return path.join(userDataDir, 'User', 'settings.json');
}
