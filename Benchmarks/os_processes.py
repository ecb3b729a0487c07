"""The measurements of compare-os-processes; run through that script, which builds and cleans up."""
import os, signal, statistics, subprocess, sys, time

BIN = os.environ["SL_BIN"]
WORK = os.environ["SL_WORK"]
KILLS = int(os.environ.get("KILLS", "200"))
IDLE_SECONDS = float(os.environ.get("IDLE_SECONDS", "30"))
LINES = int(os.environ.get("LINES", "1000000"))
TICKS = os.sysconf("SC_CLK_TCK")


def sl(*args):
    return subprocess.run([BIN, *args], check=True, capture_output=True, text=True).stdout


def marked(marker):
    """Pids whose argv holds `marker` and whose exec is done (the argv is the program's, not a fork's)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if marker.encode() in argv and argv[0].endswith(b"sleep"):
            found.append(int(entry))
    return found


def wait_replacement(marker, old, deadline=30.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        now = [p for p in marked(marker) if p != old]
        if now:
            return now[0]
    raise SystemExit(f"no replacement for {marker} within {deadline} s")


def restart_latencies(marker, kills, settle):
    latencies = []
    pid = wait_replacement(marker, None)
    for _ in range(kills):
        time.sleep(settle)
        start = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        pid = wait_replacement(marker, pid)
        latencies.append((time.monotonic() - start) * 1000)
    return latencies


def summary(values):
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def supervisord(name, programs):
    conf = f"{WORK}/{name}.conf"
    with open(conf, "w") as f:
        f.write(f"""[unix_http_server]
