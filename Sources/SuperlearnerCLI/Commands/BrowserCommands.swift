import CSuperlearner
import Playwriter
import SuperlearnerClient
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// `superlearner docs …`: documentation made from the product itself.
enum DocsCommands {
    static let spec = CommandSpec(
        "docs", "documentation made from the running product", subcommands: [.named("generate", Generate.spec)])

    /// `superlearner docs generate`: screenshots of the dashboard, through Playwriter.
    struct Generate: Command {
        static let spec = CommandSpec(
            "generate", "screenshots of the dashboard for the docs, taken in headless Chromium",
            discussion:
                "Starts a private daemon with sample sandboxes, opens its dashboard in Chromium (Debian's chromium and chromium-driver) and writes one full-page PNG per view: overview, trees, processes, sandboxes, operations, events and nodes.",
            flags: [FlagSpec("out", "the folder for the PNGs (default docs/images)", value: .file, placeholder: "DIR")],
            examples: [("superlearner docs generate --out docs/images", "refresh the docs' screenshots")],
            command: Self.self)

        let folder: String
        init(_ input: CommandInput) { folder = input.flag("out") ?? "docs/images" }

        func run(_ context: CommandContext) async throws {
            try BrowserCommandError.requireBrowser()
            let daemon = try PrivateDaemon.start()
            defer { daemon.stop() }
            try daemon.call(["sandbox", "create", "demo", "DemoSupervisor"])
            try daemon.call(["sandbox", "create", "shop", "--spec", "-"], input: PrivateDaemon.sampleSpec)
            try daemon.call(["sandbox", "create", "storm", "CrashLoop"])
            ProcessPaths.makeFolders(folder)
            var written: [Term] = []
            do {
                try await Playwriter.withBrowser(BrowserOptions(width: 1280, height: 900)) { browser in
                    let page = try await browser.newPage()
                    try await page.goto(daemon.dashboardURL)
                    try await DashboardPage.waitUntilReady(page)
                    // A restart to show: the tree highlights it and the supervisor's history lists it.
                    try daemon.call(["process", "kill", "demo/counter_1"])
                    _ = try await page.waitForFunction(
                        "return Number(document.querySelector('#chart-processes svg').dataset.points) >= 2",
                        timeout: .seconds(10))
                    // Each view as a user first sees it, with something chosen where a view has a detail.
                    let views: [(name: String, prepare: String)] = [
                        ("overview", ""),
                        ("trees", "document.querySelector('[data-path=\"demo\"] .timeline-btn').click()"),
                        ("processes", ""),
                        ("sandboxes", "document.querySelector('#sandbox-shop').click()"),
                        ("operations", "document.querySelector('[data-operation=create_sandbox]').click()"),
                        ("events", ""),
                        ("nodes", ""),
                    ]
                    for view in views {
                        try await page.click("#tab-\(view.name)")
                        if !view.prepare.isEmpty { try await page.evaluate(view.prepare) }
                        // Let the view's reads land (the processes table, a timeline, a sandbox's details).
                        try await Task.sleep(for: .milliseconds(700))
                        let png = try await page.screenshot(fullPage: true)
                        let image = try PNGImage(png)
                        let path = "\(folder)/dashboard-\(view.name).png"
                        guard ProcessPaths.write(png, to: path) else {
                            throw CLIError(exit: .failure, code: "io", message: "cannot write \(path)")
                        }
                        written.append([
                            "file": .string(path), "view": .string(view.name), "width": .int(image.width),
                            "height": .int(image.height),
                        ])
                    }
                }
            } catch let error as PlaywriterError {
                throw BrowserCommandError.from(error)
            }
            context.output.data(.array(written)) {
                written.map {
                    "wrote \($0["file"]?.plain ?? "") (\($0["width"]?.plain ?? "")×\($0["height"]?.plain ?? ""))"
                }
                .joined(separator: "\n")
            }
        }
    }
}

/// `superlearner test …`: self-tests.
enum TestCommands {
    static let spec = CommandSpec(
        "test", "self-tests of an installed superlearner, and failure tests as files",
        subcommands: [.named("e2e", EndToEnd.spec), .named("run", RunPlan.spec)])

