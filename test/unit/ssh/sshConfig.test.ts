import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSshConfig, splitConfigLine } from '../../../src/ssh/sshConfig';
import { resolveEndpoint } from '../../../src/ssh/sshEndpoint';
import { parseSshDestination } from '../../../src/ssh/sshTarget';

describe('ssh_config', function () {
  const home = '/home/me';
  const local = { user: 'me', home, agentSocket: '/run/agent.sock', env: { MY_AGENT: '/run/other.sock' } };
  const text = [
    'Host gpu-*  !gpu-skip',
    '  User trainer',
    '  IdentityFile ~/.ssh/gpu_key',
    'Host gpu-a',
    '  HostName=10.1.0.4',
    '  Port 2222',
    '  User ignored-because-first-wins',
    '  IdentityFile "~/.ssh/key with space"',
    '  ProxyJump bastion,jumper',
    'Host bastion',
    '  HostName bastion.example.com',
    '  User ops',
    'Match originalhost jumper',
    '  HostName %h.internal',
    '  IdentityAgent $MY_AGENT',
    'Host *',
    '  IdentityFile ~/.ssh/id_%r_%h',
    '  ServerAliveInterval 7',
    '',
  ].join('\n');
  const config = parseSshConfig(text, 'config');

  it('splits words: = or spaces, quotes, comments', function () {
    assert.deepEqual(splitConfigLine('  HostName=1.2.3.4 # note'), ['HostName', '1.2.3.4']);
    assert.deepEqual(splitConfigLine('IdentityFile "/a b/c"'), ['IdentityFile', '/a b/c']);
    assert.deepEqual(splitConfigLine('# only a comment'), []);
  });

  it('resolves like ssh -G: first value wins, IdentityFile accumulates, tokens expand, negated Host patterns', function () {
    const endpoint = resolveEndpoint({ host: 'gpu-a' }, { config, local });
    assert.equal(endpoint.host, '10.1.0.4');
    assert.equal(endpoint.port, 2222);
    assert.equal(endpoint.user, 'trainer');
    assert.deepEqual(endpoint.identityFiles, [`${home}/.ssh/gpu_key`, `${home}/.ssh/key with space`, `${home}/.ssh/id_trainer_10.1.0.4`]);
    assert.equal(endpoint.keepaliveIntervalMs, 7000);
    assert.equal(endpoint.via?.originalHost, 'jumper');
    assert.equal(endpoint.via?.host, 'jumper.internal');
    assert.equal(endpoint.via?.agentSocket, '/run/other.sock');
    assert.equal(endpoint.via?.via?.host, 'bastion.example.com');
    assert.equal(endpoint.via?.via?.user, 'ops');
    const skipped = resolveEndpoint({ host: 'gpu-skip', user: 'explicit', port: 2200 }, { config, local });
    assert.equal(skipped.user, 'explicit');
    assert.equal(skipped.port, 2200);
    assert.equal(skipped.host, 'gpu-skip');
  });

  it('agrees with OpenSSH (ssh -G) on host, user, port and identity files', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssh-config-'));
    try {
      const file = path.join(dir, 'config');
      fs.writeFileSync(file, text);
      const printed = execFileSync('ssh', ['-G', '-F', file, 'gpu-a'], { encoding: 'utf8', env: { HOME: home, PATH: process.env.PATH } });
      const values = (key: string) =>
        printed
          .split('\n')
          .filter((line) => line.startsWith(`${key} `))
          .map((line) => line.slice(key.length + 1));
      const endpoint = resolveEndpoint({ host: 'gpu-a' }, { config, local: { ...local, user: os.userInfo().username } });
      assert.equal(values('hostname')[0], endpoint.host);
      assert.equal(values('user')[0], endpoint.user);
      assert.equal(values('port')[0], String(endpoint.port));
      assert.equal(values('proxyjump')[0], 'bastion,jumper');
      // ssh -G prints IdentityFile before its % tokens are expanded (ssh expands them when loading keys).
      const expand = (file: string) => file.replace(/^~/, home).replace('%r', endpoint.user).replace('%h', endpoint.host);
      assert.deepEqual(values('identityfile').map(expand), endpoint.identityFiles);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('splices Include files under the including block', function () {
    const lines = parseSshConfig('Host a\n  Include extra\nHost b\n  User bee\n', 'main', () => [
      { path: 'extra', text: 'User from-include\nHost c\nUser sea\n' },
    ]);
    assert.equal(resolveEndpoint({ host: 'a' }, { config: lines, local }).user, 'from-include');
    assert.equal(resolveEndpoint({ host: 'c' }, { config: lines, local }).user, 'sea');
    assert.equal(resolveEndpoint({ host: 'b' }, { config: lines, local }).user, 'bee');
  });

  it('uses the default key files only when the config names none', function () {
    const endpoint = resolveEndpoint({ host: 'plain' }, { config: [], local, extraIdentityFile: '/keys/azure' });
    assert.equal(endpoint.identityFiles[0], '/keys/azure');
    assert.ok(endpoint.identityFiles.includes(`${home}/.ssh/id_ed25519`));
    assert.equal(endpoint.agentSocket, '/run/agent.sock');
  });

  it('parses destinations as ssh does', function () {
    assert.deepEqual(parseSshDestination('azureuser@20.1.2.3:2222'), { host: '20.1.2.3', port: 2222, user: 'azureuser' });
    assert.deepEqual(parseSshDestination('ssh://me@[::1]:22'), { host: '::1', port: 22, user: 'me' });
    assert.deepEqual(parseSshDestination('fe80::1'), { host: 'fe80::1' });
    assert.deepEqual(parseSshDestination('alias'), { host: 'alias' });
    assert.throws(() => parseSshDestination('host:notaport'), /Invalid port/);
  });
});
