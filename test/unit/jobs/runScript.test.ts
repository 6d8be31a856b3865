import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { splitArguments } from '../../../src/jobs/argumentLine';
import { runScript } from '../../../src/jobs/runScript';
import { shellQuote } from '../../../src/ssh/shellQuote';
import { jobSpec } from './fixtures';
import { hostileStrings } from './hostileStrings';

describe('run script', () => {
  it('is valid sh, exports the job, and runs torchrun in the synced workspace', () => {
    const script = runScript({ spec: jobSpec({ env: { NCCL_DEBUG: 'INFO' } }) });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-sh-')), 'run.sh');
    fs.writeFileSync(file, script);
    execFileSync('sh', ['-n', file]);
    assert.match(script, /^ {4}export PYTHONUNBUFFERED=1$/m);
    assert.match(script, /^ {4}export AZURE_PYTORCH_NODE_RANK=0$/m);
    assert.match(script, /^ {4}export NCCL_DEBUG=INFO$/m);
    assert.match(script, /^workspace="\$HOME"\/\.azure-pytorch\/ws\/project-1a2b3c4d$/m);
    assert.match(script, /set -- --standalone '--nproc_per_node=2' '--tee=3' \.\/train\.py$/m);
    assert.match(script, /echo "\$1" > "\$job_dir\/node-\$rank\.exit-code\.tmp" && mv -f/);
    assert.doesNotMatch(script, /venv/, 'no requirements, no setup: no venv');
  });

  it('creates or reuses a venv keyed by the requirements, under a lock, with setup output in the log', () => {
    const script = runScript({
      spec: jobSpec({ requirements: 'requirements.txt', setup: ['pip install -e .'] }),
      requirementsText: 'numpy\n',
    });
    assert.match(script, /env_dir="\$HOME"\/\.azure-pytorch\/envs\/venv-[0-9a-f]{16}/);
    assert.match(script, /-m venv --system-site-packages "\$env_dir"/);
    assert.match(script, /-m pip install --disable-pip-version-check -r requirements\.txt/);
    assert.match(script, /sh -c 'pip install -e \.'/);
    assert.match(script, /flock 9 && prepare_env/);
  });

  it('quotes every value from the spec: hostile ones stay one word each', () => {
    const hostile = hostileStrings(50, 7);
    const script = runScript({ spec: jobSpec({ args: hostile }) });
    const start = script.indexOf('    set -- ') + '    set -- '.length;
    const words = splitArguments(script.slice(start, script.indexOf('\n    ;;', start)));
    assert.deepStrictEqual(
      words.slice(4),
      hostile.map((h) => h.split('$').join('$$')),
    );
  });

  it('round-trips remembered arguments through the input box (shellQuote, then splitArguments)', () => {
    const args = hostileStrings(200, 3);
    assert.deepStrictEqual(splitArguments(shellQuote(args)), args);
  });
});
