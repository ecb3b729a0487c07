// Alternate: runs an anchor command and a measured command one after the other, N pairs, and prints each
// one's median wall time and their ratio. Hyperfine runs each command's runs as one block, so a quiet or busy
// stretch of a shared machine lands on one command only; alternating gives both the same stretches.
//
//   Alternate 300 /tmp/hello -- superlearner sandbox list
import BenchmarkSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func milliseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) * 1e3 + Double(time.tv_nsec) / 1e6
}

/// Runs `argv` with its standard output on /dev/null; its wall time in milliseconds, or exits naming it.
func run(_ argv: [String]) -> Double {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    var pointers = argv.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    let started = milliseconds()
    var pid = pid_t()
    guard posix_spawn(&pid, argv[0], &actions, nil, &pointers, environ) == 0 else {
        fail("cannot start \(argv[0])")
    }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let elapsed = milliseconds() - started
    guard status == 0 else {
        fail("'\(argv.joined(separator: " "))' failed (status \(status))")
    }
    return elapsed
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 4, let pairs = Int(arguments[0]), pairs > 0,
    let separator = arguments.firstIndex(of: "--"), separator > 1, separator < arguments.count - 1
else {
    fail("usage: Alternate PAIRS ANCHOR [ARGS…] -- COMMAND [ARGS…]", code: 2)
}
let anchor = Array(arguments[1..<separator])
let command = Array(arguments[(separator + 1)...])
for _ in 0..<10 {
    _ = run(anchor)
    _ = run(command)
}
var anchorTimes: [Double] = []
var commandTimes: [Double] = []
for _ in 0..<pairs {
    anchorTimes.append(run(anchor))
    commandTimes.append(run(command))
}
let anchorMedian = anchorTimes.sorted()[pairs / 2]
let commandMedian = commandTimes.sorted()[pairs / 2]
print(
    "median_ms=\(String(format: commandMedian)) anchor_median_ms=\(String(format: anchorMedian)) "
        + "ratio=\(String(format: commandMedian / anchorMedian))")

extension String {
    /// Two decimals.
    init(format value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        self = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
