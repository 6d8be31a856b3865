import type { MachineRef } from '../common/machine';
import { stripAnsi } from './ansi';
import { FailureDetector } from './failureDetector';
import { rootCause, type LocatedFailure } from './failureDiagnosis';
import type { JobOutcome } from './followCommand';
import { GpuTelemetryPoller } from './gpuTelemetryPoller';
import type { JobLogDescription } from './jobLogDescription';
import { LineFlag } from './lineIndex';
import { LogFollower, type FollowerState } from './logFollower';
import { LogStore, type StoredLine } from './logStore';
import { parseLineMetrics } from './metricParser';
import { MetricSeriesSet } from './metricSeries';
import type { GpuTelemetry } from './nvidiaSmi';
import type { NodeStatus } from './panelMessages';
import { rankLabel } from './rankLabel';
import type { RemoteCommandRunner } from './remoteCommandRunner';

export const maxKeptFailures = 200;

export interface JobLogSessionListener {
  /** Lines added to the store (in order), from one received chunk or from a restore. */
  onLines(lines: readonly StoredLine[]): void;
  /** A node's unfinished last line changed (a progress bar redrawn). */
  onPending(node: number): void;
  onStatus(): void;
  onFailure(failure: LocatedFailure): void;
  onGpu(node: number, reading: GpuTelemetry): void;
  onDiagnostic?(node: number, message: string): void;
}

export interface JobLogSessionOptions {
  cacheDir: string;
  /** A command runner on a node's machine, connecting (or reconnecting) as needed. */
  connect: (machine: MachineRef) => Promise<RemoteCommandRunner>;
  /** nvidia-smi polling period; 0 turns telemetry off. */
  telemetryIntervalMs: number;
  followerRetryMs?: number;
}

/**
 * Everything a job's log panel shows, kept by the extension host: each node's log followed into
 * the local cache, merged into one store, read for metrics and failures, plus GPU telemetry.
 */
export class JobLogSession {
  readonly store: LogStore;
  readonly metrics = new MetricSeriesSet();
  /** The first `maxKeptFailures` failures: a job logging a traceback per bad sample must not fill memory. */
  readonly failures: LocatedFailure[] = [];
  /** Every failure seen, kept or not. */
  failureCount = 0;
  readonly status: NodeStatus[];
  readonly gpu = new Map<number, GpuTelemetry>();
  /** Per node, per rank: the stream's failure detector and its label in charts. */
  private readonly streams: Map<string, { detector: FailureDetector; label: string }>[];
  private readonly followers: LogFollower[] = [];
  private readonly pollers: (GpuTelemetryPoller | undefined)[] = [];
  private started = false;

  constructor(
    readonly job: JobLogDescription,
    private readonly options: JobLogSessionOptions,
    private readonly listener: JobLogSessionListener,
  ) {
    this.store = new LogStore(options.cacheDir, job.nodes.length, (node, rank, texts) => this.analyseRedraws(node, rank, texts));
    this.status = job.nodes.map((node, index) => ({ node: index, label: node.machine.label, state: 'connecting' }));
    this.streams = job.nodes.map(() => new Map<string, { detector: FailureDetector; label: string }>());
    this.store.restore((line) => this.analyse(line));
  }

  /** Starts following every node from the bytes already cached. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.job.nodes.forEach((node, index) => {
      const follower = new LogFollower(
        () => this.options.connect(node.machine),
        node,
        this.store.offset(index),
        {
          onData: (chunk) => this.receive(index, chunk),
          onState: (state) => this.setState(index, state),
          onDiagnostic: (message) => this.listener.onDiagnostic?.(index, message),
        },
        { firstRetryDelayMs: this.options.followerRetryMs },
      );
      this.followers.push(follower);
      void follower.run();
      if (this.options.telemetryIntervalMs > 0) {
        const poller = new GpuTelemetryPoller({
          machines: () => [node.machine],
          connect: this.options.connect,
          intervalMs: () => this.options.telemetryIntervalMs,
          onReading: (_machine, reading) => {
            this.gpu.set(index, reading);
            this.listener.onGpu(index, reading);
          },
        });
        this.pollers.push(poller);
        poller.wake();
      } else {
        this.pollers.push(undefined);
      }
    });
  }

  get ended(): boolean {
    return this.status.every((node) => node.state === 'ended' || node.state === 'failed');
  }

  /** The user cancelled the job (known once a node's log has ended). */
  get cancelled(): boolean {
    return this.status.some((node) => node.cancelled);
  }

