import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanWorkspace } from '../../../src/sync/localScan';
import { checkIgnored, compileIgnorePattern, parseIgnoreFile } from '../../../src/sync/ignoreRules';
import { writeFile } from './hostileTree';

describe('ignore rules (gitignore semantics)', function () {
  const ignored = (patterns: string, file: string, isDir = false) =>
    checkIgnored([{ base: '', rules: parseIgnoreFile(patterns, '.gitignore') }], file, isDir).ignored;

  it('handles anchoring, folders only, wildcards, ** and escapes', function () {
    assert.ok(ignored('*.log', 'a/b/c.log'));
    assert.ok(!ignored('/top.txt', 'sub/top.txt'));
    assert.ok(ignored('/top.txt', 'top.txt'));
    assert.ok(ignored('build/', 'x/build', true));
    assert.ok(!ignored('build/', 'x/build', false));
    assert.ok(ignored('doc/*.md', 'doc/a.md'));
    assert.ok(!ignored('doc/*.md', 'doc/sub/a.md'));
    assert.ok(ignored('doc/**/*.md', 'doc/sub/deep/a.md'));
    assert.ok(ignored('**/cache', 'a/b/cache', true));
    assert.ok(ignored('out/**', 'out/x/y'));
    assert.ok(!ignored('out/**', 'out', true));
    assert.ok(ignored('a/**/b', 'a/b'));
    assert.ok(ignored('\\#hash', '#hash'));
    assert.ok(ignored('\\!bang', '!bang'));
    assert.ok(ignored('file[0-9].txt', 'file7.txt'));
    assert.ok(!ignored('file[!0-9].txt', 'file7.txt'));
    assert.ok(ignored('trailing\\ ', 'trailing '));
    assert.ok(ignored('spaces   ', 'spaces'));
    assert.equal(compileIgnorePattern('# comment', 'x'), undefined);
  });

  it('lets the last matching rule win, negations included', function () {
    assert.ok(!ignored('*.log\n!keep.log', 'keep.log'));
    assert.ok(ignored('!keep.log\n*.log', 'keep.log'));
  });

  it('agrees with git check-ignore on a tree with nested .gitignore files', async function () {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ignore-git-'));
    try {
      execFileSync('git', ['init', '-q', root]);
      writeFile(root, '.gitignore', '*.log\n!important.log\n/build/\ndocs/**/draft-*\n*.tmp\ntmp/\n');
      writeFile(root, 'sub/.gitignore', '!keep.tmp\n/local.txt\nnested/\n');
      const files = [
        'a.log',
        'important.log',
        'build/x.o',
        'sub/build/y.o',
        'docs/a/b/draft-1.md',
        'docs/final.md',
        'sub/keep.tmp',
        'sub/other.tmp',
        'sub/local.txt',
        'local.txt',
        'sub/nested/z',
        'sub/deep/nested/q',
        'tmp/t',
        'sub/tmp/u',
        'x.tmp/inner',
      ];
      for (const file of files) writeFile(root, file, 'x');
      const scan = await scanWorkspace(root, { maxFileSizeBytes: 1 << 20 });
      const kept = new Set(scan.entries.filter((entry) => entry.type === 'file').map((entry) => entry.path));
      const gitIgnored = new Set(
        execFileSync('git', ['-C', root, 'ls-files', '--others', '--ignored', '--exclude-standard'], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean),
      );
      for (const file of files)
        assert.equal(kept.has(file), !gitIgnored.has(file), `${file}: git says ${gitIgnored.has(file) ? 'ignored' : 'kept'}`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
