// The runtime's side of `compare-with-beam`: one line per metric, `<metric> <value>`, the same metrics and
// the same work as beam/runtime_bench.erl.
import Arsenal
import Sandbox
import Supervision
import Synchronization
import Telemetry

#if canImport(Glibc)
    import Glibc
#endif

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Resident memory in bytes, from /proc/self/statm.
func residentBytes() -> Double {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0
    var resident = 0
    _ = withUnsafeMutablePointer(to: &size) { sizePointer in
        withUnsafeMutablePointer(to: &resident) { residentPointer in
            withVaList([sizePointer, residentPointer]) { vfscanf(file, "%ld %ld", $0) }
        }
    }
    return Double(resident) * Double(sysconf(Int32(_SC_PAGESIZE)))
}

final class ResultBox: Sendable {
    let value = Mutex<Double>(0)
}

/// Runs `body` inside a process (as the Erlang side runs inside one) and returns what it stored.
func inProcess(_ runtime: Runtime, _ body: @escaping @Sendable (ProcessContext, ResultBox) async throws -> Void) async
    -> Double
{
    let box = ResultBox()
    let pid = runtime.spawn { context in try await body(context, box) }
    _ = await runtime.awaitExit(of: pid)
    return box.value.withLock { $0 }
}

func receiveTerm(_ context: ProcessContext) async throws -> Term {
    while true {
        if case .term(let term) = try await context.receive() { return term }
    }
}

/// `value` with `digits` decimals, without Foundation.
func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = scaled / Int(scale)
    let fraction = String(abs(scaled) % Int(scale))
    return digits == 0 ? String(whole) : "\(whole).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
}

let runtime = Runtime()
let selected = Set(CommandLine.arguments.dropFirst())
func wanted(_ name: String) -> Bool { selected.isEmpty || selected.contains(name) }

// spawn+exit: 100 000 processes that report and exit.
if wanted("spawn_exit_rate") {
    let count = 100_000
    let rate = await inProcess(runtime) { context, box in
        let parent = context.pid
        let start = now()
        for _ in 0..<count {
            context.spawn { child in child.send(.null, to: parent) }
        }
        for _ in 0..<count { _ = try await context.receive() }
        box.value.withLock { $0 = Double(count) / (now() - start) }
    }
    print("spawn_exit_rate \(Int(rate))")
}

// Memory per idle process: 100 000 processes parked in receive.
if wanted("memory_per_process") {
    let count = 100_000
    let before = residentBytes()
    var pids: [PID] = []
    pids.reserveCapacity(count)
    for _ in 0..<count {
        pids.append(runtime.spawn { context in _ = try await context.receive() })
    }
    // Let every process reach its receive before measuring.
    while runtime.allInfo().contains(where: { $0.status != .waiting }) { try? await Task.sleep(for: .milliseconds(10)) }
    let after = residentBytes()
    print("memory_per_process \(Int((after - before) / Double(count)))")
    for pid in pids { runtime.kill(pid) }
}

// Ping-pong: 1 000 000 round trips between two processes.
if wanted("ping_pong_rate") {
    let rounds = 1_000_000
    let rate = await inProcess(runtime) { context, box in
        let me = context.pid
        let echo = context.spawn { echo in
            while true {
                guard case .term(.pid(let from)) = try await echo.receive() else { return }
                echo.send(.null, to: from)
            }
        }
        let start = now()
        for _ in 0..<rounds {
            context.send(.pid(me), to: echo)
            _ = try await context.receive()
        }
        box.value.withLock { $0 = Double(rounds) / (now() - start) }
        context.send(.null, to: echo)
    }
    print("ping_pong_rate \(Int(rate))")
}

// One-way stream: 1 000 000 messages, counted by the receiver.
if wanted("message_rate") {
    let count = 1_000_000
    let rate = await inProcess(runtime) { context, box in
        let me = context.pid
        let sink = context.spawn { sink in
            for _ in 0..<count { _ = try await sink.receive() }
            sink.send("done", to: me)
        }
        let start = now()
        for index in 0..<count { context.send(.int(index), to: sink) }
        _ = try await receiveTerm(context)
        box.value.withLock { $0 = Double(count) / (now() - start) }
    }
    print("message_rate \(Int(rate))")
}

/// A worker that tells `probe` it started, so the driver can time kill → replacement running.
struct Announcer: Server {
    let probe: PID
    func initialize(_ context: ServerContext) async throws -> Int {
        context.process.send(.pid(context.pid), to: probe)
        return 0
    }
}

