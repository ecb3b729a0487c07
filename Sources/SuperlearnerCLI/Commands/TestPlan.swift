import Arsenal
import Sandbox
import Schema
import SuperlearnerAPI
import SuperlearnerClient
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// A failure test written as a file (`superlearner test run PLAN.yaml`): cases, each with its own sandbox,
/// steps and expectations. Read like a spec file: YAML or JSON, every wrong field named with its path.
///
/// ```yaml
/// name: checkout
/// cases:
///   - name: a killed counter comes back
///     sandbox: { template: DemoSupervisor }          # or { spec: {...} } or { spec_file: tree.yaml }
///     steps:
///       - kill: counter_1
///       - wait: { target: counter_1, for: restarted, timeout: 5s }   # $sandbox: the root supervisor
///       - experiment: { name: kill-random, parameters: { n: 2 }, seed: 42 }
///       - operation: { name: get_supervisor, parameters: { name: "$sandbox" } }
///       - sleep: 200ms
///     expect:
///       - verdict: pass
///       - status: running
///       - health: healthy
///       - restarts: { path: counter_1, at_least: 1 }
///       - why: { path: counter_1, action: restart }
/// ```
struct TestPlan {
    enum Sandbox {
        case template(String)
        case spec(Term)
    }

    enum Step {
        case kill(String, reason: String?)
        case wait(target: String, condition: String, timeout: Duration)
        case experiment(name: String, parameters: [String: Term], seed: Int?)
        case operation(name: String, parameters: [String: Term], expectError: String?)
        case sleep(Duration)

        var label: String {
            switch self {
            case .kill(let path, _): "kill \(path)"
            case .wait(let target, let condition, _): "wait for \(target) \(condition)"
            case .experiment(let name, _, _): "experiment \(name)"
            case .operation(let name, _, _): "operation \(name)"
            case .sleep(let duration): "sleep \(duration)"
            }
        }
    }

    enum Expectation {
        case verdict(String)
        case status(String)
        case health(String)
        case restarts(path: String, atLeast: Int?, exactly: Int?)
        case why(path: String, action: String)
    }

    struct Case {
        var name: String
        var sandbox: Sandbox
        var steps: [Step]
        var expectations: [Expectation]
    }

    var name: String
    var cases: [Case]

