import type { RowData } from '../../src/logs/panelMessages';
import { renderAnsi } from './ansiRender';
import { element } from './dom';

/** What the list asks of its owner: rows it does not hold, and links it cannot open itself. */
export interface VirtualLogSource {
  requestRows(start: number, count: number): void;
  sourceLink(text: string): { before: string; path: string; after: string; localPath: string; line: number } | undefined;
  openSource(localPath: string, line: number): void;
  labelOf(row: RowData): string;
  colourOf(row: RowData): number;
}

const blockSize = 200;
const maxCachedRows = 6000;
// Browsers cap an element's height (~16.7M px in some engines): past this, scroll by proportion.
const maxScrollHeight = 8_000_000;

/**
 * A log list that keeps only the visible rows in the DOM and only a few thousand rows in memory;
 * the rest stays with the extension host and is requested by block when scrolled into view.
 */
export class VirtualLog {
  private total = 0;
  private version = 0;
  private rows = new Map<number, RowData>();
  private requested = new Set<number>();
  private pending: { node: number; text: string }[] = [];
  private rowHeight = 18;
  private following = true;
  private programmaticScroll = false;
  private highlight = '';
  private current = -1;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private frame = 0;
  onFollowChange: (following: boolean) => void = () => {};

  constructor(
    private readonly viewport: HTMLElement,
    private readonly source: VirtualLogSource,
  ) {
    this.spacer = element('div', { className: 'spacer' });
    this.body = element('div', { className: 'rows', attributes: { role: 'list' } });
    viewport.append(this.spacer, this.body);
    const probe = element('div', { className: 'row', text: 'X' });
    this.body.appendChild(probe);
    this.rowHeight = probe.getBoundingClientRect().height || 18;
    probe.remove();
    viewport.addEventListener('scroll', () => {
      if (this.programmaticScroll) {
        this.programmaticScroll = false;
      } else {
        this.setFollowing(this.atBottom());
      }
      this.schedule();
    });
    // The view shrinks when charts or GPU rows appear above it: a following view keeps the newest lines in sight.
    new ResizeObserver(() => {
      if (this.following) this.scrollToBottom();
      this.schedule();
    }).observe(viewport);
  }

  get isFollowing(): boolean {
    return this.following;
  }

  get currentPosition(): number {
    return this.current;
  }

  /** The first row on screen: where a search starts when nothing is selected. */
  get firstVisible(): number {
    return this.positionAt(this.viewport.scrollTop);
  }

  get length(): number {
    return this.total;
  }

  /** New total and the newest rows; a new version means a new filter: everything held is stale. */
  update(version: number, total: number, tail: readonly RowData[]): void {
    if (version !== this.version) {
      this.version = version;
      this.rows.clear();
      this.requested.clear();
    }
    this.total = total;
    const start = total - tail.length;
    tail.forEach((row, i) => this.rows.set(start + i, row));
    this.trimCache();
    if (this.following) this.scrollToBottom();
    this.schedule();
  }

  receiveRows(version: number, start: number, rows: readonly RowData[]): void {
    this.requested.delete(Math.floor(start / blockSize));
    if (version !== this.version) return;
    rows.forEach((row, i) => this.rows.set(start + i, row));
    this.trimCache();
    this.schedule();
  }

  setPending(pending: { node: number; text: string }[]): void {
    this.pending = pending.filter((row) => row.text !== '');
    if (this.following) this.scrollToBottom();
    this.schedule();
  }

  setHighlight(query: string): void {
    this.highlight = query === query.toLowerCase() ? query.toLowerCase() : query;
    this.schedule();
  }

  setFollowing(following: boolean): void {
    if (following === this.following) return;
    this.following = following;
    if (following) this.scrollToBottom();
    this.onFollowChange(following);
  }

  /** Scrolls `position` into the middle of the view and marks it as the current match. */
  reveal(position: number): void {
    this.current = position;
    this.setFollowing(false);
    const top = this.offsetOf(position) - this.viewport.clientHeight / 2;
    this.programmaticScroll = true;
    this.viewport.scrollTop = Math.max(0, top);
    this.schedule();
  }

