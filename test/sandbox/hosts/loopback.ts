/**
 * A random `127.a.b.` prefix for test hosts, so that test runs and a running sandbox (which may use
 * 127.0.0.x) on the same machine do not fight over the same address and port 22.
 */
export function randomLoopbackPrefix(): string {
  const octet = (): number => 1 + Math.floor(Math.random() * 250);
  return `127.${octet()}.${octet()}.`;
}
