import type { LineFilter } from './panelMessages';

/** Whether a filter lets a node's worker through: its lines, its chart series. */
export function filterAllows(filter: LineFilter, node: number, rank: string): boolean {
  if (filter.nodes && !filter.nodes.includes(node)) return false;
  return !filter.ranks || filter.ranks.some((allowed) => allowed.node === node && allowed.rank === rank);
}