  private get rowCount(): number {
    return this.total + this.pending.length;
  }

  private get scale(): number {
    const natural = this.rowCount * this.rowHeight;
    return natural > maxScrollHeight ? maxScrollHeight / natural : 1;
  }

  private positionAt(scrollTop: number): number {
    return Math.max(0, Math.floor(scrollTop / (this.rowHeight * this.scale)));
  }

  private offsetOf(position: number): number {
    return position * this.rowHeight * this.scale;
  }

  private atBottom(): boolean {
    return this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - this.rowHeight;
  }

  private scrollToBottom(): void {
    this.spacer.style.height = `${Math.ceil(this.rowCount * this.rowHeight * this.scale)}px`;
    const bottom = this.viewport.scrollHeight - this.viewport.clientHeight;
    // Only a scroll that moves fires an event, and only then may the flag wait for one.
    if (Math.abs(this.viewport.scrollTop - bottom) < 1) return;
    this.programmaticScroll = true;
    this.viewport.scrollTop = bottom;
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this.frame = 0;
    this.spacer.style.height = `${Math.ceil(this.rowCount * this.rowHeight * this.scale)}px`;
    const visible = Math.ceil(this.viewport.clientHeight / this.rowHeight) + 1;
    const first = Math.min(this.positionAt(this.viewport.scrollTop), Math.max(0, this.rowCount - visible + 1));
    const last = Math.min(this.rowCount, first + visible);
    // Scaled, positions map to the scroll bar by proportion and the rows sit where the view is.
    const offset = this.scale === 1 ? first * this.rowHeight : this.viewport.scrollTop;
    this.body.style.transform = `translateY(${offset}px)`;
    const fragment = document.createDocumentFragment();
    const missing = new Set<number>();
    for (let position = first; position < last; position++) {
      if (position >= this.total) {
        fragment.appendChild(this.pendingRow(this.pending[position - this.total]));
        continue;
      }
      const row = this.rows.get(position);
      if (row) fragment.appendChild(this.renderRow(row, position));
      else {
        fragment.appendChild(element('div', { className: 'row loading', text: '…' }));
        missing.add(Math.floor(position / blockSize));
      }
    }
    this.body.replaceChildren(fragment);
    for (const block of missing) {
      if (this.requested.has(block)) continue;
      this.requested.add(block);
      this.source.requestRows(block * blockSize, blockSize);
    }
  }

  private renderRow(row: RowData, position: number): HTMLElement {
    const classes = ['row'];
    if (row.failure) classes.push('failure');
    if (position === this.current) classes.push('current');
    const div = element('div', { className: classes.join(' '), attributes: { role: 'listitem' } });
    const label = this.source.labelOf(row);
    if (label) div.appendChild(element('span', { className: `label rank-colour-${this.source.colourOf(row) % 8}`, text: label }));
    const text = element('span', { className: 'text' });
    const link = this.source.sourceLink(row.text);
    if (link) {
      renderAnsi(text, link.before, this.highlight);
      const anchor = element('a', { text: link.path, title: `Open ${link.localPath}:${link.line}`, attributes: { href: '#' } });
      anchor.addEventListener('click', (event) => {
        event.preventDefault();
        this.source.openSource(link.localPath, link.line);
      });
      text.appendChild(anchor);
      renderAnsi(text, link.after, this.highlight);
    } else {
      renderAnsi(text, row.text, this.highlight);
    }
    div.appendChild(text);
    return div;
  }

  private pendingRow(pending: { node: number; text: string }): HTMLElement {
    const div = element('div', { className: 'row pending', title: 'Line in progress' });
    const text = element('span', { className: 'text' });
    renderAnsi(text, pending.text, '');
    div.appendChild(text);
    return div;
  }

  /** Keeps the rows nearest the view; the host can always send the others again. */
  private trimCache(): void {
    if (this.rows.size <= maxCachedRows) return;
    const centre = this.following ? this.total : this.firstVisible;
    const byDistance = [...this.rows.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const position of byDistance.slice(0, this.rows.size - maxCachedRows / 2)) this.rows.delete(position);
  }
}
