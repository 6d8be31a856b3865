import { jobFiles } from '../jobs/remoteLayout';

/**
 * The watchdog that runs on the VM (`~/.azure-pytorch/watchdog/watchdog.py`): Python 3's standard
 * library only, as Azure's Linux images and the sandbox hosts have it. Each check reads config.json
 * (written by the extension, see watchdogConfig.ts), decides whether the VM is idle and, by the
 * policy, deallocates it through Resource Manager with the VM's managed identity (a token from the
 * instance metadata service). A shutdown from inside the OS would leave the VM stopped and still
 * billed, so the watchdog never does that. Every change of decision is one line of decisions.log
 * (`<ISO time> <kind> <message>`, read by watchdogLog.ts); state.json has the last check.
 *
 * With `spotEviction` set it also reads Scheduled Events: on a Preempt notice for this VM it writes
 * the `evicted` marker into each running job's folder and a line into its node's log, then sends the
 * job's processes the configured signal, so a script can save a checkpoint in the 30 s Azure gives.
 *
 * `--once` runs one check (systemd timer or cron, every minute; with `spotEviction` it then keeps
 * reading Scheduled Events every 5 s for most of the minute), `--loop` checks every
 * `checkIntervalSeconds` where neither is available, `--check-config FILE` validates a config.
 * It has no default endpoints: without a config it does nothing.
 */
