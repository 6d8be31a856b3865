/**
 * SIGKILLs the processes `find` returns, again and again, until it returns none: a process may fork
 * while its siblings are being killed. Rejects if some survive `timeoutMs`.
 */
export async function killUntilGone(find: () => Promise<number[]>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await find();
    if (pids.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`Could not end ${what}: processes ${pids.join(', ')} are still alive`);
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
