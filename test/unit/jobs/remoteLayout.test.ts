import * as assert from 'assert';
import { environmentKey } from '../../../src/jobs/environmentKey';
import { newJobId, targetsLabel } from '../../../src/jobs/jobSpec';
import { parseJsonc } from '../../../src/jobs/jsonc';
import { envDir, jobDir, nodePaths, workspaceDir } from '../../../src/jobs/remoteLayout';
import { jobSpec, node } from './fixtures';

describe('remote layout, job ids, environment keys', () => {
  it('puts everything under ~/.azure-pytorch, relative to the home folder', () => {
    assert.strictEqual(workspaceDir('proj-1a2b'), '.azure-pytorch/ws/proj-1a2b');
    assert.strictEqual(envDir('venv-0123'), '.azure-pytorch/envs/venv-0123');
    assert.strictEqual(jobDir('train-1'), '.azure-pytorch/jobs/train-1');
    assert.deepStrictEqual(nodePaths('train-1', 1), {
      log: '.azure-pytorch/jobs/train-1/node-1.log',
      pid: '.azure-pytorch/jobs/train-1/node-1.pid',
      exitCode: '.azure-pytorch/jobs/train-1/node-1.exit-code',
      started: '.azure-pytorch/jobs/train-1/node-1.started',
      ended: '.azure-pytorch/jobs/train-1/node-1.ended',
    });
  });

  it('refuses names that would leave their folder', () => {
    for (const bad of ['..', '../x', 'a/b', '', '-rf', 'a b', '.hidden'])
      assert.throws(() => jobDir(bad), /not a safe remote folder name/, bad);
  });

  it('makes unique, safe job ids from the script name and time', () => {
    const now = new Date(2026, 10, 25, 14, 23, 1);
    assert.strictEqual(
      newJobId('src/My Train!.py', now, () => 0.5),
      'my-train-20261125-142301-8000',
    );
    assert.strictEqual(
      newJobId('日本.py', now, () => 0),
      'job-20261125-142301-0000',
    );
    assert.match(newJobId('train.py', now), /^train-20261125-142301-[0-9a-f]{4}$/);
    assert.doesNotThrow(() => jobDir(newJobId('-- weird $(name).py', now)));
  });

  it('labels targets compactly', () => {
    assert.strictEqual(targetsLabel(jobSpec()), 'gpu-a100-1');
    assert.strictEqual(targetsLabel(jobSpec({ nodes: [node('a'), node('b'), node('c')] })), 'a +2');
  });

  it('keys the environment by what goes into it, and needs none without requirements or setup', () => {
    assert.strictEqual(environmentKey({ python: 'python3', setup: [] }), undefined);
    const base = { python: 'python3', requirements: { path: 'requirements.txt', text: 'numpy\n' }, setup: [] };
    const key = environmentKey(base);
    assert.match(key ?? '', /^venv-[0-9a-f]{16}$/);
    assert.strictEqual(environmentKey({ ...base }), key, 'the same inputs reuse the environment');
    assert.notStrictEqual(environmentKey({ ...base, requirements: { path: 'requirements.txt', text: 'numpy\nrich\n' } }), key);
    assert.notStrictEqual(environmentKey({ ...base, setup: ['pip install -e .'] }), key);
    assert.notStrictEqual(environmentKey({ ...base, python: 'python3.12' }), key);
  });

  it('parses JSON with comments and trailing commas, keeping // inside strings', () => {
    assert.deepStrictEqual(parseJsonc('{ "a": "http://x/*y*/", // c\n "b": [1, 2, /* c */ ], }'), { a: 'http://x/*y*/', b: [1, 2] });
    assert.throws(() => parseJsonc('{\n  "a": ,\n}'), /line 2/);
  });
});
