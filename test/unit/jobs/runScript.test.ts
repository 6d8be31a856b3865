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
  it("is valid sh, exports the job, and runs torchrun in the job's snapshot of the workspace", () => {
    const script = runScript({ spec: jobSpec({ env: { NCCL_DEBUG: 'INFO' } }) });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-sh-')), 'run.sh');
    fs.writeFileSync(file, script);
    execFileSync('sh', ['-n', file]);
    assert.match(script, /^ {4}export PYTHONUNBUFFERED=1$/m);
    assert.match(script, /^ {4}export AZURE_PYTORCH_NODE_RANK=0$/m);
    assert.match(script, /^ {4}export NCCL_DEBUG=INFO$/m);
    assert.match(script, /^__azp_workspace="\$__azp_job_dir"\/workspace$/m);
    assert.match(script, /^export AZURE_PYTORCH_OUTPUTS="\$__azp_workspace"\/outputs$/m);
    assert.match(script, /set -- --standalone '--nproc_per_node=2' '--tee=3' train\.py$/m);
    assert.match(script, /echo "\$1" > "\$__azp_job_dir\/node-\$__azp_rank\.exit-code\.tmp" && mv -f/);
    assert.doesNotMatch(script, /venv/, 'no requirements, no setup: no venv');
  });

  it('creates or reuses a venv keyed by the requirements, under a lock, with setup output in the log', () => {
    const script = runScript({
      spec: jobSpec({ requirements: 'requirements.txt', setup: ['pip install -e .'] }),
      requirementsText: 'numpy\n',
    });
    assert.match(script, /__azp_env_dir="\$__azp_home"\/\.azure-pytorch\/envs\/venv-[0-9a-f]{16}/);
    assert.match(script, /-m venv --system-site-packages "\$__azp_env_dir"/);
    assert.match(script, /-m pip install --disable-pip-version-check -r requirements\.txt/);
    assert.match(script, /sh -c 'pip install -e \.'/);
    assert.match(script, /flock 9 && prepare_env/);
  });

  it('writes its exit code in the job folder whatever names the job exports (rank, job_dir, HOME, PATH…)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-sh-'));
    const home = path.join(root, 'home');
    const jobDir = path.join(root, 'job');
    const bin = path.join(root, 'bin');
    for (const dir of [path.join(jobDir, 'workspace'), bin]) fs.mkdirSync(dir, { recursive: true });
    // Stand-ins: torchrun is found on PATH; the "interpreter" records the environment it got and exits with 3.
    fs.writeFileSync(path.join(bin, 'torchrun'), '');
    const python = path.join(bin, 'python-stand-in');
    fs.writeFileSync(
      python,
      '#!/bin/sh\necho "$rank $job_dir $node_rank $HOME $(pwd) $AZURE_PYTORCH_OUTPUTS" > "$AZP_TEST_SEEN"\nexit 3\n',
      {
        mode: 0o755,
      },
    );
    const env = { rank: 'x', job_dir: 'y', node_rank: 'z', HOME: '/nonexistent-home', python: 'p', workspace: 'w' };
    fs.writeFileSync(path.join(jobDir, 'run.sh'), runScript({ spec: jobSpec({ env, python }) }));
    const seen = path.join(root, 'seen');
    const run = (pathVariable: string): void => {
      execFileSync('sh', ['./run.sh', '0'], { cwd: jobDir, env: { HOME: home, PATH: pathVariable, AZP_TEST_SEEN: seen }, stdio: 'pipe' });
    };

    assert.throws(
      () => run(`${bin}:${process.env.PATH ?? ''}`),
      (error: { status?: number }) => error.status === 3,
    );
    assert.strictEqual(fs.readFileSync(path.join(jobDir, 'node-0.exit-code'), 'utf8'), '3\n');
    const snapshot = fs.realpathSync(path.join(jobDir, 'workspace'));
    assert.strictEqual(
      fs.readFileSync(seen, 'utf8'),
      `x y z /nonexistent-home ${snapshot} ${snapshot}/outputs\n`,
      'the job sees its own env, runs in its snapshot, and is told its own outputs folder',
    );
    assert.ok(fs.statSync(path.join(snapshot, 'outputs')).isDirectory(), 'the outputs folder is made for the job');
    for (const file of ['node-0.pid', 'node-0.started', 'node-0.running', 'node-0.ended'])
      assert.ok(fs.existsSync(path.join(jobDir, file)), file);
  });

  it("gives the job's venv the packages of an image interpreter that is itself a venv", function () {
    this.timeout(20000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-sh-'));
    const home = path.join(root, 'home');
    const jobDir = path.join(root, 'job');
    const bin = path.join(root, 'bin');
    for (const dir of [path.join(jobDir, 'workspace'), bin]) fs.mkdirSync(dir, { recursive: true });
    // The image's Python: a venv (as /opt/torch/.venv) holding a module the base installation lacks.
    const base = path.join(root, 'image-venv');
    execFileSync('python3', ['-m', 'venv', '--without-pip', '--system-site-packages', base]);
    const baseSite = execFileSync(path.join(base, 'bin/python3'), ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'], {
      encoding: 'utf8',
    }).trim();
    fs.writeFileSync(path.join(baseSite, 'azp_probe.py'), 'WHERE = "image venv"\n');
    // torchrun stand-in, run by the job's interpreter like the real one.
    fs.writeFileSync(path.join(bin, 'torchrun'), 'import sys, azp_probe\nprint("probe:", azp_probe.WHERE, "prefix:", sys.prefix)\n', {
      mode: 0o755,
    });
    const spec = jobSpec({ python: path.join(base, 'bin/python3'), setup: ['python -c "import azp_probe"'] });
    fs.writeFileSync(path.join(jobDir, 'run.sh'), runScript({ spec }));

    const output = execFileSync('sh', ['./run.sh', '0'], {
      cwd: jobDir,
      env: { HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}` },
      encoding: 'utf8',
      stdio: 'pipe',
    });
    const envDir = /Creating the environment (\S+)/.exec(output)?.[1];
    assert.ok(envDir, output);
    assert.match(output, /\$ python -c "import azp_probe"\n(?!\[azure-pytorch\] Setup command failed)/, 'setup commands see it too');
    assert.ok(output.includes(`probe: image venv prefix: ${envDir}\n`), output);
    assert.strictEqual(fs.readFileSync(path.join(jobDir, 'node-0.exit-code'), 'utf8'), '0\n');
  });

  it('refuses an env name with its own prefix, whatever built the spec', () => {
    assert.throws(() => runScript({ spec: jobSpec({ env: { __azp_rank: '1' } }) }), /__azp_rank uses the prefix __azp_/);
  });

  it('still writes its exit code when the job replaces PATH', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-sh-'));
    fs.writeFileSync(path.join(root, 'run.sh'), runScript({ spec: jobSpec({ env: { PATH: '/nonexistent' } }) }));
    assert.throws(() => execFileSync('sh', ['./run.sh', '0'], { cwd: root, env: { HOME: root, PATH: process.env.PATH }, stdio: 'pipe' }));
    assert.strictEqual(fs.readFileSync(path.join(root, 'node-0.exit-code'), 'utf8'), '1\n', 'no snapshot of the workspace: exit code 1');
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