file={WORK}/{name}.sock
[supervisord]
logfile={WORK}/{name}.log
pidfile={WORK}/{name}.pid
childlogdir={WORK}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://{WORK}/{name}.sock
{programs}""")
    subprocess.run(["supervisord", "-c", conf], check=True)
    for _ in range(200):
        if os.path.exists(f"{WORK}/{name}.pid"):
            break
        time.sleep(0.05)
    return conf, int(open(f"{WORK}/{name}.pid").read())


def stop_supervisord(conf):
    subprocess.run(["supervisorctl", "-c", conf, "shutdown"], capture_output=True)


def usage(pid):
    """RSS and its anonymous (private, not file-backed) part in bytes, and CPU seconds, of one process."""
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for entry in f:
            key, _, value = entry.partition(":")
            status[key] = value.split()
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    kib = lambda key: int(status[key][0]) * 1024
    return (kib("VmRSS"), kib("RssAnon")), (int(fields[11]) + int(fields[12])) / TICKS


def line(metric, ours, theirs, higher_is_better=False):
    ratio = (ours / theirs if higher_is_better else theirs / ours) if ours and theirs else float("nan")
    print(f"{metric} superlearner={ours:.3f} supervisord={theirs:.3f} ratio={ratio:.2f}", flush=True)


# --- restart latency ---------------------------------------------------------------------------------
sl("server", "start")
daemon = int(open(os.environ["SUPERLEARNER_HOME"] + "/daemon.pid").read())
marker = f"100000.{os.getpid()}1"
spec = f"{WORK}/restart.yaml"
with open(spec, "w") as f:
    f.write(f"max_restarts: 1000000\nmax_seconds: 1\nchildren:\n  - {{ id: victim, command: [sleep, \"{marker}\"] }}\n")
sl("sandbox", "create", "bench", "--spec", spec)
ours = restart_latencies(marker, KILLS, 0.02)
sl("sandbox", "destroy", "bench")

anchors = {}
for name, startsecs in [("default", 1), ("tuned", 0)]:
    their_marker = f"100000.{os.getpid()}{2 if startsecs else 3}"
    conf, _ = supervisord(
        f"restart-{name}",
        f"[program:victim]\ncommand=/bin/sleep {their_marker}\nautorestart=true\nstartsecs={startsecs}\nstartretries=1000000\n")
    # With startsecs=1 a program killed sooner counts as a failed start and backs off: let each run
    # reach RUNNING first, as a service would.
    anchors[name] = restart_latencies(their_marker, KILLS, 1.1 if startsecs else 0.02)
    stop_supervisord(conf)

ours_median, ours_p99 = summary(ours)
for name, values in anchors.items():
    median, p99 = summary(values)
    line(f"restart_latency_median_ms_vs_{name}", ours_median, median)
    line(f"restart_latency_p99_ms_vs_{name}", ours_p99, p99)

# --- 200 idle children ---------------------------------------------------------------------------------
idle_marker = f"100000.{os.getpid()}4"
spec = f"{WORK}/idle.yaml"
with open(spec, "w") as f:
    f.write("children:\n" + "".join(f"  - {{ id: p{i}, command: [sleep, \"{idle_marker}\"] }}\n" for i in range(200)))
sl("sandbox", "create", "idle", "--spec", spec)
rss_before, cpu_before = usage(daemon)
time.sleep(IDLE_SECONDS)
rss_after, cpu_after = usage(daemon)
our_rss, our_cpu = rss_after, (cpu_after - cpu_before) / IDLE_SECONDS * 100
sl("sandbox", "destroy", "idle")

their_marker = f"100000.{os.getpid()}5"
programs = "".join(
    f"[program:p{i}]\ncommand=/bin/sleep {their_marker}\nstdout_logfile={WORK}/p{i}.log\n" for i in range(200))
conf, their_daemon = supervisord("idle", programs)
end = time.monotonic() + 60
while len(marked(their_marker)) < 200 and time.monotonic() < end:
    time.sleep(0.2)
time.sleep(2)  # past startsecs, so every program is RUNNING
rss_before, cpu_before = usage(their_daemon)
time.sleep(IDLE_SECONDS)
rss_after, cpu_after = usage(their_daemon)
stop_supervisord(conf)
line("idle_200_rss_mib", our_rss[0] / 2**20, rss_after[0] / 2**20)
# RSS counts the pages of the binary itself (file-backed, shared, reclaimable); the anonymous part is what
# supervising costs in private memory.
line("idle_200_anonymous_rss_mib", our_rss[1] / 2**20, rss_after[1] / 2**20)
print(f"idle_200_cpu_percent superlearner={our_cpu:.3f} supervisord={(cpu_after - cpu_before) / IDLE_SECONDS * 100:.3f}")

# --- log throughput -------------------------------------------------------------------------------------
def wait_for_end(path, deadline=300):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with open(path, "rb") as f:
                f.seek(0, 2)
                size = f.tell()
                f.seek(max(0, size - 64))
                if f.read().rstrip().endswith(b"END"):
                    return
        except OSError:
            pass
        time.sleep(0.005)
    raise SystemExit(f"{path}: the last line never arrived")


def count(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


command = f"seq 1 {LINES}; echo END; exec sleep 100000"
spec = f"{WORK}/logs.yaml"
with open(spec, "w") as f:
    f.write(f"children:\n  - {{ id: chatty, shell: \"{command}\", logs: {{ max_bytes: 8GiB, backups: 0 }} }}\n")
start = time.monotonic()
sl("sandbox", "create", "logs", "--spec", spec)
ours_log = os.environ["SUPERLEARNER_HOME"] + "/logs/logs/chatty.log"
wait_for_end(ours_log)
ours_rate = (LINES + 1) / (time.monotonic() - start)
ours_lines = count(ours_log)
sl("sandbox", "destroy", "logs")

conf, _ = supervisord(
    "logs", f"[program:chatty]\ncommand=/bin/sh -c '{command}'\nautostart=false\nstdout_logfile={WORK}/chatty.log\n"
    "stdout_logfile_maxbytes=0\n")
start = time.monotonic()
subprocess.run(["supervisorctl", "-c", conf, "start", "chatty"], capture_output=True)
wait_for_end(f"{WORK}/chatty.log")
their_rate = (LINES + 1) / (time.monotonic() - start)
their_lines = count(f"{WORK}/chatty.log")
stop_supervisord(conf)
line("log_lines_per_second", ours_rate, their_rate, higher_is_better=True)
print(f"log_lines_kept superlearner={ours_lines} supervisord={their_lines} expected={LINES + 1}")
sl("server", "stop")
