/** Resolves on the first Ctrl-C or SIGTERM, so a long-running script can clean up before it exits. */
export function onTermination(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const handler = (signal: NodeJS.Signals): void => {
      for (const each of signals) process.off(each, handler);
      resolve(signal);
    };
    for (const each of signals) process.on(each, handler);
  });
}
