import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { evaluatePreflight, parsePreflight, preflightCommand } from '../../../src/jobs/preflight';

describe('preflight', () => {
  it('reads the report the remote script prints', () => {
    const report = parsePreflight(
      'hostname=gpu-a100-1\nhome=/home/azureuser\ntorch=2.3.1+cu121 cuda=True\ngpus=2\ndisk-free-kb=52428800\n',
    );
    assert.deepStrictEqual(report, {
      hostname: 'gpu-a100-1',
      home: '/home/azureuser',
      torchVersion: '2.3.1+cu121',
      cudaAvailable: true,
      pythonMissing: false,
      torchError: undefined,
      gpuCount: 2,
      diskFreeKb: 52428800,
    });
    assert.deepStrictEqual(evaluatePreflight(report, { machine: 'gpu-a100-1', python: 'python3', gpus: 2 }), []);
  });

  it('blocks on a missing interpreter, a torch that does not import, or a full disk, naming cause and fix', () => {
    const missing = evaluatePreflight(parsePreflight('python-missing=1\ngpus=1\ndisk-free-kb=99999999\n'), {
      machine: 'vm1',
      python: '/opt/py',
      gpus: 1,
    });
    assert.deepStrictEqual(
      missing.map((p) => p.severity),
      ['error'],
    );
    assert.match(missing[0].message, /^vm1: the Python interpreter "\/opt\/py" was not found.*azurePytorch\.python/);
    const broken = evaluatePreflight(parsePreflight("torch-error=ModuleNotFoundError: No module named 'torch'\ngpus=1\n"), {
      machine: 'vm1',
      python: 'python3',
    });
    assert.match(broken[0].message, /cannot import torch \(ModuleNotFoundError: No module named 'torch'\)\. Use a VM image with PyTorch/);
    const full = evaluatePreflight(parsePreflight('torch=2.1 cuda=True\ngpus=1\ndisk-free-kb=1024\n'), {
      machine: 'vm1',
      python: 'python3',
      gpus: 1,
    });
    assert.deepStrictEqual(
      full.map((p) => p.severity),
      ['error'],
    );
    assert.match(full[0].message, /only 1 MB free in the home folder.*~\/\.azure-pytorch\/jobs/);
  });

  it('only warns about GPUs nvidia-smi does not see, or little disk', () => {
    const fewer = evaluatePreflight(parsePreflight('torch=2.1 cuda=True\ngpus=1\ndisk-free-kb=1048576\n'), {
      machine: 'vm1',
      python: 'python3',
      gpus: 4,
    });
    assert.deepStrictEqual(
      fewer.map((p) => p.severity),
      ['warning', 'warning'],
    );
    assert.match(fewer[0].message, /sees 1 of the 4 GPUs/);
    assert.match(fewer[1].message, /only 1\.0 GB free/);
    const noSmi = evaluatePreflight(parsePreflight('torch=2.1 cuda=False\ngpus=none\n'), { machine: 'vm1', python: 'python3', gpus: 1 });
    assert.match(noSmi[0].message, /nvidia-smi is not installed/);
    assert.deepStrictEqual(
      evaluatePreflight(parsePreflight('torch=2.1 cuda=False\ngpus=none\n'), { machine: 'host', python: 'python3' }),
      [],
      'an SSH host is expected to have no GPU count',
    );
  });

  it('runs as a real sh script, finding a missing interpreter', () => {
    const argv = preflightCommand('no-such-python-here');
    const report = parsePreflight(execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' }));
    assert.strictEqual(report.pythonMissing, true);
    assert.ok(report.home?.startsWith('/'));
    assert.ok((report.diskFreeKb ?? 0) > 0);
  });
});