    /// `superlearner test e2e`: the dashboard's end-to-end scenario in headless Chromium.
    struct EndToEnd: Command {
        static let spec = CommandSpec(
            "e2e", "the dashboard's end-to-end scenario in headless Chromium",
            discussion:
                "Against a private daemon (or the dashboard at --url, a login URL with its ?token=, of a daemon run with --allow-destructive-ui), through the page's own controls: open the dashboard, create a sandbox from the form, see its tree and its processes, kill a process and watch the tree heal, run an experiment and read its verdict, see an operation form name a wrong field, destroy the sandbox. One line per step with its time; exit 0 only when every step passed; --junit writes JUnit XML for CI.",
            flags: [
                FlagSpec(
                    "url", "the dashboard to test (default: a private daemon's)", value: .string, placeholder: "URL"),
                FlagSpec("junit", "write JUnit XML here", value: .file, placeholder: "FILE"),
            ],
            examples: [
                ("superlearner test e2e", "after installing or upgrading"),
                ("superlearner test e2e --junit e2e.xml", "in CI"),
            ],
            command: Self.self)

        let url: String?
        let junit: String?
        init(_ input: CommandInput) {
            url = input.flag("url")
            junit = input.flag("junit")
        }

        struct Step {
            var name: String
            var seconds: Double
            var failure: String?
        }

        func run(_ context: CommandContext) async throws {
            try BrowserCommandError.requireBrowser()
            let output = context.output
            var steps: [Step] = []
            let clock = ContinuousClock()
            var daemon: PrivateDaemon? = nil
            defer { daemon?.stop() }
            func step(_ name: String, _ body: () async throws -> Void) async -> Bool {
                let started = clock.now
                var failure: String? = nil
                do {
                    try await body()
                } catch let error as PlaywriterError {
                    failure = error.description
                } catch let error as CLIError {
                    failure = error.message
                } catch {
                    failure = "\(error)"
                }
                let elapsed = clock.now - started
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                steps.append(Step(name: name, seconds: seconds, failure: failure))
                if !output.json {
                    let mark = failure == nil ? output.paint("✔", "32") : output.paint("✘", "31")
                    let time = String(Int((seconds * 1000).rounded())) + " ms"
                    output.say("\(mark) \(name) (\(time))" + (failure.map { ": \($0)" } ?? ""))
                }
                return failure == nil
            }
            var target = url ?? ""
            if url == nil {
                guard
                    await step(
                        "start a private daemon",
                        {
                            daemon = try PrivateDaemon.start(); target = daemon!.dashboardURL
                        })
                else { return try finish(steps, context) }
            }
            let id = "e2e-\(getpid())"
            do {
                try await Playwriter.withBrowser { browser in
                    let page = try await browser.newPage()
                    let scenario: [(String, () async throws -> Void)] = [
                        (
                            "open the dashboard",
                            {
                                try await page.goto(target)
                                try await DashboardPage.waitUntilReady(page)
                            }
                        ),
                        (
                            "create a sandbox from the form",
                            {
                                try await page.click("#tab-sandboxes")
                                try await page.click("#create-sandbox-btn")
                                try await page.fill("#sandbox-id", id)
                                try await page.selectOption("#sandbox-module", "DemoSupervisor")
                                try await page.click("#submit-sandbox")
                                try await page.waitForSelector("#sandbox-\(id)", timeout: .seconds(10))
                            }
                        ),
                        (
                            "see its supervision tree",
                            {
                                try await page.click("#tab-trees")
                                try await page.waitForSelector("#tree-\(id).supervisor-tree", timeout: .seconds(10))
                                _ = try await DashboardPage.treeRow(page, "\(id)/counter_1", restarts: 0)
                            }
                        ),
                        (
                            "see its processes",
                            {
                                try await page.click("#tab-processes")
                                try await page.waitForSelector(
                                    ".process-item[data-path=\"\(id)/counter_1\"]", timeout: .seconds(10))
                            }
                        ),
                        (
                            "kill a process and watch it heal",
                            {
                                let button = ".process-item[data-path=\"\(id)/counter_1\"] .kill-process-btn"
                                guard
                                    try await page.evaluate(
                                        "return !!document.querySelector(arguments[0])", [.string(button)])
                                        == .bool(true)
                                else {
                                    throw CLIError(
                                        exit: .failure, code: "no_kill",
                                        message:
                                            "the dashboard offers no kill button: its daemon must run with --allow-destructive-ui"
                                    )
                                }
                                try await page.click(button)
                                try await page.click("#confirm-ok")
                                try await page.waitForSelector(".process-killed-notification", timeout: .seconds(5))
                                _ = try await DashboardPage.treeRow(page, "\(id)/counter_1", restarts: 1)
                            }
                        ),
                        (
                            "run an experiment and read its verdict",
                            {
                                try await page.click("#tab-sandboxes")
                                try await page.click("#sandbox-\(id)")
                                try await page.waitForSelector(
                                    ".sandbox-details[data-sandbox=\"\(id)\"][aria-busy=\"false\"] #run-experiment-btn",
                                    timeout: .seconds(5))
                                try await page.selectOption("#experiment-select", "kill-child")
                                try await page.click("#run-experiment-btn")
                                try await page.click("#confirm-ok")
                                let verdict = try await page.waitForFunction(
                                    "const r = document.querySelector('.experiment-result'); return r && r.dataset.verdict",
                                    timeout: .seconds(20))
                                guard verdict == "pass" else {
                                    let text = try await page.textContent(".experiment-result") ?? ""
                                    throw CLIError(
                                        exit: .failure, code: "verdict",
                                        message: "verdict \(verdict): \(text.prefix(300))")
                                }
                            }
                        ),
                        (
                            "an operation form names the field that is wrong",
                            {
                                try await page.click("#tab-operations")
                                try await page.click("#operation-list [data-operation=list_processes]")
                                try await page.click("#op-check-in-page")
                                try await page.fill("#op-param-limit", "0")
                                try await page.click("#op-run")
                                _ = try await page.waitForFunction(
                                    "return document.querySelector('#op-error-limit').textContent.includes('at least 1')",
                                    timeout: .seconds(5))
                            }
                        ),
                        (
                            "destroy it",
                            {
                                try await page.click("#tab-sandboxes")
                                try await page.click("#sandbox-\(id)")
                                try await page.waitForSelector(
                                    ".sandbox-details[data-sandbox=\"\(id)\"][aria-busy=\"false\"] #destroy-sandbox-btn",
                                    timeout: .seconds(5))
                                try await page.click("#destroy-sandbox-btn")
                                try await page.click("#confirm-ok")
                                try await page.waitForSelector(".sandbox-destroyed", timeout: .seconds(5))
                                try await page.waitForSelector("#sandbox-\(id)", state: .detached, timeout: .seconds(5))
                                try await page.waitForSelector("#tree-\(id)", state: .detached, timeout: .seconds(5))
                            }
                        ),
                    ]
                    for (name, body) in scenario {
                        guard await step(name, body) else { break }
                    }
                }
            } catch let error as PlaywriterError {
                throw BrowserCommandError.from(error)
            }
            try finish(steps, context)
        }