  rootCause(): LocatedFailure | undefined {
    return rootCause(this.failures);
  }

  /** One line for the panel's header: how the job is doing or how it ended. */
  summary(): string {
    if (!this.ended) {
      const reconnecting = this.status.filter((node) => node.state === 'reconnecting').length;
      return reconnecting > 0 ? `Running — reconnecting to ${reconnecting} node(s)…` : 'Running';
    }
    const codes = this.status.map((node) => node.exitCode);
    const failed = codes.find((code) => code !== undefined && code !== 0);
    const starts = this.status.map((node) => node.startedAt).filter((time): time is number => time !== undefined);
    const ends = this.status.map((node) => node.endedAt).filter((time): time is number => time !== undefined);
    const duration = starts.length > 0 && ends.length > 0 ? ` after ${formatDuration(Math.max(...ends) - Math.min(...starts))}` : '';
    if (this.cancelled) return `Cancelled${duration}`;
    if (codes.some((code) => code === undefined)) return `Ended without an exit code (lost)${duration}`;
    return failed === undefined ? `Succeeded (exit code 0)${duration}` : `Failed with exit code ${failed}${duration}`;
  }

  dispose(): void {
    for (const follower of this.followers) follower.dispose();
    for (const poller of this.pollers) poller?.dispose();
    this.store.close();
  }

  private receive(node: number, chunk: Buffer): void {
    const lines: StoredLine[] = [];
    this.store.ingest(node, chunk, (line) => {
      this.analyse(line);
      lines.push(line);
    });
    if (lines.length > 0) this.listener.onLines(lines);
    this.listener.onPending(node);
  }

  private analyse(line: StoredLine): void {
    const plain = stripAnsi(line.text);
    const stream = this.stream(line.node, line.rank);
    const failure = stream.detector.push(plain, line.index);
    if (failure) {
      const index = this.store.index;
      for (let i = failure.startLine; i <= failure.endLine; i++) {
        if (index.node(i) === line.node && index.rank(i) === line.rank) index.setFlag(i, LineFlag.Failure);
      }
      // The same object: the detector extends a traceback's message as its lines arrive.
      const located = Object.assign(failure, { node: line.node, rank: line.rank });
      this.failureCount++;
      if (this.failures.length < maxKeptFailures) this.failures.push(located);
      if (this.started) this.listener.onFailure(located);
    }
    this.analyseRedraws(line.node, line.rank, line.overwritten ?? []);
    for (const record of parseLineMetrics(plain)) this.metrics.add(record, stream.label, line.node, line.rank);
  }

  /** The metrics of what a line showed before a later redraw (a tqdm bar's earlier steps). */
  private analyseRedraws(node: number, rank: string, texts: readonly string[]): void {
    for (const text of texts) {
      for (const record of parseLineMetrics(stripAnsi(text))) this.metrics.add(record, this.stream(node, rank).label, node, rank);
    }
  }

  private stream(node: number, rank: string): { detector: FailureDetector; label: string } {
    const streams = this.streams[node];
    let stream = streams.get(rank);
    if (!stream) streams.set(rank, (stream = { detector: new FailureDetector(), label: this.streamLabel(node, rank) }));
    return stream;
  }

  private streamLabel(node: number, rank: string): string {
    return rankLabel(node, rank, this.job.nodes.length) || 'log';
  }

  private setState(node: number, state: FollowerState): void {
    const status = this.status[node];
    status.state = state.kind;
    status.detail = state.kind === 'reconnecting' || state.kind === 'failed' ? state.reason : undefined;
    if (state.kind === 'ended') {
      applyOutcome(status, state.outcome);
      this.pollers[node]?.dispose();
    }
    this.listener.onStatus();
  }
}

function applyOutcome(status: NodeStatus, outcome: JobOutcome): void {
  status.exitCode = outcome.exitCode;
  status.cancelled = outcome.cancelled;
  status.startedAt = outcome.startedAt;
  status.endedAt = outcome.endedAt;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`;
}
