import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultIdleCriteria } from '../../../src/costGuard/policy';
import {
  holdWatchdogCommand,
  installWatchdogCommand,
  parseInstallOutput,
  readWatchdogLogCommand,
  uninstallWatchdogCommand,
} from '../../../src/costGuard/watchdogCommands';
import { watchdogConfig } from '../../../src/costGuard/watchdogConfig';
import { watchdogScript } from '../../../src/costGuard/watchdogScript';

const config = watchdogConfig({
  vmResourceId: '/subscriptions/s-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/gpu-1',
  policy: { idleMinutes: 30, idleWhen: defaultIdleCriteria },
  endpoints: {
    instanceMetadata: 'http://127.0.0.1:9',
    resourceManager: 'https://127.0.0.1:9',
    resourceManagerAudience: 'https://management.azure.com/',
  },
});

const hasPython = spawnSync('python3', ['--version']).status === 0;

describe('cost guard watchdog commands', () => {
  it('sends config.json then watchdog.py over stdin, split by the config’s byte length', () => {
    const { argv, stdin } = installWatchdogCommand(config);
    assert.deepStrictEqual(argv.slice(0, 2), ['sh', '-c']);
    assert.strictEqual(argv[4], '.azure-pytorch/watchdog');
    const configBytes = Number(argv[5]);
    assert.deepStrictEqual(JSON.parse(stdin.subarray(0, configBytes).toString()), config);
    assert.strictEqual(stdin.subarray(configBytes).toString(), watchdogScript);
    assert.strictEqual(argv[6], 'auto');
    assert.strictEqual(installWatchdogCommand(config, 'cron').argv[6], 'cron');
  });

  it('gives shell scripts that parse', () => {
    for (const argv of [
      installWatchdogCommand(config).argv,
      uninstallWatchdogCommand(),
      readWatchdogLogCommand(),
      holdWatchdogCommand(1),
    ]) {
      const result = spawnSync('sh', ['-n', '-c', argv[2]]);
      assert.strictEqual(result.status, 0, result.stderr.toString());
    }
  });

  it('reads which scheduler the install chose', () => {
    assert.strictEqual(parseInstallOutput('2026-12-06T04:31:02Z policy {...}\nscheduler=cron\n'), 'cron');
    assert.strictEqual(parseInstallOutput('scheduler=loop'), 'loop');
    assert.strictEqual(parseInstallOutput('nothing'), undefined);
  });

  it('holds the watchdog only until a whole epoch second', () => {
    assert.deepStrictEqual(holdWatchdogCommand(1765000000).slice(3), ['sh', '.azure-pytorch/watchdog', '1765000000']);
    assert.throws(() => holdWatchdogCommand(1.5), /not an epoch time/);
  });

  describe('the watchdog’s own config check', function () {
    let dir: string;
    before(function () {
      if (!hasPython) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchdog-'));
      fs.writeFileSync(path.join(dir, 'watchdog.py'), watchdogScript);
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    function check(value: unknown): { status: number | null; stderr: string } {
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(value));
      const result = spawnSync('python3', [path.join(dir, 'watchdog.py'), '--check-config', path.join(dir, 'config.json')]);
      return { status: result.status, stderr: result.stderr.toString() };
    }

    it('accepts the config the extension writes', () => {
      assert.deepStrictEqual(check(config), { status: 0, stderr: '' });
    });

    it('refuses a config without a VM or a policy that acts, saying so', () => {
      const noVm = check({ ...config, vm: { resourceId: '/subscriptions/s' } });
      assert.strictEqual(noVm.status, 1);
      assert.match(noVm.stderr, /vm\.resourceId is not a virtual machine's resource id/);
      const never = check({ ...config, policy: { ...config.policy, idleSeconds: null, afterJob: null } });
      assert.match(never.stderr, /deallocates neither after idleness nor after a job/);
    });
  });
});
