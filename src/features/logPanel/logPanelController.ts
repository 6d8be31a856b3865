import { describeFailure, failureTitle } from '../../logs/failureDiagnosis';
import type { JobLogSession, JobLogSessionListener } from '../../logs/jobLogSession';
import { LineFlag } from '../../logs/lineIndex';
import { LineView } from '../../logs/lineView';
import type { StoredLine } from '../../logs/logStore';
import { filterAllows } from '../../logs/lineFilter';
import type { SeriesUpdate } from '../../logs/metricSeries';
import type { FailureInfo, HostMessage, RankRef, RowData, SearchDirection, WebviewMessage } from '../../logs/panelMessages';
import { compareRanks } from '../../logs/rankLabel';
import { isInsideFolder, mapRemotePath } from '../../logs/pathMapping';
import type { GpuTelemetry } from '../../logs/nvidiaSmi';

/** What the controller needs from VS Code: the webview, the editor, notifications, dialogs. */
export interface LogPanelHost {
  post(message: HostMessage): void;
  openSource(localPath: string, line: number): void;
  saveLog(): void;
  openAsText(): void;
  notifyFailure(message: string, reveal: () => void): void;
}

const linesEveryMs = 40;
const metricsEveryMs = 250;
const maxTailRows = 200;
const maxRowsPerRequest = 2000;
const rootCauseSettleMs = 1500;
/** torchrun's report of a worker stopped by SIGTERM or SIGINT (a cancel, or the machine shutting down). */
const stopSignal = /SignalException|got signal:? (?:15|2)\b|Signal (?:15|2) \(SIG(?:TERM|INT)\)/;

/**
 * The log panel's logic without VS Code: answers the webview's requests from the session's store
 * and pushes what is new at a bounded rate (the webview never holds the whole log).
 */
export class LogPanelController implements JobLogSessionListener {
  private current: JobLogSession | undefined;
  private readonly view: LineView;
  private version = 0;
  private ready = false;
  private newLines = 0;
  private readonly pendingNodes = new Set<number>();
  private lineTimer: NodeJS.Timeout | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private notifyTimer: NodeJS.Timeout | undefined;
  private notifyAtEnd = false;
  private notified = false;
  private ranksKnown = 0;
  /** Failures the webview holds, and the count and root cause it was last told. */
  private failuresSent = 0;
  private failureCountSent = 0;
  private rootCauseSent = -1;
  /** The search in progress: a newer one (the user typed on) or a new filter stops it. */
  private searching: AbortController | undefined;

  constructor(
    createSession: (listener: JobLogSessionListener) => JobLogSession,
    private readonly host: LogPanelHost,
  ) {
    const session = createSession(this);
    this.current = session;
    this.view = new LineView(session.store);
    this.ranksKnown = session.store.index.streamsSeen.length;
    session.start();
  }

  /** The session behind the panel, for exports; throws once the panel is closed. */
  get session(): JobLogSession {
    return this.live;
  }

  private get live(): JobLogSession {
    if (!this.current) throw new Error('The log panel is closed');
    return this.current;
  }