export const watchdogScript = String.raw`#!/usr/bin/env python3
# Azure PyTorch cost guard: deallocates this VM when it is idle, as configured from VS Code.
# Installed and replaced by the Azure PyTorch extension; its decisions are in decisions.log beside it.
import fcntl
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
JOBS = os.path.join(os.path.dirname(HERE), "jobs")
CONFIG = os.path.join(HERE, "config.json")
STATE = os.path.join(HERE, "state.json")
LOG = os.path.join(HERE, "decisions.log")
HOLD = os.path.join(HERE, "hold-until")
LOCK = os.path.join(HERE, "check.lock")
LOOP_LOCK = os.path.join(HERE, "loop.lock")
LOG_LIMIT_BYTES = 1000000
RETRY_AFTER_FAILURE_SECONDS = 900
RETRY_AFTER_REQUEST_SECONDS = 600
PTS_MAJORS = range(136, 144)
EVICTED_MARKER = "${jobFiles.evicted}"
EVENTS_POLL_SECONDS = 5
EVENTS_WATCH_SECONDS = 50


class ConfigError(Exception):
    pass


def now_iso(epoch=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch if epoch is not None else time.time()))


def log(kind, message):
    try:
        if os.path.getsize(LOG) > LOG_LIMIT_BYTES:
            os.replace(LOG, LOG + ".1")
    except OSError:
        pass
    with open(LOG, "a") as file:
        file.write("%s %s %s\n" % (now_iso(), kind, " ".join(message.split())))


def read_json(path, default):
    try:
        with open(path) as file:
            return json.load(file)
    except (OSError, ValueError):
        return default


def write_json(path, value):
    temporary = path + ".tmp"
    with open(temporary, "w") as file:
        json.dump(value, file)
    os.replace(temporary, path)


def read_text(path):
    try:
        with open(path) as file:
            return file.read().strip()
    except OSError:
        return None


def require(condition, message):
    if not condition:
        raise ConfigError(message)


def load_config(path):
    try:
        with open(path) as file:
            config = json.load(file)
    except OSError as error:
        raise ConfigError("no configuration (%s)" % error.strerror)
    except ValueError as error:
        raise ConfigError("the configuration is not JSON: %s" % error)
    require(config.get("version") == 1, "unknown configuration version %r" % config.get("version"))
    vm = config.get("vm") or {}
    require(re.match(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/virtualMachines/[^/]+$",
                     vm.get("resourceId") or "", re.I), "vm.resourceId is not a virtual machine's resource id")
    endpoints = config.get("endpoints") or {}
    for name in ("instanceMetadata", "resourceManager", "resourceManagerAudience"):
        require(re.match(r"^https?://", endpoints.get(name) or ""), "endpoints.%s is not an http(s) URL" % name)
    policy = config.get("policy") or {}
    idle = policy.get("idleSeconds")
    require(idle is None or (isinstance(idle, (int, float)) and idle > 0), "policy.idleSeconds must be positive")
    require(idle is not None or policy.get("afterJob"), "the policy deallocates neither after idleness nor after a job")
    spot = config.get("spotEviction")
    require(spot is None or hasattr(signal, "SIG%s" % spot.get("signal")), "spotEviction.signal is not a signal name")
    return config


def boot_id():
    return read_text("/proc/sys/kernel/random/boot_id") or ""


def job_nodes(job_dir):
    """{rank: alive} for the nodes of one job folder that recorded a PID."""
    nodes = {}
    try:
        names = os.listdir(job_dir)
    except OSError:
        return nodes
    for name in names:
        match = re.match(r"^node-(\d+)\.pid$", name)
        if not match:
            continue
        rank = match.group(1)
        if os.path.exists(os.path.join(job_dir, "node-%s.exit-code" % rank)):
            nodes[rank] = False
            continue
        pid = read_text(os.path.join(job_dir, name))
        nodes[rank] = bool(pid and pid.isdigit() and run_script_alive(int(pid)))
    return nodes


def run_script_alive(pid):
    # The command line tells a job's run.sh from a process that reused its PID after a restart.
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as file:
            return b"run.sh" in file.read()
    except OSError:
        return False


def running_jobs():
    try:
        names = sorted(os.listdir(JOBS))
    except OSError:
        return []
    return [name for name in names if any(job_nodes(os.path.join(JOBS, name)).values())]


def interactive_sessions():
    """Terminals (pseudo-terminals, as an SSH login has) that some process of this VM holds."""
    terminals = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/stat" % entry) as file:
                fields = file.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        tty = int(fields[4])
        if ((tty >> 8) & 0xFFF) in PTS_MAJORS:
            terminals.add(tty)
    return len(terminals)


def gpu_utilization():
    """(highest utilization in percent, or None, and why not)."""
    try:
        result = subprocess.run(["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, "nvidia-smi did not run (%s)" % error
    values = [int(line.strip()) for line in result.stdout.splitlines() if line.strip().isdigit()]
    if result.returncode != 0 or not values:
        return None, "nvidia-smi gave no utilization (%s)" % " ".join(result.stdout.split())[:200]
    return max(values), None


def observe(policy, now):
    """(busy reasons, idle reasons): the VM is idle when there is no busy reason."""
    busy, idle = [], []
    criteria = policy.get("idleWhen") or {}
    hold = read_text(HOLD)
    if hold and hold.isdigit() and int(hold) > now:
        busy.append("held by the extension until %s" % now_iso(int(hold)))
    if criteria.get("noJobs", True):
        jobs = running_jobs()
        if jobs:
            busy.append("job %s running" % ", ".join(jobs))
        else:
            idle.append("no job running")
    if criteria.get("noInteractiveSessions", True):
        sessions = interactive_sessions()
        if sessions:
            busy.append("%d interactive SSH session%s open" % (sessions, "" if sessions == 1 else "s"))
        else:
            idle.append("no interactive SSH session")
    threshold = criteria.get("gpuUtilizationBelow")
    if threshold is not None:
        utilization, problem = gpu_utilization()
        if utilization is None:
            idle.append("GPU utilization unknown: %s" % problem)
        elif utilization >= threshold:
            busy.append("GPU utilization %d%% (not below %d%%)" % (utilization, threshold))
        else:
            idle.append("GPU utilization %d%% (below %d%%)" % (utilization, threshold))
    return busy, idle


def job_state(job_id):
    """'missing', 'starting', 'running' or 'ended' for the job of "deallocate when this job ends"."""
    job_dir = os.path.join(JOBS, job_id)
    if not os.path.isdir(job_dir):
        return "missing"
    nodes = job_nodes(job_dir)
    if not nodes:
        return "starting"
    return "running" if any(nodes.values()) else "ended"


def decide(config, state, now):
    """(kind, message, deallocate?, because the job ended?) for this check; updates state's idleSince."""
    policy = config["policy"]
    busy, idle = observe(policy, now)
    after_job = policy.get("afterJob")
    job = job_state(after_job) if after_job and state.get("jobHandled") != after_job else None
    if busy:
        state["idleSince"] = None
        waiting = "; waiting for job %s to end" % after_job if job in ("starting", "running") else ""
        return "busy", ", ".join(busy) + waiting, False, False
    if state.get("idleSince") is None:
        state["idleSince"] = now
    idle_for = now - state["idleSince"]
    what = ", ".join(idle)
    if job == "ended":
        return "deallocate", "job %s ended and %s" % (after_job, what), True, True
    idle_seconds = policy.get("idleSeconds")
    if idle_seconds is None:
        return "idle", "%s; deallocating only when job %s ends (it is %s)" % (what, after_job, job or "handled"), False, False
    if idle_for >= idle_seconds:
        return "deallocate", "idle since %s (%s)" % (now_iso(state["idleSince"]), what), True, False
    deadline = now_iso(state["idleSince"] + idle_seconds)
    return "idle", "idle since %s (%s); deallocating at %s unless busy again" % (now_iso(state["idleSince"]), what, deadline), False, False


def http_json(request, context=None, timeout=30):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read().decode("utf-8", "replace")
            return response.status, body
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def error_text(body):
    try:
        parsed = json.loads(body)
    except ValueError:
        return " ".join(body.split())[:300]
    error = parsed.get("error")
    if isinstance(error, dict):
        return "%s: %s" % (error.get("code"), error.get("message"))
    return "%s: %s" % (error, parsed.get("error_description"))


def managed_identity_token(endpoints):
    query = urllib.parse.urlencode({"api-version": "2018-02-01", "resource": endpoints["resourceManagerAudience"]})
    url = endpoints["instanceMetadata"].rstrip("/") + "/metadata/identity/oauth2/token?" + query
    status, body = http_json(urllib.request.Request(url, headers={"Metadata": "true"}), timeout=20)
    if status != 200:
        hint = " This VM has no managed identity: enable auto-deallocate for it again from VS Code." if status == 400 else ""
        raise RuntimeError("the instance metadata service refused a managed identity token (%d %s).%s" % (status, error_text(body), hint))
    return json.loads(body)["access_token"]


def deallocate(config):
    """Asks Resource Manager to deallocate this VM; raises RuntimeError with what went wrong."""
    endpoints = config["endpoints"]
    token = managed_identity_token(endpoints)
    url = "%s%s/deallocate?api-version=%s" % (endpoints["resourceManager"].rstrip("/"), config["vm"]["resourceId"],
                                              config.get("computeApiVersion") or "2024-07-01")
    request = urllib.request.Request(url, data=b"", method="POST", headers={"Authorization": "Bearer " + token})
    context = ssl.create_default_context(cadata=config.get("resourceManagerCaPem")) if config.get("resourceManagerCaPem") else None
    status, body = http_json(request, context)
    if status in (200, 202):
        return status
    hint = ""
    if status == 403:
        hint = (" The VM's managed identity needs a role on this VM that allows Microsoft.Compute/virtualMachines/deallocate/action"
                " (e.g. Virtual Machine Contributor): enable auto-deallocate for it again from VS Code, or ask an owner of the VM.")
    raise RuntimeError("Resource Manager refused to deallocate (%d %s).%s" % (status, error_text(body), hint))


def check():
    now = int(time.time())
    state = read_json(STATE, {})
    try:
        config = load_config(CONFIG)
    except ConfigError as error:
        if state.get("configProblem") != str(error):
            log("error", "not checking: %s" % error)
        state["configProblem"] = str(error)
        write_json(STATE, state)
        return
    state.pop("configProblem", None)
    if state.get("bootId") != boot_id():
        state.update({"bootId": boot_id(), "idleSince": None, "requestedAt": None, "failedAt": None, "last": None})
        log("start", "watchdog running since boot")
    if state.get("policy") != config["policy"]:
        state["policy"] = config["policy"]
        log("policy", json.dumps(config["policy"], sort_keys=True))
    watch_evictions(config, state)
    kind, message, act, job_ended = decide(config, state, now)
    if act:
        recent_request = state.get("requestedAt") and now - state["requestedAt"] < RETRY_AFTER_REQUEST_SECONDS
        recent_failure = state.get("failedAt") and now - state["failedAt"] < RETRY_AFTER_FAILURE_SECONDS
        if recent_request or recent_failure:
            kind, act = "waiting", False
            message = "%s; deallocation %s at %s, not asking again before %s" % (
                message, "requested" if recent_request else "failed", now_iso(state.get("requestedAt") or state["failedAt"]),
                now_iso((state.get("requestedAt") or state["failedAt"]) + (RETRY_AFTER_REQUEST_SECONDS if recent_request else RETRY_AFTER_FAILURE_SECONDS)))
    # A decision is logged when it changes; a GPU's percentage going up and down is not a change.
    key = [kind, re.sub(r"\d+%", "#%", message.split(";")[0])]
    if key != state.get("last"):
        log(kind, message)
    state["last"] = key
    state["lastCheck"] = {"at": now, "kind": kind, "message": message}
    state["checks"] = state.get("checks", 0) + 1
    write_json(STATE, state)
    if act:
        try:
            status = deallocate(config)
        except Exception as error:  # every failure is logged, never raised past the check
            state["failedAt"] = now
            write_json(STATE, state)
            log("failed", "could not deallocate: %s" % error)
            return
        state["requestedAt"] = now
        if job_ended:
            state["jobHandled"] = config["policy"]["afterJob"]
        write_json(STATE, state)
        log("requested", "Resource Manager accepted the deallocation (%d)" % status)


def session_members(session_id):
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as file:
                fields = file.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[3]) == session_id:
            members.append(int(entry))
    return members


def scheduled_events(config):
    url = config["endpoints"]["instanceMetadata"].rstrip("/") + "/metadata/scheduledevents?api-version=2020-07-01"
    status, body = http_json(urllib.request.Request(url, headers={"Metadata": "true"}), timeout=10)
    if status != 200:
        raise RuntimeError("the instance metadata service answered %d %s" % (status, error_text(body)))
    return json.loads(body).get("Events") or []


def evict_jobs(event, signal_name):
    """Marks, tells and signals every running job's live nodes; returns the jobs."""
    evicted = []
    for job in running_jobs():
        job_dir = os.path.join(JOBS, job)
        write_json(os.path.join(job_dir, EVICTED_MARKER), {"eventId": event.get("EventId"), "notBefore": event.get("NotBefore"), "at": now_iso()})
        for rank, alive in sorted(job_nodes(job_dir).items()):
            if not alive:
                continue
            with open(os.path.join(job_dir, "node-%s.log" % rank), "a") as node_log:
                node_log.write("[azure-pytorch] Spot eviction: Azure takes this VM back (not before %s). Sending SIG%s so the script "
                               "can save a checkpoint; resume the job once the VM runs again.\n" % (event.get("NotBefore"), signal_name))
            pid = read_text(os.path.join(job_dir, "node-%s.pid" % rank))
            for member in session_members(int(pid)) if pid and pid.isdigit() else []:
                try:
                    os.kill(member, getattr(signal, "SIG" + signal_name))
                except OSError:
                    pass
        evicted.append(job)
    return evicted


def watch_evictions(config, state):
    """Acts once on each Preempt notice for this VM in Scheduled Events."""
    spot = config.get("spotEviction")
    if not spot:
        return
    try:
        events = scheduled_events(config)
    except Exception as error:  # logged once, tried again at the next check
        if state.get("eventsProblem") != str(error):
            log("error", "could not read Scheduled Events: %s" % error)
        state["eventsProblem"] = str(error)
        return
    state.pop("eventsProblem", None)
    handled = state.setdefault("preemptsHandled", [])
    name = config["vm"]["resourceId"].rstrip("/").split("/")[-1].lower()
    for event in events:
        resources = [str(each).lower() for each in event.get("Resources") or []]
        if event.get("EventType") != "Preempt" or event.get("EventId") in handled or name not in resources:
            continue
        handled.append(event.get("EventId"))
        del handled[:-20]
        jobs = evict_jobs(event, spot.get("signal") or "TERM")
        done = "sent SIG%s to job %s" % (spot.get("signal") or "TERM", ", ".join(jobs)) if jobs else "no job running"
        log("preempt", "spot eviction notice %s, not before %s: %s" % (event.get("EventId"), event.get("NotBefore"), done))


def events_only():
    state = read_json(STATE, {})
    try:
        config = load_config(CONFIG)
    except ConfigError:
        return
    watch_evictions(config, state)
    write_json(STATE, state)


def once():
    started = time.time()
    check()
    if read_json(CONFIG, {}).get("spotEviction"):
        while time.time() - started < EVENTS_WATCH_SECONDS:
            time.sleep(EVENTS_POLL_SECONDS)
            events_only()


def locked(path, action):
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        action()
        return True


def loop():
    started = os.path.getmtime(os.path.abspath(__file__))
    while True:
        locked(LOCK, check)
        config = read_json(CONFIG, {})
        interval = config.get("checkIntervalSeconds") or 60
        time.sleep(max(1, interval))
        if os.path.getmtime(os.path.abspath(__file__)) != started:
            os.execv(sys.executable, [sys.executable, os.path.abspath(__file__), "--loop"])


def main(argv):
    os.umask(0o077)
    if argv[:1] == ["--check-config"] and len(argv) == 2:
        try:
            load_config(argv[1])
        except ConfigError as error:
            print("The cost guard's configuration is invalid: %s" % error, file=sys.stderr)
            return 1
        return 0
    if argv == ["--once"]:
        locked(LOCK, once)
        return 0
    if argv == ["--loop"]:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if not locked(LOOP_LOCK, loop):
            print("another watchdog loop is running", file=sys.stderr)
        return 0
    print("usage: watchdog.py --once | --loop | --check-config FILE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
`;
