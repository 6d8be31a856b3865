import type { JobHost } from '../jobs/jobHost';
import {
  holdWatchdogCommand,
  installWatchdogCommand,
  parseInstallOutput,
  readWatchdogLogCommand,
  readWatchdogStateCommand,
  uninstallWatchdogCommand,
  type WatchdogScheduler,
} from './watchdogCommands';
import type { WatchdogConfig } from './watchdogConfig';
import { parseWatchdogLog, type WatchdogDecision } from './watchdogLog';
import { parseWatchdogStatus, type WatchdogStatus } from './watchdogStatus';

/**
 * The cost guard on one VM, over a connection the caller holds (the VS Code side's pooled SSH
 * connection): install or replace the watchdog with a policy, turn it off, read its decisions.
 */
export type WatchdogHost = Pick<JobHost, 'machine' | 'exec'>;

/** Installs (or replaces) the watchdog and its config; returns how it is scheduled on the VM. */
export async function installWatchdog(host: WatchdogHost, config: WatchdogConfig, signal?: AbortSignal): Promise<WatchdogScheduler> {
  const command = installWatchdogCommand(config);
  const stdout = await run(host, command.argv, 'Turning on auto-deallocate', signal, command.stdin);
  const scheduler = parseInstallOutput(stdout);
  if (!scheduler) throw new Error(`${host.machine.label}: the watchdog's install printed no result: ${stdout.trim() || '(nothing)'}`);
  return scheduler;
}

/** Stops the watchdog and removes its config; its log stays for the user to read. */
export async function removeWatchdog(host: WatchdogHost, signal?: AbortSignal): Promise<void> {
  await run(host, uninstallWatchdogCommand(), 'Turning off auto-deallocate', signal);
}

/** The watchdog's decisions, oldest first (the last 64 KiB of its log). */
export async function readWatchdogDecisions(host: WatchdogHost, signal?: AbortSignal): Promise<WatchdogDecision[]> {
  return parseWatchdogLog(await run(host, readWatchdogLogCommand(), "Reading the watchdog's log", signal));
}

/** The watchdog's last check; undefined when it never checked. */
export async function readWatchdogStatus(host: WatchdogHost, signal?: AbortSignal): Promise<WatchdogStatus | undefined> {
  return parseWatchdogStatus(await run(host, readWatchdogStateCommand(), "Reading the watchdog's state", signal));
}

/** Keeps the VM busy in the watchdog's eyes until then (a launch, before its job's PID exists). */
export async function holdWatchdog(host: WatchdogHost, until: Date, signal?: AbortSignal): Promise<void> {
  await run(host, holdWatchdogCommand(Math.ceil(until.getTime() / 1000)), 'Holding auto-deallocate', signal);
}

async function run(host: WatchdogHost, argv: readonly string[], what: string, signal?: AbortSignal, stdin?: Buffer): Promise<string> {
  const result = await host.exec(argv, signal, stdin);
  if (result.exitCode !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' ');
    throw new Error(`${host.machine.label}: ${what} failed (exit ${result.exitCode ?? 'signal'})${detail ? `: ${detail}` : ''}`);
  }
  return result.stdout;
}