        func finish(_ steps: [Step], _ context: CommandContext) throws {
            let failed = steps.filter { $0.failure != nil }
            if let junit {
                guard ProcessPaths.write(Array(Self.junit(steps).utf8), to: junit) else {
                    throw CLIError(exit: .failure, code: "io", message: "cannot write \(junit)")
                }
            }
            let data: Term = .array(
                steps.map {
                    [
                        "step": .string($0.name), "seconds": .double($0.seconds),
                        "failure": $0.failure.map(Term.string) ?? .null,
                    ]
                })
            if context.output.json { context.output.data(data) { "" } }
            if let first = failed.first {
                throw CLIError(
                    exit: .failure, code: "e2e_failed", message: "step \"\(first.name)\" failed: \(first.failure ?? "")"
                )
            }
        }

        static func junit(_ steps: [Step], suite: String = "superlearner e2e", classname: String = "superlearner.e2e")
            -> String
        {
            func escape(_ text: String) -> String {
                text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
                    .replacingAll("\"", with: "&quot;")
            }
            let total = steps.reduce(0) { $0 + $1.seconds }
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            xml +=
                "<testsuite name=\"\(escape(suite))\" tests=\"\(steps.count)\" failures=\"\(steps.filter { $0.failure != nil }.count)\" time=\"\(total)\">\n"
            for step in steps {
                xml +=
                    "  <testcase classname=\"\(escape(classname))\" name=\"\(escape(step.name))\" time=\"\(step.seconds)\""
                if let failure = step.failure {
                    xml += ">\n    <failure message=\"\(escape(failure))\"/>\n  </testcase>\n"
                } else {
                    xml += "/>\n"
                }
            }
            return xml + "</testsuite>\n"
        }
    }
}