    /// Reads and checks a plan; every problem is named with its path.
    static func parse(_ text: String, fileName: String, base: String) throws -> TestPlan {
        let document: Term
        do throws(SpecError) {
            document = try SandboxSpec.document(text, format: SandboxSpec.Format(fileName: fileName))
        } catch {
            throw CLIError(exit: .usage, code: "invalid_plan", message: "\(fileName): \(error.summary())")
        }
        var problems: [String] = []
        func problem(_ path: String, _ message: String) { problems.append("\(path): \(message)") }
        func known(_ term: Term, _ path: String, _ keys: Set<String>) {
            for key in term.objectValue?.keys.sorted() ?? [] where !keys.contains(key) {
                problem(
                    path.isEmpty ? key : "\(path).\(key)",
                    "unknown key (expected one of \(keys.sorted().joined(separator: ", ")))")
            }
        }
        func duration(_ term: Term?, _ path: String, default value: Duration) -> Duration {
            guard let term else { return value }
            if let milliseconds = term.intValue { return .milliseconds(milliseconds) }
            if let text = term.stringValue, let parsed = Duration.parse(text) { return parsed }
            problem(path, "expected a duration such as 500ms or 5s, got \(term.json)")
            return value
        }
        guard document.objectValue != nil else {
            throw CLIError(exit: .usage, code: "invalid_plan", message: "\(fileName): a plan is a mapping with cases")
        }
        known(document, "", ["name", "cases"])
        var cases: [Case] = []
        let caseTerms = document["cases"]?.arrayValue ?? []
        if caseTerms.isEmpty { problem("cases", "give at least one case") }
        for (index, term) in caseTerms.enumerated() {
            let path = "cases[\(index)]"
            guard term.objectValue != nil else {
                problem(path, "expected a mapping with name, sandbox, steps and expect")
                continue
            }
            known(term, path, ["name", "sandbox", "steps", "expect"])
            let name = term["name"]?.stringValue ?? "case \(index + 1)"
            var sandbox = Sandbox.template("DemoSupervisor")
            switch term["sandbox"] {
            case .some(let given):
                known(given, "\(path).sandbox", ["template", "spec", "spec_file"])
                if let template = given["template"]?.stringValue {
                    if SandboxTemplate.named(template) == nil {
                        problem(
                            "\(path).sandbox.template",
                            "no template \"\(template)\" (see 'superlearner sandbox templates')")
                    }
                    sandbox = .template(template)
                } else if let spec = given["spec"] {
                    do throws(SpecError) {
                        sandbox = .spec(try SandboxSpec(term: spec, base: base).term)
                    } catch {
                        for issue in error.issues {
                            problem("\(path).sandbox.spec\(issue.path.isEmpty ? "" : "." + issue.path)", issue.message)
                        }
                    }
                } else if let file = given["spec_file"]?.stringValue {
                    let full = file.hasPrefix("/") ? file : base + "/" + file
                    guard let text = TextFile.read(full) else {
                        problem("\(path).sandbox.spec_file", "cannot read \(full)")
                        break
                    }
                    do throws(SpecError) {
                        sandbox = .spec(
                            try SandboxSpec.parse(
                                text, format: SandboxSpec.Format(fileName: full), base: ProcessPaths.folder(of: full)
                            ).term)
                    } catch {
                        problem("\(path).sandbox.spec_file", "\(full): \(error.summary())")
                    }
                } else {
                    problem("\(path).sandbox", "give template, spec or spec_file")
                }
            case nil: problem("\(path).sandbox", "required: template, spec or spec_file")
            }
            var steps: [Step] = []
            for (position, step) in (term["steps"]?.arrayValue ?? []).enumerated() {
                let at = "\(path).steps[\(position)]"
                guard let members = step.objectValue, members.count == 1, let (kind, value) = members.first else {
                    problem(at, "expected one of kill, wait, experiment, operation, sleep")
                    continue
                }
                switch kind {
                case "kill":
                    if let target = value.stringValue {
                        steps.append(.kill(target, reason: nil))
                    } else if let target = value["target"]?.stringValue {
                        known(value, "\(at).kill", ["target", "reason"])
                        steps.append(.kill(target, reason: value["reason"]?.stringValue))
                    } else {
                        problem("\(at).kill", "expected a child path, or target and reason")
                    }
                case "wait":
                    known(value, "\(at).wait", ["target", "for", "timeout"])
                    let condition = value["for"]?.stringValue ?? ""
                    if !["running", "restarted", "terminated", "escalated"].contains(condition) {
                        problem(
                            "\(at).wait.for",
                            "expected running, restarted, terminated or escalated, got \(value["for"]?.json ?? "nothing")"
                        )
                    }
                    steps.append(
                        .wait(
                            target: value["target"]?.stringValue ?? "", condition: condition,
                            timeout: duration(value["timeout"], "\(at).wait.timeout", default: .seconds(5))))
                case "experiment":
                    known(value, "\(at).experiment", ["name", "parameters", "seed"])
                    let name = value["name"]?.stringValue ?? ""
                    if ExperimentRegistry.named(name) == nil {
                        problem(
                            "\(at).experiment.name",
                            "expected one of \(ExperimentRegistry.names.joined(separator: ", ")), got \(value["name"]?.json ?? "nothing")"
                        )
                    }
                    steps.append(
                        .experiment(
                            name: name, parameters: value["parameters"]?.objectValue ?? [:],
                            seed: value["seed"]?.intValue))
                case "operation":
                    known(value, "\(at).operation", ["name", "parameters", "expect_error"])
                    let name = value["name"]?.stringValue ?? ""
                    if DaemonOperation.registry.operation(named: name) == nil {
                        problem("\(at).operation.name", "no operation \"\(name)\" (see 'superlearner operation list')")
                    }
                    steps.append(
                        .operation(
                            name: name, parameters: value["parameters"]?.objectValue ?? [:],
                            expectError: value["expect_error"]?.stringValue))
                case "sleep":
                    steps.append(.sleep(duration(value, "\(at).sleep", default: .zero)))
                default:
                    problem(at, "unknown step \"\(kind)\" (expected kill, wait, experiment, operation or sleep)")
                }
            }
            var expectations: [Expectation] = []
            for (position, expectation) in (term["expect"]?.arrayValue ?? []).enumerated() {
                let at = "\(path).expect[\(position)]"
                guard let members = expectation.objectValue, members.count == 1, let (kind, value) = members.first
                else {
                    problem(at, "expected one of verdict, status, health, restarts, why")
                    continue
                }
                switch kind {
                case "verdict":
                    guard let text = value.stringValue, ["pass", "fail"].contains(text) else {
                        problem("\(at).verdict", "expected pass or fail")
                        continue
                    }
                    expectations.append(.verdict(text))
                case "status":
                    guard let text = value.stringValue, ["running", "failed"].contains(text) else {
                        problem("\(at).status", "expected running or failed")
                        continue
                    }
                    expectations.append(.status(text))
                case "health":
                    guard let text = value.stringValue, ["healthy", "degraded"].contains(text) else {
                        problem("\(at).health", "expected healthy or degraded")
                        continue
                    }
                    expectations.append(.health(text))
                case "restarts":
                    known(value, "\(at).restarts", ["path", "at_least", "exactly"])
                    guard let target = value["path"]?.stringValue else {
                        problem("\(at).restarts.path", "required")
                        continue
                    }
                    expectations.append(
                        .restarts(
                            path: target, atLeast: value["at_least"]?.intValue, exactly: value["exactly"]?.intValue))
                case "why":
                    known(value, "\(at).why", ["path", "action"])
                    guard let target = value["path"]?.stringValue, let action = value["action"]?.stringValue,
                        RestartDecision.Action(rawValue: action) != nil
                    else {
                        problem("\(at).why", "give path and action (restart, not_restarted, shut_down or escalate)")
                        continue
                    }
                    expectations.append(.why(path: target, action: action))
                default:
                    problem(at, "unknown expectation \"\(kind)\" (expected verdict, status, health, restarts or why)")
                }
            }
            cases.append(Case(name: name, sandbox: sandbox, steps: steps, expectations: expectations))
        }
        guard problems.isEmpty else {
            throw CLIError(
                exit: .usage, code: "invalid_plan", message: "\(fileName): " + problems.joined(separator: "; "))
        }
        return TestPlan(name: document["name"]?.stringValue ?? fileName, cases: cases)
    }
}

