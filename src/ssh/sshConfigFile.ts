import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSshConfig, type SshConfigLine } from './sshConfig';

/**
 * Reads the user's ssh_config with its Includes (relative paths are under ~/.ssh; `*` and `?` in
 * the last path component are expanded, as OpenSSH's glob does for the usual `config.d/*`).
 * A missing file is an empty config.
 */
export function readSshConfigFile(file: string, home: string): SshConfigLine[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const sshDir = path.join(home, '.ssh');
  return parseSshConfig(text, file, (pattern) => {
    const expanded = pattern.startsWith('~/')
      ? path.join(home, pattern.slice(2))
      : path.isAbsolute(pattern)
        ? pattern
        : path.join(sshDir, pattern);
    const dir = path.dirname(expanded);
    const base = path.basename(expanded);
    let names: string[];
    if (/[*?]/.test(base)) {
      const regex = new RegExp(
        `^${base
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      names = (safeReadDir(dir) ?? []).filter((name) => regex.test(name)).sort();
    } else {
      names = [base];
    }
    return names.flatMap((name) => {
      const full = path.join(dir, name);
      try {
        return [{ path: full, text: fs.readFileSync(full, 'utf8') }];
      } catch {
        return [];
      }
    });
  });
}

function safeReadDir(dir: string): string[] | undefined {
  try {
    return fs.readdirSync(dir);
  } catch {
    return undefined;
  }
}
