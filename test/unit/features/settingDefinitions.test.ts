import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SETTINGS_SECTION, settingDefinitions, settingId } from '../../../src/features/settingDefinitions';
import { jsonAt, jsonEntries } from '../../json';

// settings.ts has one getter per entry of this table (its type demands it): the table must match
// what package.json contributes, name for name and default for default.
const root = path.resolve(__dirname, '../../../..');

/** package.json's contributes.configuration.properties: each setting's id and default. */
function contributedDefaults(): Map<string, unknown> {
  const manifest: unknown = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return new Map(
    jsonEntries(manifest, 'contributes', 'configuration', 'properties').map(([id, property]) => [id, jsonAt(property, 'default')]),
  );
}

const defined = new Map(
  Object.values(settingDefinitions).map((definition) => [`${SETTINGS_SECTION}.${definition.name}`, definition.default]),
);

describe('settings', () => {
  it('has a getter, with the same default, for every setting package.json contributes', () => {
    const contributed = contributedDefaults();
    assert.ok(contributed.size > 0);
    for (const [id, contributedDefault] of contributed) {
      assert.ok(defined.has(id), `${id} is contributed but has no entry in src/features/settingDefinitions.ts`);
      assert.deepStrictEqual(defined.get(id), contributedDefault, `the default of ${id}`);
    }
  });

  it('defines only contributed settings, each once', () => {
    const contributed = contributedDefaults();
    for (const id of defined.keys()) assert.ok(contributed.has(id), `${id} has a getter but package.json does not contribute it`);
    assert.strictEqual(defined.size, Object.keys(settingDefinitions).length, 'two getters read the same setting');
  });

  it('spells a setting as package.json does', () => {
    assert.strictEqual(settingId('usePrivateIp'), 'azurePytorch.ssh.usePrivateIp');
    assert.strictEqual(settingId('cloud'), 'azurePytorch.cloud');
  });
});