// Restart latency: kill the worker, wait for its replacement's announcement; median of 1000.
if wanted("restart_latency_us") {
    let samples = 1000
    let median = await inProcess(runtime) { context, box in
        let spec = SupervisorSpec(
            maxRestarts: samples * 2, maxSeconds: .seconds(3600),
            children: [ChildSpec(id: "worker", server: Announcer(probe: context.pid))])
        let supervisor = try await Supervisor.start(spec, in: context.runtime)
        guard case .pid(var worker) = try await receiveTerm(context) else { return }
        var times: [Double] = []
        for _ in 0..<samples {
            let start = now()
            context.exit(worker, reason: .kill)
            guard case .pid(let next) = try await receiveTerm(context) else { return }
            times.append(now() - start)
            worker = next
        }
        times.sort()
        box.value.withLock { $0 = times[samples / 2] * 1e6 }
        try await supervisor.stop()
    }
    print("restart_latency_us \(fixed(median, 1))")
}

// Tree lifecycle: a supervisor with 3 workers started and stopped 1000 times; memory growth over them.
if wanted("tree_lifecycle_rate") || wanted("tree_memory_growth_pct") {
    let cycles = 1000
    let spec = SupervisorSpec(children: (1...3).map { ChildSpec(id: "w\($0)", server: CounterWorker()) })
    // One warm-up round so that allocator pools exist before the baseline.
    for _ in 0..<50 { try? await Supervisor.start(spec, in: runtime).stop() }
    let before = residentBytes()
    let rate = await inProcess(runtime) { context, box in
        let start = now()
        for _ in 0..<cycles {
            let supervisor = try await Supervisor.start(spec, in: context.runtime)
            try await supervisor.stop()
        }
        box.value.withLock { $0 = Double(cycles) / (now() - start) }
    }
    let after = residentBytes()
    print("tree_lifecycle_rate \(Int(rate))")
    print("tree_memory_growth_pct \(fixed(max(0, (after - before) / before * 100), 2))")
    precondition(runtime.processCount == 0, "processes left behind: \(runtime.processCount)")
}

// Sandbox lifecycle: create + destroy of DemoSupervisor, 1000 times (BEAM's anchor is its tree lifecycle),
// driven from inside a process as the BEAM side is; memory growth over those 1000 cycles after a warm-up
// that fills the telemetry history to its bound, and no process left behind.
if wanted("sandbox_lifecycle_rate") || wanted("sandbox_memory_growth_pct") {
    let cycles = 1000
    let sandboxRuntime = Runtime()
    let telemetry = Telemetry()
    telemetry.observe(sandboxRuntime)
    let sandboxes = SandboxManager(runtime: sandboxRuntime, telemetry: telemetry)
    _ = await inProcess(sandboxRuntime) { _, _ in
        for index in 0..<cycles {
            _ = try? await sandboxes.create(id: "warm\(index)", template: "DemoSupervisor")
            try? await sandboxes.destroy("warm\(index)")
        }
    }
    let before = residentBytes()
    let rate = await inProcess(sandboxRuntime) { _, box in
        let start = now()
        for index in 0..<cycles {
            _ = try? await sandboxes.create(id: "s\(index)", template: "DemoSupervisor")
            try? await sandboxes.destroy("s\(index)")
        }
        box.value.withLock { $0 = Double(cycles) / (now() - start) }
    }
    let after = residentBytes()
    print("sandbox_lifecycle_rate \(Int(rate))")
    print("sandbox_memory_growth_pct \(fixed(max(0, (after - before) / before * 100), 2))")
    precondition(sandboxRuntime.processCount == 0, "processes left behind: \(sandboxRuntime.processCount)")
}

// Where a sandbox cycle's time goes, layer by layer (only when named: BEAM has no twin): create + destroy
// rates of the DemoSupervisor tree started and stopped as a plain supervisor, the same with telemetry
// observing the runtime, as a sandbox without telemetry, and as the daemon runs it (sandbox and telemetry).
// Each is the best of three rounds of 2,000 cycles.
if selected.contains("sandbox_layers") {
    func layerRate(observed: Bool, sandbox: Bool, sandboxTelemetry: Bool) async -> Int {
        let layerRuntime = Runtime()
        let telemetry = Telemetry()
        if observed { telemetry.observe(layerRuntime) }
        let manager = SandboxManager(runtime: layerRuntime, telemetry: sandboxTelemetry ? telemetry : nil)
        let spec = try! SandboxTemplate.demo.spec.supervisorSpec()
        var best = 0.0
        for _ in 0..<3 {
            let rate = await inProcess(layerRuntime) { context, box in
                let cycles = 2000
                let start = now()
                for index in 0..<cycles {
                    if sandbox {
                        _ = try? await manager.create(id: "s\(index)", template: "DemoSupervisor")
                        try? await manager.destroy("s\(index)")
                    } else {
                        let tree = try await Supervisor.start(
                            spec, in: context.runtime, options: SpawnOptions(path: "s\(index)"))
                        try await tree.stop()
                    }
                }
                box.value.withLock { $0 = Double(cycles) / (now() - start) }
            }
            best = max(best, rate)
        }
        precondition(layerRuntime.processCount == 0, "processes left behind: \(layerRuntime.processCount)")
        return Int(best)
    }
    print("sandbox_layers_tree_rate \(await layerRate(observed: false, sandbox: false, sandboxTelemetry: false))")
    print(
        "sandbox_layers_observed_tree_rate \(await layerRate(observed: true, sandbox: false, sandboxTelemetry: false))")
    print(
        "sandbox_layers_bare_sandbox_rate \(await layerRate(observed: false, sandbox: true, sandboxTelemetry: false))")
    print("sandbox_layers_sandbox_rate \(await layerRate(observed: true, sandbox: true, sandboxTelemetry: true))")
}

