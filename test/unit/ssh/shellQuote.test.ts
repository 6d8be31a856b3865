import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { remoteCommandLine } from '../../../src/ssh/remoteCommand';
import { shellQuote } from '../../../src/ssh/shellQuote';
import { HOSTILE_NAMES } from '../sync/hostileTree';

/** What a real shell makes of a command line: its words, NUL-separated. */
function wordsSeenBy(shell: string, line: string): string[] {
  return execFileSync(shell, ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' })
    .split('\0')
    .slice(0, -1);
}

describe('shellQuote', function () {
  const words = [
    ...HOSTILE_NAMES,
    '',
    ' ',
    "'",
    "''",
    '\\',
    "\\\\'",
    '$HOME',
    '~',
    'a=b',
    '!event',
    '%1',
    '{a,b}',
    '#comment',
    'trailing\\',
  ];

  for (const shell of ['sh', 'bash']) {
    it(`every word reaches ${shell} exactly as given`, function () {
      assert.deepEqual(wordsSeenBy(shell, shellQuote(words)), words);
    });
  }

  it('leaves plain words readable and quotes the rest', function () {
    assert.equal(shellQuote(['ls', '-la', '/tmp/x_y.z']), 'ls -la /tmp/x_y.z');
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote(''), "''");
    assert.throws(() => shellQuote('a\0b'), /NUL/);
  });

  it('builds command lines with a working folder and environment as words only', function () {
    const line = remoteCommandLine(['printf', '%s|', '$X', 'y'], { cwd: '/tmp', env: { X: "v'1" } });
    assert.equal(execFileSync('sh', ['-c', line], { encoding: 'utf8' }), '$X|y|');
    const env = remoteCommandLine(['sh', '-c', 'printf %s "$X"; pwd'], { cwd: '/', env: { X: "v'1 $(id)" } });
    assert.equal(execFileSync('sh', ['-c', env], { encoding: 'utf8' }), "v'1 $(id)/\n");
    assert.throws(() => remoteCommandLine(['true'], { env: { 'A-B': '1' } }), /Invalid environment/);
  });
});
