import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { hostFilesDirectory } from './host-files';
import type { LoginUser } from './user-account';

/** Programs installed in each host's /usr/local/bin, from bin/ beside this module's source. */
const PROGRAMS = ['nvidia-smi', 'torchrun'];

/**
 * A host's home for `user`, with the client key authorized. A fresh one looks like a new VM's
 * (/etc/skel); an existing one is kept as it is (a deallocated VM keeps its disk).
 */
export async function prepareHome(home: string, user: LoginUser, clientPublicKey: string): Promise<void> {
  const fresh = !(await exists(home));
  if (fresh) {
    await fs.cp('/etc/skel', home, { recursive: true });
    await fs.chmod(home, 0o750);
  }
  const sshDir = path.join(home, '.ssh');
  await fs.mkdir(sshDir, { recursive: true, mode: 0o700 });
  await fs.writeFile(path.join(sshDir, 'authorized_keys'), `${clientPublicKey}\n`, { mode: 0o600 });
  await chownTree(fresh ? home : sshDir, user.uid, user.gid);
}

export async function installPrograms(binDir: string): Promise<void> {
  await fs.mkdir(binDir, { recursive: true, mode: 0o755 });
  await fs.chmod(binDir, 0o755);
  for (const program of PROGRAMS) {
    const target = path.join(binDir, program);
    await fs.copyFile(path.join(hostFilesDirectory(), 'bin', program), target);
    await fs.chmod(target, 0o755);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function chownTree(root: string, uid: number, gid: number): Promise<void> {
  await fs.chown(root, uid, gid);
  for (const entry of await fs.readdir(root, { withFileTypes: true })) {
    const child = path.join(root, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await fs.lchown(child, uid, gid);
  }
}
