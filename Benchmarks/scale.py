# The measurements of Benchmarks/scale. argv: the binary, then the sandbox counts to measure at.
import http.client, json, os, signal, socket, statistics, subprocess, sys, threading, time

binary = sys.argv[1]
counts = sorted(int(word) for argument in sys.argv[2:] for word in argument.split())
home = os.environ["SUPERLEARNER_HOME"]
socket_path = os.path.join(home, "superlearner.sock")

from unix_http import UnixConnection

def run(*arguments):
    return subprocess.run([binary, *arguments], capture_output=True, text=True, check=True).stdout

def daemon_pid():
    return json.loads(run("server", "status", "--json"))["pid"]

def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024

def create(first, last, threads=8):
    def worker(index):
        connection = UnixConnection(socket_path)
        for number in range(first + index, last, threads):
            body = json.dumps({"sandbox_id": f"s{number:05d}", "supervisor_module": "DemoSupervisor"})
            connection.request("POST", "/api/v1/sandboxes", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status != 201:
                sys.exit(f"create s{number}: {response.status}")
    workers = [threading.Thread(target=worker, args=(index,)) for index in range(threads)]
    for thread in workers: thread.start()
    for thread in workers: thread.join()

def median_ms(*arguments, runs=11):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run(*arguments)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)

def timed(*arguments):
    started = time.perf_counter()
    run(*arguments)
    return time.perf_counter() - started

run("server", "start")
print(f"{'sandboxes':>9} {'processes':>9} {'rss_mib':>8} {'list50_ms':>9} {'plist50_ms':>10} {'restore_s':>9} {'stop_s':>7} {'create_s':>8}", flush=True)
have = 0
for count in counts:
    started = time.perf_counter()
    create(have, count)
    created = time.perf_counter() - started
    have = count
    pid = daemon_pid()
    processes = json.loads(run("server", "status", "--json")).get("processes", 0)
    rss = rss_mib(pid)
    list_ms = median_ms("sandbox", "list", "--limit", "50")
    plist_ms = median_ms("process", "list", "--limit", "50")
    os.kill(pid, signal.SIGKILL)
    while os.path.exists(f"/proc/{pid}"):
        time.sleep(0.01)
    restore = timed("server", "start")
    listed = len(json.loads(run("sandbox", "list", "--json")))
    if listed != count:
        sys.exit(f"after kill -9: {listed} sandboxes, expected {count}")
    stop = timed("server", "stop")
    run("server", "start")
    print(f"{count:>9} {processes:>9} {rss:>8.1f} {list_ms:>9.1f} {plist_ms:>10.1f} {restore:>9.2f} {stop:>7.2f} {created:>8.1f}", flush=True)