/// What `docs generate` and `test e2e` read from the dashboard page.
enum DashboardPage {
    /// Waits for the page's first full render (`body[data-ready]`); fails when the page reports an error or
    /// its script threw.
    static func waitUntilReady(_ page: Page) async throws {
        let state = try await page.waitForFunction(
            "return document.body && document.body.dataset.ready", timeout: .seconds(20))
        let errors = try await page.evaluate(
            "return window.superlearner ? window.superlearner.errors : ['no dashboard script']")
        guard state == "true", errors.arrayValue?.isEmpty ?? true else {
            throw CLIError(
                exit: .failure, code: "dashboard",
                message: "the dashboard did not load (ready=\(state.plain)): \(errors.json)")
        }
    }

    /// Waits until the tree row of `path` shows `restarts` restarts; its pid.
    @discardableResult
    static func treeRow(_ page: Page, _ path: String, restarts: Int) async throws -> String {
        try await page.waitForFunction(
            """
            const li = [...document.querySelectorAll('.tree-node')].find(n => n.dataset.path === arguments[0]);
            return li && li.querySelector('.node-restarts').textContent === '↻ ' + arguments[1] && li.dataset.pid;
            """, [.string(path), .int(restarts)], timeout: .seconds(10)
        ).stringValue ?? ""
    }
}

/// Playwriter's errors as the command line reports them: a missing browser is "unavailable", a bad
/// `PLAYWRITER_MAX_BROWSERS` or `PLAYWRITER_COMMAND_TIMEOUT` a usage error.
enum BrowserCommandError {
    /// Fails before any work: `unavailable` when chromium or chromedriver is missing, `usage` when
    /// `PLAYWRITER_MAX_BROWSERS` is not a number of at least 1 or `PLAYWRITER_COMMAND_TIMEOUT` not a positive
    /// number of seconds.
    static func requireBrowser() throws {
        do {
            let options = BrowserOptions()
            _ = try options.binaries()
            _ = try options.browserLimit()
            _ = try options.commandLimit()
        } catch {
            throw from(error)
        }
    }

    static func from(_ error: PlaywriterError) -> CLIError {
        if error.code == .unavailable {
            return CLIError(exit: .unavailable, code: "unavailable", message: error.message)
        }
        if error.code == .invalidArgument {
            return CLIError(exit: .usage, code: "usage", message: error.message)
        }
        return CLIError(exit: .failure, code: "browser", message: error.description)
    }
}

/// A daemon of its own, in a temporary home, on a free loopback port: what `docs generate` and `test e2e`
/// drive, so that they never touch the user's sandboxes.
struct PrivateDaemon {
    let home: String
    let port: Int
    let dashboardURL: String

    static let sampleSpec = """
        strategy: rest_for_one
        children:
          - { id: db, worker: kv }
          - { id: api, worker: counter, args: { initial: 10 } }
          - id: jobs
            supervisor:
              children:
                - { id: tick, worker: ticker, args: { every_ms: 500 } }
                - { id: sleeper, command: [sleep, "3600"] }
        """

    static func start() throws -> PrivateDaemon {
        var template = Array("/tmp/sl-private-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CLIError(exit: .failure, code: "io", message: "cannot create a temporary home")
        }
        let home = String(cString: created)
        var daemon = PrivateDaemon(home: home, port: 0, dashboardURL: "")
        let started = try daemon.call(["server", "start", "--port", "0", "--allow-destructive-ui", "--json"])
        guard let answer = try? Term(json: started), let port = answer["port"]?.intValue,
            let url = answer["dashboard_url"]?.stringValue
        else {
            daemon.stop()
            throw CLIError(
                exit: .failure, code: "private_daemon", message: "the private daemon did not start: \(started)")
        }
        daemon = PrivateDaemon(home: home, port: port, dashboardURL: url)
        return daemon
    }

    /// Runs this binary against the private home (no setting of the user's); its standard output, or an
    /// error with its standard error.
    @discardableResult
    func call(_ arguments: [String], input: String? = nil) throws -> String {
        try ProcessPaths.runSelf(
            arguments, home: home, dropping: ["SUPERLEARNER_"], input: input, errorCode: "private_daemon")
    }

    func stop() {
        _ = try? call(["server", "stop"])
        ProcessPaths.removeTree(home)
    }
}
