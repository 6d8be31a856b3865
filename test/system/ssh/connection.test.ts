import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandTimeoutError, ConnectionLostError, HostKeyChangedError, HostKeyRejectedError } from '../../../src/ssh/errors';
import { hashHostName } from '../../../src/ssh/knownHosts';
import type { SshTarget } from '../../../src/ssh/sshTarget';
import { ScriptedHostKeyPrompt, startTestHosts, trustHostKeys, type TestHosts } from './testHosts';

describe('SSH connections against simulated hosts', function () {
  let test: TestHosts;
  let gpu0: SshTarget;
  let gpu1: SshTarget;
  let knownHosts: string;

  before(async function () {
    test = await startTestHosts(['conn0', 'conn1']);
    gpu0 = { host: test.hosts.host('conn0').address, user: test.hosts.user };
    gpu1 = { host: test.hosts.host('conn1').address, user: test.hosts.user };
    knownHosts = path.join(test.home, '.ssh', 'known_hosts');
  });
  after(async function () {
    await test?.dispose();
  });
  beforeEach(function () {
    fs.rmSync(knownHosts, { force: true });
    fs.rmSync(test.extensionKnownHosts, { force: true });
    fs.rmSync(path.join(test.home, '.ssh', 'config'), { force: true });
  });

  describe('host keys', function () {
    it('connects without asking when known_hosts holds the key', async function () {
      trustHostKeys(test);
      const prompt = new ScriptedHostKeyPrompt(false);
      const result = await test.pool({ hostKeyPrompt: prompt }).execText(gpu0, ['echo', 'ok']);
      assert.equal(result.stdout, 'ok\n');
      assert.equal(prompt.unknownAsked.length, 0);
    });

    it('asks about an unknown key with its SHA256 fingerprint and records it in OpenSSH format on yes', async function () {
      const prompt = new ScriptedHostKeyPrompt(true);
      await test.pool({ hostKeyPrompt: prompt }).execText(gpu0, ['true']);
      assert.equal(prompt.unknownAsked.length, 1);
      assert.equal(prompt.unknownAsked[0].fingerprint, test.hosts.host('conn0').hostKeyFingerprint);
      assert.equal(fs.readFileSync(knownHosts, 'utf8'), `${test.hosts.host('conn0').knownHostsLine}\n`);
      // OpenSSH itself accepts what was written.
      const out = execFileSync('ssh-keygen', ['-F', gpu0.host, '-f', knownHosts], { encoding: 'utf8' });
      assert.match(out, /ssh-ed25519/);
    });

    it('refuses an unknown key the user declines, and records nothing', async function () {
      const prompt = new ScriptedHostKeyPrompt(false);
      await assert.rejects(test.pool({ hostKeyPrompt: prompt }).execText(gpu0, ['true']), HostKeyRejectedError);
      assert.equal(fs.existsSync(knownHosts), false);
    });

    it("records in the extension's own file when the setting says so", async function () {
      const pool = test.pool({
        hostKeyPrompt: new ScriptedHostKeyPrompt(true),
        settings: () => ({ identityFile: test.hosts.privateKeyPath, knownHostsFile: 'extension', rememberPassphrases: false }),
      });
      await pool.execText(gpu0, ['true']);
      assert.equal(fs.existsSync(knownHosts), false);
      assert.match(fs.readFileSync(test.extensionKnownHosts, 'utf8'), /ssh-ed25519/);
    });

    it('refuses a changed key, naming both fingerprints, unless the user removes the old entry and accepts the new one', async function () {
      const otherKey = execFileSync('sh', ['-c', `ssh-keygen -q -t ed25519 -N '' -f ${test.home}/fake && cat ${test.home}/fake.pub`], {
        encoding: 'utf8',
      });
      const oldLine = `${gpu0.host} ${otherKey.split(' ').slice(0, 2).join(' ')}`;
      fs.writeFileSync(knownHosts, `# keep me\n${oldLine}\n${test.hosts.host('conn1').knownHostsLine}\n`);
      const refusing = new ScriptedHostKeyPrompt(true, false);
      const error = await test
        .pool({ hostKeyPrompt: refusing })
        .execText(gpu0, ['true'])
        .then(
          () => assert.fail('connected despite a changed key'),
          (caught: Error) => caught,
        );
      assert.ok(error instanceof HostKeyChangedError);
      assert.match(error.message, new RegExp(test.hosts.host('conn0').hostKeyFingerprint.replace(/[+/]/g, '\\$&')));
      assert.equal(refusing.unknownAsked.length, 0, 'a changed key is never offered as a plain question');
      assert.equal(refusing.changedShown[0].recordedAt[0], `${knownHosts}:2`);

      const removing = new ScriptedHostKeyPrompt(true, true);
      await test.pool({ hostKeyPrompt: removing }).execText(gpu0, ['true']);
      assert.equal(removing.unknownAsked.length, 1);
      const lines = fs.readFileSync(knownHosts, 'utf8').split('\n');
      assert.deepEqual(lines, ['# keep me', test.hosts.host('conn1').knownHostsLine, test.hosts.host('conn0').knownHostsLine, '']);
      assert.ok(fs.readFileSync(`${knownHosts}.old`, 'utf8').includes(oldLine));
    });

    it('matches hashed entries (as ssh-keygen -H writes them) and refuses @revoked keys', async function () {
      trustHostKeys(test);
      execFileSync('ssh-keygen', ['-H', '-f', knownHosts], { stdio: 'ignore' });
      assert.match(fs.readFileSync(knownHosts, 'utf8'), /^\|1\|/);
      const prompt = new ScriptedHostKeyPrompt(false);
      await test.pool({ hostKeyPrompt: prompt }).execText(gpu0, ['true']);
      assert.equal(prompt.unknownAsked.length, 0);

      const key = test.hosts.host('conn0').knownHostsLine.split(' ').slice(1).join(' ');
      fs.appendFileSync(knownHosts, `@revoked * ${key}\n`);
      await assert.rejects(test.pool({ hostKeyPrompt: new ScriptedHostKeyPrompt(true) }).execText(gpu0, ['true']), /revoked/);
    });

    it('looks up [host]:port for a port other than 22', async function () {
      const sshdConfig = fs.readFileSync(path.join(test.hosts.stateDir, 'hosts', 'conn0', 'sshd_config'), 'utf8');
      const port = Number(/^ListenAddress [\d.]+:(\d+)$/m.exec(sshdConfig)![1]);
      const key = test.hosts.host('conn0').knownHostsLine.split(' ').slice(1).join(' ');
      fs.writeFileSync(knownHosts, `${gpu0.host} ${key}\n`); // recorded for port 22 only
      const prompt = new ScriptedHostKeyPrompt(true);
      await test.pool({ hostKeyPrompt: prompt }).execText({ ...gpu0, port }, ['true']);
      assert.equal(prompt.unknownAsked[0].hostName, `[${gpu0.host}]:${port}`);
      assert.ok(fs.readFileSync(knownHosts, 'utf8').includes(`[${gpu0.host}]:${port} ${key}`));
      const again = new ScriptedHostKeyPrompt(false);
      fs.writeFileSync(knownHosts, `${hashHostName(`[${gpu0.host}]:${port}`)} ${key}\n`);
      await test.pool({ hostKeyPrompt: again }).execText({ ...gpu0, port }, ['true']);
      assert.equal(again.unknownAsked.length, 0);
    });
  });

  describe('authentication', function () {
    const authorize = (publicKeyFile: string): void => {
      for (const name of ['conn0', 'conn1']) {
        fs.appendFileSync(path.join(test.hosts.host(name).homeDir, '.ssh', 'authorized_keys'), fs.readFileSync(publicKeyFile));
      }
    };

    it('uses an encrypted key, asking for its passphrase only once it is needed, and again after a wrong one', async function () {
      trustHostKeys(test);
      const key = path.join(test.home, '.ssh', 'id_ed25519');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', key]);
      authorize(`${key}.pub`);
      fs.rmSync(`${key}.pub`); // the public half is read from the OpenSSH key file itself
      const asked: boolean[] = [];
      const stored = new Map<string, string>();
      const pool = test.pool({
        settings: () => ({ knownHostsFile: 'user', rememberPassphrases: true }),
        passphrasePrompt: {
          askPassphrase: ({ previousWasWrong }) => {
            asked.push(previousWasWrong);
            return Promise.resolve(asked.length === 1 ? 'wrong' : 'correct horse');
          },
        },
        passphraseStore: {
          get: (k) => Promise.resolve(stored.get(k)),
          set: (k, v) => {
            stored.set(k, v);
            return Promise.resolve();
          },
          delete: (k) => {
            stored.delete(k);
            return Promise.resolve();
          },
        },
      });
      assert.equal((await pool.execText(gpu0, ['echo', 'in'])).stdout, 'in\n');
      assert.deepEqual(asked, [false, true]);
      assert.equal(stored.get(key), 'correct horse');
    });

    it('uses ssh-agent', async function () {
      trustHostKeys(test);
      const key = path.join(test.home, 'agent_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
      authorize(`${key}.pub`);
      const socket = path.join(test.home, 'agent.sock');
      const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      try {
        for (let i = 0; i < 50 && !fs.existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 50));
        execFileSync('ssh-add', [key], { env: { SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
        fs.rmSync(key); // only the agent has it now
        const pool = test.pool({
          settings: () => ({ knownHostsFile: 'user', rememberPassphrases: false }),
          local: { user: 'tester', home: test.home, agentSocket: socket, env: {} },
        });
        assert.equal((await pool.execText(gpu0, ['echo', 'agent'])).stdout, 'agent\n');
      } finally {
        agent.kill();
      }
    });

    it('honours a ~/.ssh/config alias (HostName, User, IdentityFile) and ProxyJump through a second host', async function () {
      trustHostKeys(test);
      fs.writeFileSync(
        path.join(test.home, '.ssh', 'config'),
        [
          'Host jump',
          `  HostName ${gpu1.host}`,
          `  User ${test.hosts.user}`,
          `  IdentityFile ${test.hosts.privateKeyPath}`,
          'Host trainer',
          `  HostName=${gpu0.host}`,
          `  User ${test.hosts.user}`,
          `  IdentityFile "${test.hosts.privateKeyPath}"`,
          '  ProxyJump jump',
          '',
        ].join('\n'),
      );
      const pool = test.pool({ settings: () => ({ knownHostsFile: 'user', rememberPassphrases: false }) });
      const endpoint = pool.resolve({ host: 'trainer' });
      assert.equal(endpoint.host, gpu0.host);
      assert.equal(endpoint.via?.host, gpu1.host);
      const result = await pool.execText({ host: 'trainer' }, ['sh', '-c', 'echo "$SSH_CLIENT"']);
      assert.equal(result.code, 0);
      // sshd on conn0 saw the connection come from conn1's side (its forwarded channel), not from us directly.
      assert.match(result.stdout, /^127\./);
      const sshLog = fs.readFileSync(path.join(test.hosts.stateDir, 'hosts', 'conn1', 'sshd.log'), 'utf8');
      assert.ok(sshLog.includes('Accepted publickey'), 'the jump host authenticated the client');
    });

    it('fails clearly when no key is accepted', async function () {
      trustHostKeys(test);
      const pool = test.pool({ settings: () => ({ knownHostsFile: 'user', rememberPassphrases: false }) });
      await assert.rejects(pool.execText(gpu0, ['true']), /refused every key/);
    });
  });

  describe('commands and disconnects', function () {
    it('streams stdout and stderr, reports exit codes and signals, feeds stdin', async function () {
      trustHostKeys(test);
      const pool = test.pool();
      const out: string[] = [];
      const status = await pool.exec(gpu0, ['sh', '-c', 'cat; echo err >&2; exit 7'], {
        stdin: 'piped\n',
        onStdout: (chunk) => out.push(String(chunk)),
        onStderr: (chunk) => out.push(`E:${String(chunk)}`),
      });
      assert.deepEqual(status, { code: 7, signal: null });
      assert.deepEqual(out.sort(), ['E:err\n', 'piped\n']);
      assert.deepEqual(await pool.exec(gpu0, ['sh', '-c', 'kill -KILL $$']), { code: null, signal: 'SIGKILL' });
    });

    it('stops a command at its timeout and kills it on the remote side', async function () {
      trustHostKeys(test);
      const pool = test.pool();
      const started = Date.now();
      await assert.rejects(pool.exec(gpu0, ['sleep', '37'], { timeoutMs: 300 }), CommandTimeoutError);
      assert.ok(Date.now() - started < 30_000, 'returned long before the 37 s sleep would have ended');
      const left = await pool.execText(gpu0, ['sh', '-c', 'pgrep -x sleep -a | grep -c "sleep 37" || true']);
      assert.equal(left.stdout.trim(), '0');
    }).timeout(60_000);

    it('fails a running command when the server side of the connection dies, then reconnects on next use', async function () {
      trustHostKeys(test);
      const pool = test.pool();
      const first = await pool.connection(gpu0);
      const running = pool.exec(gpu0, ['sleep', '30']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await test.hosts.killConnections('conn0');
      await assert.rejects(running, ConnectionLostError);
      const result = await pool.execText(gpu0, ['echo', 'back']);
      assert.equal(result.stdout, 'back\n');
      assert.notEqual(await pool.connection(gpu0), first);
    });

    it('notices a silent network drop through keepalives, within seconds', async function () {
      trustHostKeys(test);
      const pool = test.pool();
      const connection = await pool.connection(gpu1);
      const closed = new Promise<number>((resolve) => connection.onClose(() => resolve(Date.now())));
      const frozenAt = Date.now();
      await test.hosts.freezeNetwork('conn1');
      try {
        const at = await closed;
        assert.ok(at - frozenAt < 8000, `noticed after ${at - frozenAt} ms`);
      } finally {
        await test.hosts.thawNetwork('conn1');
      }
      assert.equal((await pool.execText(gpu1, ['echo', 'again'])).stdout, 'again\n');
    }).timeout(30_000);

    it('shares one connection between concurrent users', async function () {
      trustHostKeys(test);
      const pool = test.pool();
      const [a, b, c] = await Promise.all([pool.connection(gpu0), pool.connection(gpu0), pool.connection(gpu0)]);
      assert.equal(a, b);
      assert.equal(b, c);
    });
  });
});
