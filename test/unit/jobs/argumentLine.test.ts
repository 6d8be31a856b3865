import * as assert from 'assert';
import { ArgumentLineError, splitArguments } from '../../../src/jobs/argumentLine';

describe('argument line', () => {
  it('splits words the way a shell does, without expanding anything', () => {
    assert.deepStrictEqual(splitArguments('  --lr 0.1\t--steps=5 '), ['--lr', '0.1', '--steps=5']);
    assert.deepStrictEqual(splitArguments(`--name "my run" 'a "b" c' x\\ y`), ['--name', 'my run', 'a "b" c', 'x y']);
    assert.deepStrictEqual(splitArguments(`"\\"q\\" \\$HOME \\\\ \\n" $HOME \`id\` $(id)`), ['"q" $HOME \\ \\n', '$HOME', '`id`', '$(id)']);
    assert.deepStrictEqual(splitArguments(`'' "" a''b`), ['', '', 'ab']);
    assert.deepStrictEqual(splitArguments('é 日本 🚀'), ['é', '日本', '🚀']);
    assert.deepStrictEqual(splitArguments(''), []);
  });

  it('refuses unclosed quotes with a hint', () => {
    assert.throws(
      () => splitArguments(`--name 'my run`),
      (e: unknown) => e instanceof ArgumentLineError && /single quote at character 8 is never closed.*Quote arguments/.test(e.message),
    );
    assert.throws(() => splitArguments('"abc'), /double quote is never closed/);
    assert.throws(() => splitArguments('abc\\'), /lone backslash/);
  });
});