// Arsenal: one execution of get_process_info (validate + execute + telemetry) on a server, in
// microseconds: from inside a process, as BEAM's anchor (process_info plus sys:get_state) runs inside one,
// and from a task outside any process, as the daemon's HTTP handlers call it (each call then crosses
// threads twice; no BEAM twin); and the Arsenal layer's own share, measured on a plain process (no state
// call): the execution minus the runtime.info it wraps.
/// Off the main actor, as the daemon's request handlers are: top-level code in main.swift runs on the main
/// actor, and every await from there would hop threads.
func arsenalBenchmark() async {
    let arsenalRuntime = Runtime()
    let telemetry = Telemetry(historyCapacity: 1000)
    let context = OperationContext(runtime: arsenalRuntime, telemetry: telemetry)
    let registry = OperationRegistry.builtin()
    let iterations = 20_000
    // From inside a process, as BEAM's anchor runs inside one: the like-for-like figure. BEAM's anchor also
    // starts its gen_server from the measuring process, which puts the server on that process's scheduler;
    // creating the sandbox from the measuring process does the same here (created from outside, its
    // processes took the other scheduler, and every call crossed threads).
    let perCall = await inProcess(arsenalRuntime) { _, box in
        _ = try? await context.sandboxes.create(id: "bench", template: "DemoSupervisor")
        let target = arsenalRuntime.resolve("bench/printer_1")!
        let parameters: [String: Term] = ["pid": .string(target.description)]
        for _ in 0..<1000 { _ = try? await registry.execute("get_process_info", parameters, context: context) }
        let start = now()
        for _ in 0..<iterations { _ = try? await registry.execute("get_process_info", parameters, context: context) }
        box.value.withLock { $0 = (now() - start) / Double(iterations) * 1e6 }
    }
    // From a task outside any process, as the daemon's request handlers call: each call crosses threads.
    let target = arsenalRuntime.resolve("bench/printer_1")!
    let parameters: [String: Term] = ["pid": .string(target.description)]
    for _ in 0..<1000 { _ = try? await registry.execute("get_process_info", parameters, context: context) }
    var start = now()
    for _ in 0..<iterations { _ = try? await registry.execute("get_process_info", parameters, context: context) }
    let fromTask = (now() - start) / Double(iterations) * 1e6
    let plain = arsenalRuntime.spawn { context in _ = try await context.receive() }
    let plainParameters: [String: Term] = ["pid": .string(plain.description)]
    // The layer alone (lookup, validation, telemetry: what the issue's 1 µs goal names), without building the
    // operation's report: the registry's execution minus a direct call of the operation's body on
    // parameters validated once. Differences of a few hundred nanoseconds drown in one round's noise, so the
    // three loops run interleaved, five rounds, and each keeps its best round.
    let operation = registry.operation(named: "get_process_info")!
    let validated = try! operation.validate(plainParameters)
    var wrapped = Double.infinity
    var body = Double.infinity
    var direct = Double.infinity
    for _ in 0..<5 {
        start = now()
        for _ in 0..<iterations {
            _ = try? await registry.execute("get_process_info", plainParameters, context: context)
        }
        wrapped = min(wrapped, (now() - start) / Double(iterations) * 1e6)
        start = now()
        for _ in 0..<iterations { _ = try? await operation.execute(validated, context: context) }
        body = min(body, (now() - start) / Double(iterations) * 1e6)
        start = now()
        for _ in 0..<iterations { _ = arsenalRuntime.info(plain) }
        direct = min(direct, (now() - start) / Double(iterations) * 1e6)
    }
    print("arsenal_get_process_info_us \(fixed(perCall, 2))")
    print("arsenal_get_process_info_from_task_us \(fixed(fromTask, 2))")
    print("arsenal_overhead_us \(fixed(max(0, wrapped - direct), 2))")
    print("arsenal_layer_us \(fixed(max(0, wrapped - body), 2))")
    print("arsenal_report_us \(fixed(max(0, body - direct), 2))")
    arsenalRuntime.kill(plain)
    await context.sandboxes.destroyAll()
}

if wanted("arsenal_get_process_info_us") || wanted("arsenal_overhead_us") {
    await arsenalBenchmark()
}
