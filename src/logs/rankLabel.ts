/**
 * How the panel names a worker (in rows, filters, legends and the summary). The run script asks
 * torchrun for `[rank{global rank}]:` prefixes (TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE, torch ≥ 2.2);
 * older torch writes `[{role}{local rank}]:`, the same on every node, so there a worker is its local
 * rank on its node. With one node the local rank is the rank.
 */
export function rankLabel(node: number, rank: string, nodeCount: number): string {
  const where = nodeCount > 1 ? ` (node ${node})` : '';
  const match = /^([A-Za-z_-]*?)(\d+)$/.exec(rank);
  if (!match) return rank === '' ? (nodeCount > 1 ? `node ${node}` : '') : `${rank}${where}`;
  const [, role, number] = match;
  if (role === 'rank' || (role === 'default' && nodeCount === 1)) return `rank ${number}${where}`;
  if (role === 'default') return `local rank ${number}${where}`;
  return `${rank}${where}`;
}

/** Orders workers by global rank where known, else by node then local rank; lines without a prefix first. */
export function compareRanks(a: { node: number; rank: string }, b: { node: number; rank: string }): number {
  return sortKey(a) - sortKey(b) || a.rank.localeCompare(b.rank);
}

function sortKey({ node, rank }: { node: number; rank: string }): number {
  if (rank === '') return -1;
  const global = /^rank(\d+)$/.exec(rank);
  if (global) return Number(global[1]);
  const local = /(\d+)$/.exec(rank);
  return node * 100_000 + Number(local?.[1] ?? 0);
}
