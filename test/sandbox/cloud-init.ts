/**
 * What the sandbox reads of a VM's cloud-init custom data: the SSH host key pair of `ssh_keys`
 * (`ed25519_private: |` block and `ed25519_public:` line), as cloud-init's cc_ssh module installs it.
 */
export interface CloudInitHostKey {
  hostPrivateKey: string;
  hostPublicKey: string;
}

/** The ed25519 host key of base64 custom data; undefined when it holds none. */
export function hostKeyFromCustomData(customData: string | undefined): CloudInitHostKey | undefined {
  if (!customData) return undefined;
  const text = Buffer.from(customData, 'base64').toString('utf8');
  if (!text.startsWith('#cloud-config')) return undefined;
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^\s+ed25519_private:\s*\|\s*$/.test(line));
  const publicLine = lines.find((line) => /^\s+ed25519_public:\s*\S/.test(line));
  if (start < 0 || !publicLine) return undefined;
  const indent = /^(\s*)/.exec(lines[start + 1] ?? '')?.[1] ?? '';
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (indent === '' || !line.startsWith(indent)) break;
    block.push(line.slice(indent.length));
  }
  return { hostPrivateKey: `${block.join('\n')}\n`, hostPublicKey: publicLine.replace(/^\s+ed25519_public:\s*/, '').trim() };
}
