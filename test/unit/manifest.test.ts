import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { jsonArray, jsonAt, jsonEntries, jsonOptionalString, jsonString, parseJson } from '../json';

// The contributions in package.json are the extension's user interface: check the conventions.
const root = path.resolve(__dirname, '../../..');
const manifest = parseJson(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = jsonAt(manifest, 'contributes');
type Entry = { command: string; when?: string; group?: string };
const menuEntry = (entry: unknown): Entry => ({
  command: jsonString(entry, 'command'),
  when: jsonOptionalString(entry, 'when'),
  group: jsonOptionalString(entry, 'group'),
});
const menus: Record<string, Entry[]> = Object.fromEntries(
  jsonEntries(contributes, 'menus').map(([menu, entries]) => [menu, jsonArray(entries).map(menuEntry)]),
);
const commands = jsonArray(contributes, 'commands').map((command) => ({
  command: jsonString(command, 'command'),
  category: jsonString(command, 'category'),
  icon: jsonOptionalString(command, 'icon'),
}));

describe('package.json contributions', () => {
  it('names the extension and keeps activation lazy', () => {
    assert.strictEqual(jsonString(manifest, 'name'), 'azure-pytorch');
    assert.strictEqual(jsonString(manifest, 'displayName'), 'Azure PyTorch');
    assert.deepStrictEqual(jsonArray(manifest, 'activationEvents'), []);
    assert.match(jsonString(manifest, 'engines', 'vscode'), /^\^1\.\d+\.\d+$/);
  });

  it('puts every command in the Azure PyTorch category under azurePytorch.*', () => {
    for (const c of commands) {
      assert.strictEqual(c.category, 'Azure PyTorch', c.command);
      assert.match(c.command, /^azurePytorch\.[a-z][A-Za-z]+$/);
    }
  });

  it('gives an icon to every command shown in a title bar or inline', () => {
    const iconless = commands.filter((c) => !c.icon).map((c) => c.command);
    const shown = [
      ...menus['view/title'],
      ...menus['editor/title'],
      ...menus['view/item/context'].filter((e) => e.group?.startsWith('inline')),
    ];
    for (const entry of shown) {
      if (entry.group?.startsWith('navigation') || entry.group?.startsWith('inline') || !entry.group) {
        assert.ok(!iconless.includes(entry.command), `${entry.command} shows in a title bar without an icon`);
      }
    }
  });

  it('hides from the palette the commands that need a tree node', () => {
    const hidden = new Set(menus.commandPalette.filter((e) => e.when === 'false').map((e) => e.command));
    const itemCommands = new Set(menus['view/item/context'].map((e) => e.command));
    // From the palette, the power commands and Copy IP ask which VM (src/features/clusters/vmPicker.ts).
    const pickingVm = ['startVm', 'stopVm', 'powerOffVm', 'restartVm', 'copyIp'].map((n) => `azurePytorch.${n}`);
    for (const command of pickingVm) {
      const entry = menus.commandPalette.find((e) => e.command === command);
      assert.strictEqual(entry?.when, 'azurePytorch.signedIn', `${command} shows in the palette only when signed in`);
    }
    // Create GPU VM asks for the subscription, Delete VM for the VM (src/features/capacity/).
    const capacity = ['azurePytorch.createGpuVm', 'azurePytorch.deleteVm'];
    // The cost guard's commands ask for the VM too (src/features/costGuard/).
    const costGuard = ['azurePytorch.autoDeallocateVm', 'azurePytorch.showAutoDeallocateLog'];
    // The scale set commands ask for the scale set (src/features/clusters/commands/scaleSets.ts).
    const scaleSets = ['azurePytorch.scaleScaleSet', 'azurePytorch.startScaleSet', 'azurePytorch.deallocateScaleSet'];
    const usableWithoutNode = new Set(['azurePytorch.refresh', ...pickingVm, ...capacity, ...costGuard, ...scaleSets]);
    for (const command of itemCommands) {
      if (!usableWithoutNode.has(command)) assert.ok(hidden.has(command), `${command} needs a node but shows in the palette`);
    }
  });

  it('offers Train on Azure for Python files in the explorer, editor and editor title', () => {
    for (const menu of ['explorer/context', 'editor/context', 'editor/title']) {
      const entry = menus[menu].find((e) => e.command === 'azurePytorch.trainOnAzure');
      assert.ok(entry, menu);
      assert.match(entry.when ?? '', /\.py/);
    }
  });

  it('refers only to contributed commands in menus and welcome views', () => {
    const known = new Set(commands.map((c) => c.command));
    for (const [menu, entries] of Object.entries(menus)) {
      for (const entry of entries) assert.ok(known.has(entry.command), `${menu}: ${entry.command}`);
    }
    for (const welcome of jsonArray(contributes, 'viewsWelcome')) {
      for (const [, command] of jsonString(welcome, 'contents').matchAll(/\(command:([\w.]+)\)/g)) assert.ok(known.has(command), command);
    }
  });

  it('documents every setting under azurePytorch.*', () => {
    for (const [key, setting] of jsonEntries(contributes, 'configuration', 'properties')) {
      assert.match(key, /^azurePytorch\./);
      assert.ok(jsonAt(setting, 'description') || jsonAt(setting, 'markdownDescription'), `${key} has no description`);
      assert.ok(jsonAt(setting, 'default') !== undefined, `${key} has no default`);
    }
  });

  it('has the Clusters and Jobs views in the Azure PyTorch container', () => {
    assert.deepStrictEqual(
      jsonArray(contributes, 'viewsContainers', 'activitybar').map((c) => jsonString(c, 'id')),
      ['azurePytorch'],
    );
    assert.deepStrictEqual(
      jsonArray(contributes, 'views', 'azurePytorch').map((v) => jsonString(v, 'id')),
      ['azurePytorch.clusters', 'azurePytorch.jobs'],
    );
  });
});
