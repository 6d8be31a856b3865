import type { CommandWithInput } from '../jobs/remoteCommands';
import { watchdogDir } from '../jobs/remoteLayout';
import type { WatchdogConfig } from './watchdogConfig';
import { watchdogScript } from './watchdogScript';

/**
 * The remote commands of the cost guard, as argument lists for the SSH layer to quote (fixed
 * scripts; every value an argument or stdin, never pasted in). Paths are relative to the home folder.
 */

/** How the watchdog is run every minute: a systemd user timer, a user cron entry, or a detached loop. */
export type WatchdogScheduler = 'systemd' | 'cron' | 'loop';

const SCHEDULERS: readonly WatchdogScheduler[] = ['systemd', 'cron', 'loop'];

const UNIT = 'azure-pytorch-watchdog';
const CRON_MARK = '# azure-pytorch-watchdog';

/**
 * Writes watchdog.py and config.json (over stdin, split by the config's byte length), checks the
 * config with the watchdog itself, and schedules it: a systemd user timer where the user's systemd
 * runs and may outlive the session (linger), else a user cron entry where cron runs, else a loop
 * started detached (it ends with the VM; a restarted VM has no watchdog until the extension installs
 * it again). Runs one check at once, so the log shows the policy. Prints `scheduler=<kind>`.
 * `prefer` forces one scheduler (it fails if that one is not available).
 */
export function installWatchdogCommand(config: WatchdogConfig, prefer: WatchdogScheduler | 'auto' = 'auto'): CommandWithInput {
  const configJson = `${JSON.stringify(config, null, 2)}\n`;
  const script = [
    'umask 077',
    'config_bytes=$2 prefer=$3',
    'command -v python3 > /dev/null 2>&1 || { echo "python3 is not installed on this VM; the cost guard\'s watchdog needs it: install it (sudo apt-get install -y python3) and turn auto-deallocate on again." >&2; exit 3; }',
    'mkdir -p -- "$1" && cd -- "$1" || exit 1',
    'dir=$(pwd) py=$(command -v python3)',
    'cat > install.input || exit 1',
    'head -c "$config_bytes" install.input > config.json.new && tail -c +"$((config_bytes + 1))" install.input > watchdog.py.new || exit 1',
    'rm -f install.input',
    '[ "$(wc -c < config.json.new)" -eq "$config_bytes" ] || { echo "The watchdog\'s files arrived incomplete." >&2; exit 1; }',
    '"$py" watchdog.py.new --check-config config.json.new || exit 1',
    'chmod 700 watchdog.py.new && mv -f watchdog.py.new watchdog.py && mv -f config.json.new config.json || exit 1',
    ...stopLoopFunction(),
    'try_systemd() {',
    '  command -v systemctl > /dev/null 2>&1 && systemctl --user show-environment > /dev/null 2>&1 || return 1',
    '  user=$(id -un)',
    // Without linger the user's systemd (and the timer) stops with the last session and does not start at boot.
    '  [ "$(loginctl show-user "$user" -p Linger --value 2> /dev/null)" = yes ] || loginctl enable-linger "$user" 2> /dev/null ||',
    '    sudo -n loginctl enable-linger "$user" 2> /dev/null || return 1',
    '  units=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user',
    '  mkdir -p "$units" || return 1',
    `  printf '%s\\n' '[Unit]' 'Description=Azure PyTorch cost guard: deallocate this VM when idle' '' '[Service]' 'Type=oneshot' "ExecStart=\\"$py\\" \\"$dir/watchdog.py\\" --once" > "$units/${UNIT}.service" || return 1`,
    `  printf '%s\\n' '[Unit]' 'Description=Azure PyTorch cost guard, every minute' '' '[Timer]' 'OnBootSec=1min' 'OnUnitActiveSec=1min' 'AccuracySec=5s' '' '[Install]' 'WantedBy=timers.target' > "$units/${UNIT}.timer" || return 1`,
    `  systemctl --user daemon-reload && systemctl --user enable --now ${UNIT}.timer > /dev/null 2>&1`,
    '}',
    'try_cron() {',
    '  command -v crontab > /dev/null 2>&1 || return 1',
    // An entry is useless without a cron daemon to run it.
    '  pgrep -x cron > /dev/null 2>&1 || pgrep -x crond > /dev/null 2>&1 || return 1',
    `  { crontab -l 2> /dev/null | grep -v '${CRON_MARK}$'; echo "* * * * * \\"$py\\" \\"$dir/watchdog.py\\" --once > /dev/null 2>&1 ${CRON_MARK}"; } | crontab -`,
    '}',
    'start_loop() {',
    '  setsid nohup "$py" "$dir/watchdog.py" --loop > loop.out 2>&1 < /dev/null &',
    '  echo $! > loop.pid',
    '}',
    'stop_loop',
    'scheduler=',
    'case "$prefer" in',
    '  auto) try_systemd && scheduler=systemd || { try_cron && scheduler=cron; } || { start_loop && scheduler=loop; } ;;',
    '  systemd) try_systemd && scheduler=systemd ;;',
    '  cron) try_cron && scheduler=cron ;;',
    '  loop) start_loop && scheduler=loop ;;',
    'esac',
    '[ -n "$scheduler" ] || { echo "The watchdog could not be scheduled with $prefer on this VM." >&2; exit 1; }',
    '[ "$scheduler" = loop ] || "$py" watchdog.py --once',
    'echo "scheduler=$scheduler"',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'sh', watchdogDir(), String(Buffer.byteLength(configJson)), prefer],
    stdin: Buffer.concat([Buffer.from(configJson), Buffer.from(watchdogScript)]),
  };
}