  handle(message: WebviewMessage): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendEverything();
        return;
      case 'rows':
        this.host.post({
          type: 'rows',
          requestId: message.requestId,
          version: this.version,
          start: message.start,
          rows: this.rows(message.start, message.count),
        });
        return;
      case 'search':
        void this.search(message.requestId, message.query, message.from, message.direction);
        return;
      case 'filter':
        this.searching?.abort();
        this.view.setFilter(message.filter);
        this.version++;
        this.host.post({
          type: 'lines',
          version: this.version,
          filter: this.view.filter,
          total: this.view.length,
          tail: this.tailRows(maxTailRows),
        });
        this.postAllMetrics();
        return;
      case 'revealLine':
        this.reveal(message.line);
        return;
      case 'openSource': {
        // The webview's request is only as trustworthy as the log it renders: open workspace files only.
        const workspace = this.live.job.workspace;
        if (workspace && isInsideFolder(message.path, workspace.localRoot)) this.host.openSource(message.path, message.line);
        return;
      }
      case 'saveLog':
        this.host.saveLog();
        return;
      case 'openAsText':
        this.host.openAsText();
        return;
    }
  }

  private async search(requestId: number, query: string, from: number, direction: SearchDirection): Promise<void> {
    this.searching?.abort();
    const searching = new AbortController();
    this.searching = searching;
    const version = this.version;
    const position = await this.view.search(query, from, direction, searching.signal);
    if (this.searching === searching) this.searching = undefined;
    if (position !== undefined && this.current) this.host.post({ type: 'searchResult', requestId, version, position });
  }

  // JobLogSessionListener

  onLines(lines: readonly StoredLine[]): void {
    for (const line of lines) this.view.added(line.index);
    this.newLines += lines.length;
    this.scheduleLines();
  }

  onPending(node: number): void {
    this.pendingNodes.add(node);
    this.scheduleLines();
  }

  onStatus(): void {
    this.flushLines();
    this.postStatus();
    if (this.notifyAtEnd && this.current?.ended) this.notifyRootCause();
  }

  onFailure(): void {
    this.scheduleLines();
    if (this.notified || this.notifyTimer) return;
    // Wait for the other nodes' output: the first failure seen is often a consequence.
    this.notifyTimer = setTimeout(() => this.notifyRootCause(), rootCauseSettleMs);
  }

  private notifyRootCause(): void {
    const session = this.current;
    const cause = session?.rootCause();
    if (!session || !cause || this.notified) return;
    // A job stopped by SIGTERM or SIGINT may have been cancelled, which is no failure: wait for its end to know.
    this.notifyAtEnd = !session.ended && stopSignal.test(cause.summary);
    if (this.notifyAtEnd) return;
    this.notified = true;
    if (!session.cancelled) this.host.notifyFailure(describeFailure(cause, session.job.nodes.length), () => this.reveal(cause.startLine));
  }

  onGpu(node: number, reading: GpuTelemetry): void {
    if (this.ready) this.host.post({ type: 'gpu', node, reading });
  }

  dispose(): void {
    this.searching?.abort();
    clearTimeout(this.lineTimer);
    clearTimeout(this.metricsTimer);
    clearTimeout(this.notifyTimer);
    this.current?.dispose();
    this.current = undefined;
  }

  private sendEverything(): void {
    const session = this.live;
    this.version++;
    this.host.post({ type: 'init', job: session.job, filter: this.view.filter, version: this.version, total: this.view.length });
    this.host.post({ type: 'ranks', ranks: this.ranksSeen() });
    this.host.post({
      type: 'lines',
      version: this.version,
      filter: this.view.filter,
      total: this.view.length,
      tail: this.tailRows(maxTailRows),
    });
    this.postStatus();
    // A webview (re)started holds nothing: send it all.
    this.failuresSent = 0;
    this.failureCountSent = -1;
    this.postFailures();
    this.postAllMetrics();
    for (const [node, reading] of session.gpu) this.host.post({ type: 'gpu', node, reading });
    session.job.nodes.forEach((_, node) => this.host.post({ type: 'pending', node, text: session.store.pendingText(node) }));
  }

  /** The workers seen, ordered by rank, for the filter. */
  private ranksSeen(): RankRef[] {
    return this.live.store.index.streamsSeen.map(({ node, rank }) => ({ node, rank })).sort(compareRanks);
  }

  /** Every series the filter lets through, replacing what the webview holds (the rest stay unsent). */
  private postAllMetrics(): void {
    const metrics = this.live.metrics;
    metrics.takeUpdates();
    this.host.post({ type: 'metrics', updates: metrics.snapshot().filter((update) => this.shows(update)), replace: true });
  }

  private shows(update: SeriesUpdate): boolean {
    return filterAllows(this.view.filter, update.node, update.rank);
  }

  private scheduleLines(): void {
    if (!this.lineTimer) this.lineTimer = setTimeout(() => this.flushLines(), linesEveryMs);
    if (!this.metricsTimer) {
      this.metricsTimer = setTimeout(() => {
        this.metricsTimer = undefined;
        const updates = (this.current?.metrics.takeUpdates() ?? []).filter((update) => this.shows(update));
        if (this.ready && updates.length > 0) this.host.post({ type: 'metrics', updates });
      }, metricsEveryMs);
    }
  }

  private flushLines(): void {
    clearTimeout(this.lineTimer);
    this.lineTimer = undefined;
    const session = this.current;
    if (!this.ready || !session) return;
    if (session.store.index.streamsSeen.length !== this.ranksKnown) {
      this.ranksKnown = session.store.index.streamsSeen.length;
      this.host.post({ type: 'ranks', ranks: this.ranksSeen() });
    }
    if (this.newLines > 0) {
      this.host.post({
        type: 'lines',
        version: this.version,
        filter: this.view.filter,
        total: this.view.length,
        tail: this.tailRows(Math.min(this.newLines, maxTailRows)),
      });
      this.newLines = 0;
    }
    for (const node of this.pendingNodes) this.host.post({ type: 'pending', node, text: session.store.pendingText(node) });
    this.pendingNodes.clear();
    this.postFailures();
  }

  private postStatus(): void {
    const session = this.current;
    if (!this.ready || !session) return;
    this.host.post({
      type: 'status',
      nodes: session.status.map((node) => ({ ...node })),
      summary: session.summary(),
      ended: session.ended,
    });
  }

  /** Sends the failures the webview does not have yet, and the count and root cause when they changed. */
  private postFailures(): void {
    const session = this.current;
    if (!this.ready || !session) return;
    const cause = session.rootCause();
    const rootCause = cause ? session.failures.indexOf(cause) : -1;
    const from = this.failuresSent;
    if (from === session.failures.length && this.failureCountSent === session.failureCount && this.rootCauseSent === rootCause) return;
    const workspace = session.job.workspace;
    const failures: FailureInfo[] = session.failures.slice(from).map((failure) => ({
      kind: failure.kind,
      title: failureTitle(failure.kind),
      summary: failure.summary,
      node: failure.node,
      rank: failure.rank,
      line: failure.startLine,
      frames: failure.frames.map((frame) => ({ ...frame, localPath: workspace ? mapRemotePath(frame.path, workspace) : undefined })),
      ...(failure.chain?.length ? { chain: [...failure.chain] } : {}),
    }));
    this.failuresSent = session.failures.length;
    this.failureCountSent = session.failureCount;
    this.rootCauseSent = rootCause;
    this.host.post({ type: 'failures', from, failures, total: session.failureCount, rootCause });
  }

  private reveal(line: number): void {
    let position = this.view.positionOf(line);
    if (position === -1) {
      // The filter hides it: show everything rather than nothing.
      this.view.setFilter({});
      this.version++;
      this.host.post({ type: 'lines', version: this.version, filter: this.view.filter, total: this.view.length, tail: [] });
      this.postAllMetrics();
      position = line;
    }
    this.host.post({ type: 'reveal', version: this.version, position });
  }

  private tailRows(count: number): RowData[] {
    const total = this.view.length;
    return this.rows(Math.max(0, total - count), count);
  }

  private rows(start: number, count: number): RowData[] {
    const store = this.live.store;
    const end = Math.min(this.view.length, start + Math.min(count, maxRowsPerRequest));
    const rows: RowData[] = [];
    for (let position = Math.max(0, start); position < end; position++) {
      const line = this.view.lineAt(position);
      const { text } = store.line(line);
      rows.push({
        line,
        node: store.index.node(line),
        rank: store.index.rank(line),
        text,
        failure: (store.index.flags(line) & LineFlag.Failure) !== 0,
      });
    }
    return rows;
  }
}
