/**
 * The messages between the log panel's host (extension) and its webview. Both sides import this
 * file; it and what it imports must stay free of Node and VS Code APIs.
 */
import type { FailureKind } from './failureDetector';
import type { JobLogDescription } from './jobLogDescription';
import type { SeriesUpdate } from './metricSeries';
import type { GpuTelemetry } from './nvidiaSmi';

/** A worker: its node and the rank label of its lines (`rank3`, or `default0` from older torch). */
export interface RankRef {
  node: number;
  rank: string;
}

/** Which lines (and chart series) to show; an absent list means all. */
export interface LineFilter {
  nodes?: readonly number[];
  ranks?: readonly RankRef[];
}

export type SearchDirection = 'next' | 'previous';

export interface RowData {
  /** Position in the merged log (all nodes), stable across filters. */
  line: number;
  node: number;
  rank: string;
  /** Carriage returns resolved, rank prefix off, ANSI escapes kept (the webview renders them). */
  text: string;
  failure: boolean;
}

export type NodeState = 'connecting' | 'following' | 'reconnecting' | 'ended' | 'failed';

export interface NodeStatus {
  node: number;
  label: string;
  state: NodeState;
  detail?: string;
  exitCode?: number;
  cancelled?: boolean;
  startedAt?: number;
  endedAt?: number;
}

export interface FrameLink {
  path: string;
  line: number;
  functionName?: string;
  /** The local file for a frame in the synced workspace. */
  localPath?: string;
}

export interface FailureInfo {
  kind: FailureKind;
  title: string;
  summary: string;
  node: number;
  rank: string;
  /** Merged-log position of the failure's first line. */
  line: number;
  frames: FrameLink[];
  /** The earlier exceptions of a chained traceback, first first: shown on demand. */
  chain?: string[];
}

export type HostMessage =
  | { type: 'init'; job: JobLogDescription; filter: LineFilter; version: number; total: number }
  | { type: 'lines'; version: number; filter: LineFilter; total: number; tail: RowData[] }
  | { type: 'rows'; requestId: number; version: number; start: number; rows: RowData[] }
  | { type: 'pending'; node: number; text: string }
  | { type: 'ranks'; ranks: RankRef[] }
  /** `replace`: the whole set under the current filter; the webview drops the series it held. */
  | { type: 'metrics'; updates: SeriesUpdate[]; replace?: boolean }
  | { type: 'gpu'; node: number; reading: GpuTelemetry }
  | { type: 'status'; nodes: NodeStatus[]; summary: string; ended: boolean }
  /**
   * Failures from position `from` on (the webview keeps those before it); `total` counts every failure
   * seen, kept or not; `rootCause` is a position in the kept list, -1 when none.
   */
  | { type: 'failures'; from: number; failures: FailureInfo[]; total: number; rootCause: number }
  | { type: 'searchResult'; requestId: number; version: number; position: number }
  | { type: 'reveal'; version: number; position: number };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'rows'; requestId: number; start: number; count: number }
  | { type: 'search'; requestId: number; query: string; from: number; direction: SearchDirection }
  | { type: 'filter'; filter: LineFilter }
  | { type: 'revealLine'; line: number }
  | { type: 'openSource'; path: string; line: number }
  | { type: 'saveLog' }
  | { type: 'openAsText' };

/** What the webview keeps with `setState`, so a restored panel knows its job. */
export interface PanelState {
  job: JobLogDescription;
  hiddenMetrics?: string[];
}