/** The scheduler the install command reports, or undefined when its output has none. */
export function parseInstallOutput(stdout: string): WatchdogScheduler | undefined {
  const match = /^scheduler=(\w+)$/m.exec(stdout);
  return SCHEDULERS.find((scheduler) => scheduler === match?.[1]);
}

/** Stops the watchdog however it was scheduled and removes its config (so nothing acts any more); the log stays. */
export function uninstallWatchdogCommand(): string[] {
  const script = [
    'cd -- "$1" 2> /dev/null || exit 0',
    ...stopLoopFunction(),
    'stop_loop',
    `command -v systemctl > /dev/null 2>&1 && systemctl --user disable --now ${UNIT}.timer > /dev/null 2>&1`,
    `rm -f -- "\${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/${UNIT}.service" "\${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/${UNIT}.timer"`,
    `if command -v crontab > /dev/null 2>&1 && crontab -l 2> /dev/null | grep -q '${CRON_MARK}$'; then`,
    `  crontab -l 2> /dev/null | grep -v '${CRON_MARK}$' | crontab -`,
    'fi',
    'rm -f config.json state.json',
    'echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) removed auto-deallocate turned off from VS Code" >> decisions.log',
  ].join('\n');
  return ['sh', '-c', script, 'sh', watchdogDir()];
}

/** The last `maxBytes` of the decision log (empty when the watchdog never ran). */
export function readWatchdogLogCommand(maxBytes = 65536): string[] {
  return ['sh', '-c', 'tail -c "$2" -- "$1/decisions.log" 2> /dev/null || true', 'sh', watchdogDir(), String(maxBytes)];
}

/** The watchdog's state.json (its last check), or nothing. */
export function readWatchdogStateCommand(): string[] {
  return ['sh', '-c', 'cat -- "$1/state.json" 2> /dev/null || true', 'sh', watchdogDir()];
}

/**
 * Keeps the VM busy in the watchdog's eyes until `untilEpochSeconds`: a launch holds it while it
 * syncs and starts the job, before the job's PID exists.
 */
export function holdWatchdogCommand(untilEpochSeconds: number): string[] {
  if (!Number.isInteger(untilEpochSeconds) || untilEpochSeconds < 0) throw new Error(`not an epoch time: ${untilEpochSeconds}`);
  return [
    'sh',
    '-c',
    'mkdir -p -- "$1" && echo "$2" > "$1/hold-until.tmp" && mv -f "$1/hold-until.tmp" "$1/hold-until"',
    'sh',
    watchdogDir(),
    String(untilEpochSeconds),
  ];
}

/** A detached loop of an earlier install, found by its PID file and command line (a reused PID is left alone). */
function stopLoopFunction(): string[] {
  return [
    'stop_loop() {',
    '  pid=$(cat loop.pid 2> /dev/null) || return 0',
    '  grep -q watchdog.py "/proc/$pid/cmdline" 2> /dev/null && kill "$pid" 2> /dev/null',
    '  rm -f loop.pid',
    '}',
  ];
}