extension TestCommands {
    /// `superlearner test run PLAN.yaml`.
    struct RunPlan: Command {
        static let spec = CommandSpec(
            "run", "run failure tests written as a file: each case in its own sandbox, JUnit XML for CI",
            discussion:
                "A plan names cases; each gets a fresh sandbox (a template, a spec or a spec file, OS programs included), runs its steps (kill, wait, experiment with a seed, any operation, sleep) and checks its expectations (an experiment's verdict, the sandbox's status and health, a child's restarts, why's last decision), then the sandbox is destroyed. One line per case; exit 0 only when every case passed; --junit writes JUnit XML. The format is in docs/insight.md.",
            arguments: [ArgumentSpec("PLAN", "the plan file (YAML or JSON)", completion: .file)],
            flags: [FlagSpec("junit", "write JUnit XML here", value: .file, placeholder: "FILE")],
            examples: [("superlearner test run failures.yaml --junit failures.xml", "in CI")],
            command: Self.self)

        let file: String
        let junit: String?
        init(_ input: CommandInput) {
            file = input.required("PLAN")
            junit = input.flag("junit")
        }

        func run(_ context: CommandContext) async throws {
            let text = try CommandContext.readInput(file)
            let plan = try TestPlan.parse(text, fileName: file, base: ProcessPaths.folder(of: file))
            var results: [EndToEnd.Step] = []
            let clock = ContinuousClock()
            for (index, testCase) in plan.cases.enumerated() {
                let started = clock.now
                let id = "plan\(getpid())-\(index + 1)"
                var failure: String? = nil
                do {
                    try await Self.run(testCase, sandbox: id, context)
                } catch let error as CLIError {
                    failure = error.message
                } catch {
                    failure = "\(error)"
                }
                _ = try? context.call(.destroySandbox, ["sandbox_id": .string(id)], autostart: false)
                let elapsed = clock.now - started
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                results.append(EndToEnd.Step(name: testCase.name, seconds: seconds, failure: failure))
                if !context.output.json {
                    let mark = failure == nil ? context.output.paint("✔", "32") : context.output.paint("✘", "31")
                    context.output.say(
                        "\(mark) \(testCase.name) (\(Int((seconds * 1000).rounded())) ms)"
                            + (failure.map { ": \($0)" } ?? ""))
                }
            }
            if let junit {
                let xml = EndToEnd.junit(results, suite: plan.name, classname: "superlearner.plan")
                guard ProcessPaths.write(Array(xml.utf8), to: junit) else {
                    throw CLIError(exit: .failure, code: "io", message: "cannot write \(junit)")
                }
            }
            let data: Term = .array(
                results.map {
                    [
                        "case": .string($0.name), "seconds": .double($0.seconds),
                        "failure": $0.failure.map(Term.string) ?? .null,
                    ]
                })
            if context.output.json { context.output.data(data) { "" } }
            let failed = results.filter { $0.failure != nil }
            if !failed.isEmpty {
                throw CLIError(
                    exit: .failure, code: "plan_failed", message: "\(failed.count) of \(results.count) cases failed")
            }
        }

