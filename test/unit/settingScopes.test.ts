import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { jsonArray, jsonAt, jsonEntries, jsonOptionalString, jsonString, parseJson } from '../json';

// A cloned repository's .vscode/settings.json must not steer credentials: a setting that decides
// where credentials or the workspace go, or which key or certificate is trusted, is read from the
// user's (or a remote machine's) settings only. VS Code ignores a folder's value for the scopes
// `machine` and `application`; `window` (the default), `resource` and `machine-overridable` take it.
const root = path.resolve(__dirname, '../../..');
const manifest = parseJson(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const properties = jsonEntries(manifest, 'contributes', 'configuration', 'properties');
const userOnlyScopes = ['machine', 'application'];

/** What a folder may set, and why that is harmless. Every other setting must be user-only. */
const workspaceSettable: Readonly<Record<string, string>> = {
  'azurePytorch.subscriptions': 'filters the list; the signed-in account decides what it can see',
  'azurePytorch.showNonGpuVms': 'what the Clusters view lists',
  'azurePytorch.sync.maxFileSizeMB': "which of the folder's files are sent, to a machine the user chose",
  'azurePytorch.sync.exclude': 'files never sent',
  'azurePytorch.python': "the interpreter on a machine the user chose, which runs the folder's code anyway",
  'azurePytorch.outputsFolder': 'a folder inside the synced workspace',
  'azurePytorch.gpuTelemetryIntervalSeconds': 'how often nvidia-smi is read (at least every second)',
};

/** Named in the review that found the hole (issue 11): these must never become workspace-settable. */
const steeringCredentials = [
  'cloud',
  'resourceManagerEndpoint',
  'authorityHost',
  'caCertificate',
  'credential',
  'tenant',
  'ssh.identityFile',
  'ssh.knownHostsFile',
  'ssh.hosts',
].map((name) => `azurePytorch.${name}`);

const scopeOf = (setting: unknown): string => jsonOptionalString(setting, 'scope') ?? 'window';
const userOnly = properties.filter(([, setting]) => userOnlyScopes.includes(scopeOf(setting))).map(([id]) => id);

describe('setting scopes', () => {
  it('reads every setting that steers credentials, the workspace or trust from user settings only', () => {
    for (const id of steeringCredentials) {
      assert.ok(!(id in workspaceSettable), `${id} must not be workspace-settable`);
      assert.ok(userOnly.includes(id), `${id} is not contributed with machine or application scope`);
    }
    for (const [id, setting] of properties) {
      if (id in workspaceSettable) continue;
      assert.ok(
        userOnlyScopes.includes(scopeOf(setting)),
        `${id} has scope "${scopeOf(setting)}", so a folder's .vscode/settings.json can set it: give it machine scope, ` +
          'or list it in workspaceSettable with the reason it is harmless',
      );
    }
  });

  it('lists only contributed settings as workspace-settable', () => {
    const contributed = new Set(properties.map(([id]) => id));
    for (const id of Object.keys(workspaceSettable)) assert.ok(contributed.has(id), `${id} is not contributed`);
  });

  it('runs in Restricted Mode with the user-only settings restricted', () => {
    const untrusted = jsonAt(manifest, 'capabilities', 'untrustedWorkspaces');
    assert.strictEqual(jsonString(untrusted, 'supported'), 'limited');
    assert.ok(jsonString(untrusted, 'description'));
    const restricted = jsonArray(untrusted, 'restrictedConfigurations').map((id) => jsonString(id));
    assert.deepStrictEqual([...restricted].sort(), [...userOnly].sort());
  });

  it('turns off, in Restricted Mode and virtual workspaces, the commands that send the folder to a machine', () => {
    const commands = jsonArray(manifest, 'contributes', 'commands');
    for (const id of ['trainOnAzure', 'trainHere', 'runAgain', 'syncWorkspace'].map((name) => `azurePytorch.${name}`)) {
      const command = commands.find((c) => jsonString(c, 'command') === id);
      assert.strictEqual(jsonOptionalString(command, 'enablement'), 'isWorkspaceTrusted && !virtualWorkspace', id);
    }
  });
});
