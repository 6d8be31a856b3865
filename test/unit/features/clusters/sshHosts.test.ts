import * as assert from 'assert';
import { parseSshConfig } from '../../../../src/ssh/sshConfig';
import { parseSshDestination } from '../../../../src/ssh/sshTarget';
import { remoteSshAuthority, sshConfigAliases, sshHostEntries, sshHostSpecProblem } from '../../../../src/features/clusters/sshHosts';

describe('SSH hosts of the Clusters view', () => {
  it('lists the concrete Host aliases of ssh_config, not the patterns', () => {
    const lines = parseSshConfig(
      [
        'Host *',
        '  ServerAliveInterval 30',
        'Host lab-gpu lab-gpu2',
        '  HostName 10.0.0.5',
        'Host *.corp !bastion',
        '  User me',
        'Host build?',
        '  Port 2222',
      ].join('\n'),
      'config',
    );
    assert.deepStrictEqual(sshConfigAliases(lines), ['lab-gpu', 'lab-gpu2']);
  });

  it('puts added hosts first and lists each host once', () => {
    assert.deepStrictEqual(sshHostEntries(['lab-gpu', 'box'], ['me@10.0.0.9:2222', 'BOX', ' ']), [
      { host: 'me@10.0.0.9:2222', source: 'added' },
      { host: 'BOX', source: 'added' },
      { host: 'lab-gpu', source: 'sshConfig' },
    ]);
  });

  it('accepts user@host[:port], IPv6 in brackets, and aliases', () => {
    for (const spec of ['lab-gpu', 'azureuser@127.0.0.2', 'me@gpu.example.com:2222', 'root@[::1]:22', 'user.name@host-1']) {
      assert.strictEqual(sshHostSpecProblem(spec), undefined, spec);
    }
  });

  it('refuses empty input, options, spaces, bad ports and shell characters', () => {
    assert.match(sshHostSpecProblem('  ') ?? '', /Enter a host/);
    assert.match(sshHostSpecProblem('-oProxyCommand=sh') ?? '', /cannot start with "-"/);
    assert.match(sshHostSpecProblem('me@host name') ?? '', /not user@host/);
    assert.match(sshHostSpecProblem('me@host:70000') ?? '', /not between 1 and 65535/);
    assert.match(sshHostSpecProblem('me@host;rm') ?? '', /not user@host/);
    assert.match(sshHostSpecProblem('me@host:0') ?? '', /not between/);
  });
});

describe('Remote-SSH authorities', () => {
  it('opens an alias by name, and a user@host:port as hex-encoded JSON', () => {
    assert.strictEqual(remoteSshAuthority(parseSshDestination('lab-gpu')), 'ssh-remote+lab-gpu');
    const authority = remoteSshAuthority(parseSshDestination('azureuser@127.0.0.2:2222'));
    assert.match(authority, /^ssh-remote\+[0-9a-f]+$/);
    assert.deepStrictEqual(JSON.parse(Buffer.from(authority.slice('ssh-remote+'.length), 'hex').toString('utf8')), {
      hostName: '127.0.0.2',
      user: 'azureuser',
      port: 2222,
    });
  });

  it('refuses a host that ssh would read as an option or that is not one host', () => {
    for (const destination of ['-oProxyCommand=touch /tmp/pwned', 'me@-oProxyCommand=sh', 'host name', 'me@host;rm', "a'b"]) {
      assert.throws(() => remoteSshAuthority(parseSshDestination(destination)), /Remote-SSH cannot open this host/, destination);
    }
    assert.throws(() => remoteSshAuthority({ host: 'gpu', user: '-oProxyCommand=sh' }), /Remote-SSH cannot open this host/);
    assert.throws(() => remoteSshAuthority({ host: 'gpu', port: 70000 }), /not between 1 and 65535/);
  });

  it('opens a VM by its IPv6 address', () => {
    const authority = remoteSshAuthority({ host: 'fd00::4', user: 'azureuser' });
    const decoded: unknown = JSON.parse(Buffer.from(authority.slice('ssh-remote+'.length), 'hex').toString('utf8'));
    assert.deepStrictEqual(decoded, { hostName: 'fd00::4', user: 'azureuser' });
  });
});
