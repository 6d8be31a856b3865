import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import { runCommand } from './run-command';

export interface LoginUser {
  name: string;
  uid: number;
  gid: number;
  /** The account's home in the machine's /etc/passwd (as root, each host mounts its own over it). */
  home: string;
}

/**
 * Root only: the account the hosts log in as (Azure's default admin `azureuser`), created if missing
 * and unlocked: useradd leaves the password `!` (locked), which sshd refuses with `UsePAM no`;
 * `*` means no password but not locked, so key authentication works.
 */
export async function ensureLoginUser(name: string): Promise<LoginUser> {
  if (!(await lookupUser(name))) {
    try {
      await runCommand('useradd', ['--create-home', '--shell', '/bin/bash', name]);
    } catch (error) {
      if (!(await lookupUser(name))) throw error; // otherwise another sandbox created it meanwhile
    }
  }
  const shadowPassword = (await runCommand('getent', ['shadow', name])).split(':')[1] ?? '';
  if (shadowPassword.startsWith('!')) {
    await runCommand('usermod', ['-p', '*', name]);
  }
  const user = await lookupUser(name);
  if (!user) throw new Error(`User ${name} vanished while being set up`);
  await fs.mkdir(user.home, { recursive: true }); // the mount point of each host's home
  return user;
}

/** The user running the sandbox (the non-root fallback logs in as this user). */
export function currentUser(): LoginUser {
  const info = os.userInfo();
  return { name: info.username, uid: info.uid, gid: info.gid, home: info.homedir };
}

async function lookupUser(name: string): Promise<LoginUser | undefined> {
  let entry: string;
  try {
    entry = await runCommand('getent', ['passwd', name]);
  } catch {
    return undefined; // getent exits 2 for an unknown user
  }
  const [userName, , uid, gid, , home] = entry.trim().split(':');
  return { name: userName ?? name, uid: Number(uid), gid: Number(gid), home: home ?? `/home/${name}` };
}
