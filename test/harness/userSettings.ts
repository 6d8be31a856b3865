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

/** Writes user-data/User/settings.json: the quiet settings, then `extra` on top. */
export function writeUserSettings(userDataDir: string, extra: Record<string, unknown> = {}): string {
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  const file = path.join(userDir, 'settings.json');
  fs.writeFileSync(file, JSON.stringify({ ...quietUserSettings, ...extra }, null, 2));
  return file;
}
