# The loop of Benchmarks/soak: cycles of create + kill-child experiment + destroy over one keep-alive
# connection on the daemon's Unix socket, sampling the daemon's RSS, descriptors and metric series.
import http.client, json, os, socket, sys, time

socket_path, pid, cycles, every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

from unix_http import UnixConnection

connection = UnixConnection(socket_path)

def request(method, path, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    data = response.read()
    if response.status >= 300:
        sys.exit(f"{method} {path}: {response.status} {data[:200]!r}")
    return data

def status_number(field="VmRSS"):
    """A number from /proc/PID/status: VmRSS, RssAnon (the heap and stacks: what can leak), RssFile (the
    binary's pages touched so far) in KiB, or Threads."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))

def scrape():
    """The number of metric series, and the daemon's heap in use (superlearner_heap_bytes) in KiB."""
    text = request("GET", "/metrics").decode()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    heap = next((float(line.split()[-1]) for line in lines if line.startswith("superlearner_heap_bytes")), 0)
    return len(lines), int(heap / 1024)

samples = []
start = time.monotonic()
print(f"{'cycles':>8} {'rss_kib':>9} {'anon_kib':>9} {'file_kib':>9} {'heap_kib':>9} {'fds':>5} {'threads':>7} {'series':>7} {'cycles_per_s':>12}", flush=True)
block_start = time.monotonic()
for cycle in range(1, cycles + 1):
    sandbox = f"soak{cycle}"
    request("POST", "/api/v1/sandboxes", {"sandbox_id": sandbox, "supervisor_module": "DemoSupervisor"})
    request("POST", f"/api/v1/sandboxes/{sandbox}/experiments", {"experiment": "kill-child", "seed": cycle})
    request("DELETE", f"/api/v1/sandboxes/{sandbox}")
    if cycle % every == 0:
        now = time.monotonic()
        series, heap = scrape()
        sample = (cycle, status_number(), len(os.listdir(f"/proc/{pid}/fd")), series, status_number("RssAnon"), status_number("RssFile"), heap,
                  status_number("Threads"))
        samples.append(sample)
        print(f"{sample[0]:>8} {sample[1]:>9} {sample[4]:>9} {sample[5]:>9} {sample[6]:>9} {sample[2]:>5} {sample[7]:>7} {sample[3]:>7} {every / (now - block_start):>12.0f}", flush=True)
        block_start = now

if len(samples) >= 2:
    first, last = samples[0], samples[-1]
    blocks = (last[0] - first[0]) / 10000
    growth = (last[1] - first[1]) / blocks if blocks else 0
    print(f"rss_growth_kib_per_10000_cycles {growth:.0f}")
    print(f"rss_growth_pct_after_warmup {(last[1] - first[1]) / first[1] * 100:.2f}")
    print(f"anon_growth_pct_after_warmup {(last[4] - first[4]) / first[4] * 100:.2f}")
    print(f"file_growth_pct_after_warmup {(last[5] - first[5]) / first[5] * 100:.2f}")
    if first[6]:
        print(f"heap_growth_pct_after_warmup {(last[6] - first[6]) / first[6] * 100:.2f}")
    print(f"series_growth {last[3] - first[3]}")
    print(f"fd_growth {last[2] - first[2]}")
    print(f"thread_growth {last[7] - first[7]}")
print(f"seconds {time.monotonic() - start:.1f}")
