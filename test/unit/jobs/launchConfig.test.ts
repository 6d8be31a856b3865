import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  LaunchConfigError,
  normalizedWorkspacePath,
  parseLaunchConfigurations,
  workspacePathProblem,
} from '../../../src/jobs/launchConfig';
import { jsonArray, jsonAt, jsonEntries, jsonString, parseJson } from '../../json';

const root = path.resolve(__dirname, '../../../..');

function expectError(text: string, field: string, problem: RegExp): void {
  assert.throws(
    () => parseLaunchConfigurations(text),
    (error: unknown) => {
      assert.ok(error instanceof LaunchConfigError, String(error));
      assert.strictEqual(error.field, field);
      assert.match(error.message, problem);
      assert.ok(error.message.includes('.vscode/azure-pytorch.json'), error.message);
      return true;
    },
  );
}

const one = (fields: Record<string, unknown>): string => JSON.stringify({ configurations: [{ name: 'a', script: 'train.py', ...fields }] });

describe('launch configurations (.vscode/azure-pytorch.json)', () => {
  it('reads every field, with comments and trailing commas as in VS Code settings files', () => {
    const text = `{
      // Two nodes of four GPUs
      "configurations": [
        {
          "name": "Big run", /* the long one */
          "script": "./src/train.py",
          "args": ["--lr", "0.1", "--name=a b",],
          "env": { "NCCL_DEBUG": "INFO", "URL": "http://x//y" },
          "targets": ["gpu-a100-1", "azureuser@10.0.0.5:2222"],
          "nodes": 2,
          "nprocPerNode": 4,
          "python": "/opt/conda/bin/python",
          "requirements": "requirements.txt",
          "setup": ["pip list"],
          "syncExclude": ["data/**"],
          "outputs": "checkpoints",
        },
      ],
    }`;
    const [config] = parseLaunchConfigurations(text);
    assert.deepStrictEqual(config, {
      name: 'Big run',
      script: 'src/train.py',
      args: ['--lr', '0.1', '--name=a b'],
      env: { NCCL_DEBUG: 'INFO', URL: 'http://x//y' },
      targets: ['gpu-a100-1', 'azureuser@10.0.0.5:2222'],
      nodes: 2,
      nprocPerNode: 4,
      python: '/opt/conda/bin/python',
      requirements: 'requirements.txt',
      setup: ['pip list'],
      syncExclude: ['data/**'],
      outputs: 'checkpoints',
    });
  });

  it('fills defaults for the optional lists', () => {
    const [config] = parseLaunchConfigurations(one({}));
    assert.deepStrictEqual([config.args, config.targets, config.setup, config.syncExclude, config.env], [[], [], [], [], {}]);
    assert.strictEqual(config.nodes, undefined);
    assert.strictEqual(config.nprocPerNode, undefined);
  });

  it('accepts an empty file object and a missing list', () => {
    assert.deepStrictEqual(parseLaunchConfigurations('{}'), []);
  });

  it('names the bad field and says what is wrong', () => {
    expectError('{ "configurations": [ }', '', /not valid JSON.*line 1/);
    expectError('[]', '', /object with a "configurations" list/);
    expectError('{"configurations": {}}', 'configurations', /must be a list/);
    expectError(JSON.stringify({ configurations: [{ script: 'train.py' }] }), 'configurations[0].name', /is missing/);
    expectError(one({ script: '' }), 'configurations[0].script', /must not be empty/);
    expectError(one({ script: 'notes.txt' }), 'configurations[0].script', /Python \(\.py\) file/);
    expectError(one({ script: '/abs/train.py' }), 'configurations[0].script', /relative to the workspace/);
    expectError(one({ script: '../other/train.py' }), 'configurations[0].script', /inside the workspace/);
    expectError(one({ args: '--lr 0.1' }), 'configurations[0].args', /list of strings \(got "--lr 0.1"\)/);
    expectError(one({ args: ['--steps', 5] }), 'configurations[0].args[1]', /must be a string \(got 5\)/);
    expectError(one({ nodes: 0 }), 'configurations[0].nodes', /whole number of 1 or more \(got 0\)/);
    expectError(one({ nprocPerNode: 1.5 }), 'configurations[0].nprocPerNode', /whole number/);
    expectError(one({ nodes: 3, targets: ['a', 'b'] }), 'configurations[0].nodes', /names only 2 machines/);
    expectError(one({ targets: ['a', 'a'] }), 'configurations[0].targets', /twice/);
    expectError(one({ env: { 'BAD-NAME': 'x' } }), 'configurations[0].env', /not a valid environment variable name/);
    expectError(one({ env: { N: 1 } }), 'configurations[0].env.N', /must be a string/);
    expectError(one({ env: { __azp_rank: 'x' } }), 'configurations[0].env', /"__azp_rank": names starting with __azp_ are reserved/);
    expectError(one({ env: { __AZP_HOME: 'x' } }), 'configurations[0].env', /reserved for the job's run script/);
    expectError(one({ outputs: '../up' }), 'configurations[0].outputs', /inside the workspace/);
    expectError(one({ nproc: 2 }), 'configurations[0].nproc', /not a known field \(did you mean "nprocPerNode"\?\)/);
    expectError('{"configs": []}', 'configs', /not a known field/);
  });

  it('refuses two configurations with one name', () => {
    const text = JSON.stringify({
      configurations: [
        { name: 'a', script: 'x.py' },
        { name: 'a', script: 'y.py' },
      ],
    });
    expectError(text, 'configurations[1].name', /repeats the name "a"/);
  });

  it('is contributed with a JSON schema that knows the same fields', () => {
    const manifest = parseJson(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const entry = jsonArray(manifest, 'contributes', 'jsonValidation').find((v) => {
      const fileMatch = jsonAt(v, 'fileMatch');
      const patterns = Array.isArray(fileMatch) ? jsonArray(fileMatch).map((m) => jsonString(m)) : [jsonString(fileMatch)];
      return patterns.some((m) => m.endsWith('.vscode/azure-pytorch.json'));
    });
    assert.ok(entry, 'package.json contributes no jsonValidation for .vscode/azure-pytorch.json');
    const schema = parseJson(fs.readFileSync(path.join(root, jsonString(entry, 'url')), 'utf8'));
    const properties = new Map(jsonEntries(schema, 'definitions', 'configuration', 'properties'));
    const schemaFields = [...properties.keys()].sort();
    assert.deepStrictEqual(schemaFields, [
      'args',
      'env',
      'name',
      'nodes',
      'nprocPerNode',
      'outputs',
      'python',
      'requirements',
      'script',
      'setup',
      'syncExclude',
      'targets',
    ]);
    // Every schema field is one the parser accepts.
    for (const field of schemaFields) {
      const type = jsonAt(properties.get(field), 'type');
      const sample =
        field === 'env' ? {} : type === 'array' ? [] : type === 'integer' ? 1 : field === 'script' ? 'a.py' : field === 'name' ? 'n' : 'x';
      assert.doesNotThrow(
        () => parseLaunchConfigurations(JSON.stringify({ configurations: [{ name: 'n', script: 'a.py', [field]: sample }] })),
        field,
      );
    }
  });

  it("holds a folder setting (azurePytorch.outputsFolder) to the rule a configuration's outputs meets", () => {
    for (const inside of ['outputs', './outputs', 'runs/today', 'runs\\today'])
      assert.strictEqual(workspacePathProblem(inside), undefined, inside);
    assert.strictEqual(normalizedWorkspacePath('./runs\\today'), 'runs/today');
    for (const absolute of ['/tmp/out', '~/out', 'C:\\out', 'c:/out'])
      assert.match(workspacePathProblem(absolute) ?? '', /relative to the workspace/, absolute);
    for (const escaping of ['..', '../up', 'a/../../up', 'a\\..\\..\\up'])
      assert.match(workspacePathProblem(escaping) ?? '', /inside the workspace/, escaping);
  });
});