        /// The newest event sequence number (where a wait starts looking).
        @MainActor
        static func latestSequence(_ context: CommandContext) throws -> Int {
            try context.call(.listEvents, ["limit": 1]).arrayValue?.last?["seq"]?.intValue ?? 0
        }

        @MainActor
        static func run(_ testCase: TestPlan.Case, sandbox id: String, _ context: CommandContext) async throws {
            var create: [String: Term] = ["sandbox_id": .string(id)]
            switch testCase.sandbox {
            case .template(let name): create["supervisor_module"] = .string(name)
            case .spec(let spec): create["spec"] = spec
            }
            try context.call(.createSandbox, create)
            var lastExperiment: Term? = nil
            var since = try latestSequence(context)
            // `$sandbox` names the sandbox's root supervisor; other paths are relative to the sandbox.
            func path(_ relative: String) -> String {
                relative == "$sandbox" || relative == id
                    ? id : relative.hasPrefix(id + "/") ? relative : id + "/" + relative
            }
            for step in testCase.steps {
                let stepStart = try latestSequence(context)
                do {
                    switch step {
                    case .kill(let target, let reason):
                        var parameters: [String: Term] = ["pid": .string(path(target))]
                        if let reason { parameters["reason"] = .string(reason) }
                        try context.call(.killProcess, parameters)
                    case .wait(let target, let condition, let timeout):
                        try await Self.wait(for: condition, at: path(target), since: since, timeout: timeout, context)
                    case .experiment(let name, let parameters, let seed):
                        var body: [String: Term] = [
                            "sandbox_id": .string(id), "experiment": .string(name), "parameters": .object(parameters),
                        ]
                        if let seed { body["seed"] = .int(seed) }
                        lastExperiment = try context.call(.runExperiment, body)
                    case .operation(let name, let parameters, let expectError):
                        var filled = parameters.mapValues { $0 == "$sandbox" ? Term.string(id) : $0 }
                        let declared = DaemonOperation.registry.operation(named: name)?.parameters.map(\.name) ?? []
                        if declared.contains("sandbox_id") && filled["sandbox_id"] == nil {
                            filled["sandbox_id"] = .string(id)
                        }
                        do {
                            let route = APIRoutes.executeOperation
                            try context.call(route, path: route.path(["name": name]), body: .object(filled))
                            if let expectError {
                                throw CLIError(
                                    exit: .failure, code: "expectation",
                                    message: "\(name) succeeded; expected error \(expectError)")
                            }
                        } catch let error as CLIError where expectError != nil && error.code != "expectation" {
                            guard error.code == expectError else {
                                throw CLIError(
                                    exit: .failure, code: "expectation",
                                    message: "\(name) failed with \(error.code), expected \(expectError ?? "")")
                            }
                        }
                    case .sleep(let duration):
                        try await Task.sleep(for: duration)
                    }
                } catch let error as CLIError {
                    throw CLIError(exit: .failure, code: error.code, message: "\(step.label): \(error.message)")
                }
                since = stepStart
            }
            for expectation in testCase.expectations {
                switch expectation {
                case .verdict(let wanted):
                    guard let verdict = lastExperiment?["verdict"]?.stringValue else {
                        throw CLIError(
                            exit: .failure, code: "expectation", message: "verdict \(wanted): no experiment ran")
                    }
                    if verdict != wanted {
                        throw CLIError(
                            exit: .failure, code: "expectation",
                            message:
                                "verdict: expected \(wanted), got \(verdict) (\(lastExperiment?["reason"]?.plain ?? ""))"
                        )
                    }
                case .status(let wanted):
                    let status =
                        try context.call(.getSandboxInfo, ["sandbox_id": .string(id)])["status"]?.stringValue ?? "?"
                    if status != wanted {
                        throw CLIError(
                            exit: .failure, code: "expectation", message: "status: expected \(wanted), got \(status)")
                    }
                case .health(let wanted):
                    let problems = SandboxCommands.Status.problems(
                        try context.call(.getSandboxInfo, ["sandbox_id": .string(id)]))
                    let health = problems.isEmpty ? "healthy" : "degraded"
                    if health != wanted {
                        throw CLIError(
                            exit: .failure, code: "expectation",
                            message:
                                "health: expected \(wanted), got \(health)\(problems.isEmpty ? "" : " (\(problems.joined(separator: "; ")))")"
                        )
                    }
                case .restarts(let target, let atLeast, let exactly):
                    let info = try context.call(.getProcessInfo, ["pid": .string(path(target))])
                    let restarts = info["restarts"]?.intValue ?? 0
                    if let atLeast, restarts < atLeast {
                        throw CLIError(
                            exit: .failure, code: "expectation",
                            message: "restarts of \(target): expected at least \(atLeast), got \(restarts)")
                    }
                    if let exactly, restarts != exactly {
                        throw CLIError(
                            exit: .failure, code: "expectation",
                            message: "restarts of \(target): expected \(exactly), got \(restarts)")
                    }
                case .why(let target, let action):
                    let decisions =
                        try context.call(.explainRestarts, ["path": .string(path(target))])["decisions"]?.arrayValue
                        ?? []
                    let last = decisions.last?["action"]?.stringValue ?? "none"
                    if last != action {
                        throw CLIError(
                            exit: .failure, code: "expectation",
                            message: "why \(target): expected \(action), got \(last)")
                    }
                }
            }
        }

        /// Polls the event log (restarted, escalated) or the process table (running, terminated) until the
        /// condition holds or `timeout` passes.
        @MainActor
        static func wait(
            for condition: String, at path: String, since: Int, timeout: Duration, _ context: CommandContext
        )
            async throws
        {
            let deadline = ContinuousClock.now + timeout
            while true {
                let met: Bool
                switch condition {
                case "running", "terminated":
                    let alive = (try? context.call(.getProcessInfo, ["pid": .string(path)], autostart: false)) != nil
                    met = condition == "running" ? alive : !alive
                default:
                    let name = condition == "restarted" ? "runtime.supervisor.restart" : "runtime.supervisor.escalation"
                    let events = try context.call(
                        .listEvents, ["since": .int(since), "prefix": .string(name), "limit": 10000])
                    met = events.arrayValue?.contains { $0["metadata"]?["path"]?.stringValue == path } ?? false
                }
                if met { return }
                guard ContinuousClock.now < deadline else {
                    throw CLIError(
                        exit: .timedOut, code: "timeout", message: "\(path) was not \(condition) within \(timeout)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
