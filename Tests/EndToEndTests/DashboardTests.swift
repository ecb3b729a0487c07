import Foundation
import Playwriter
import Supervision
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The dashboard in Debian's headless Chromium against the real binary's daemon on a real TCP port: every
/// page action goes through the page's own controls, and what the page shows is checked against the API.
@Suite("The dashboard in a real browser", .timeLimit(.minutes(5)))
struct DashboardTests {
    /// A daemon with TCP and its dashboard's login URL.
    struct Dashboard {
        let home: TestHome
        let url: String
        let port: Int

        static func start(_ flags: [String] = ["--allow-destructive-ui"]) async throws -> Dashboard {
            let home = TestHome()
            let started = await home.run(["server", "start", "--port", "0", "--json"] + flags)
            try #require(started.status == 0, "\(started.stderr)")
            let url = try #require(started.json?["dashboard_url"]?.stringValue)
            let port = try #require(started.json?["port"]?.intValue)
            return Dashboard(home: home, url: url, port: port)
        }

        var origin: String { "http://127.0.0.1:\(port)" }
    }

    /// Opens the dashboard and waits for its first full render; the page's script must not have failed.
    static func open(_ page: Page, _ dashboard: Dashboard, view: String = "") async throws {
        try await page.goto(dashboard.url)
        if !view.isEmpty { try await page.goto(dashboard.origin + "/#" + view) }
        _ = try await page.waitForFunction(
            "return document.body.dataset.ready === 'true' || document.body.dataset.ready === 'error'",
            timeout: .seconds(20))
        #expect(try await page.evaluate("return document.body.dataset.ready").stringValue == "true")
        try await expectNoScriptErrors(page)
    }

    static func expectNoScriptErrors(_ page: Page) async throws {
        let errors = try await page.evaluate("return window.superlearner.errors")
        #expect(errors.arrayValue?.isEmpty == true, "script errors: \(errors)")
    }

    /// The tree row of `path` (its pid, status and restart count) as the page shows it.
    static func node(_ page: Page, _ path: String) async throws -> Term {
        try await page.evaluate(
            """
            const li = [...document.querySelectorAll('.tree-node')].find(n => n.dataset.path === arguments[0]);
            if (!li) return null;
            const row = li.firstElementChild;
            return {pid: row.querySelector('.node-pid').textContent, status: row.querySelector('.node-status').textContent,
                    restarts: row.querySelector('.node-restarts').textContent, recent: li.classList.contains('recent')};
            """, [.string(path)])
    }

    /// Runs `body`; when it throws, keeps what the page showed (with `DASHBOARD_SHOTS` set) and says where it
    /// was, so a failed wait names its page state.
    static func explained(_ page: Page, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await saveShot(page, "failure")
            let state = try? await page.evaluate(
                "return {errors: window.superlearner && window.superlearner.errors, view: location.hash, toasts: document.querySelector('#toasts').textContent}"
            )
            throw PlaywriterError(.timeout, "\(error) — page: \(state ?? .null)")
        }
    }

    /// How long a page may take to show what a click or an event caused. It only bounds waiting for what
    /// does happen (in milliseconds when the machine is idle), so it is generous: under a full `make test` on
    /// two cores a 5 s wait for a server's answer once ran out.
    static let pageWait: Duration = .seconds(20)

    static func saveShot(_ page: Page, _ name: String) async {
        guard let folder = ProcessInfo.processInfo.environment["DASHBOARD_SHOTS"],
            let png = try? await page.screenshot(fullPage: true)
        else { return }
        _ = FileManager.default.createFile(atPath: "\(folder)/\(name).png", contents: Data(png))
    }

    @Test func aSandboxCreatedInThePageShowsItsTreeAndTheTreeFollowsKillsWithoutAReload() async throws {
        let dashboard = try await Dashboard.start()
        defer { dashboard.home.close() }
        let home = dashboard.home
        let specFile = home.path + "/shop.yaml"
        try """
        strategy: rest_for_one
        max_restarts: 5
        children:
          - { id: db, worker: kv }
          - { id: api, worker: counter, args: { initial: 10 } }
          - id: jobs
            supervisor:
              strategy: one_for_all
              children:
                - { id: tick, worker: ticker, args: { every_ms: 500 } }
        """.write(toFile: specFile, atomically: true, encoding: .utf8)
        try await Playwriter.withBrowser(BrowserOptions(width: 1280, height: 900)) { browser in
            let page = try await browser.newPage()
            try await Self.explained(page) {
                try await Self.open(page, dashboard)

                // Create from a template through the form.
                try await page.click("#tab-sandboxes")
                try await page.click("#create-sandbox-btn")
                try await page.fill("#sandbox-id", "demo")
                try await page.selectOption("#sandbox-module", "DemoSupervisor")
                try await page.click("#submit-sandbox")
                try await page.waitForSelector("#sandbox-demo", timeout: .seconds(10))
                try await page.waitForSelector(".sandbox-details", timeout: .seconds(10))

                // A bad id and a bad spec: each error names its field, and nothing is created.
                try await page.click("#create-sandbox-btn")
                try await page.fill("#sandbox-id", "bad id")
                try await page.click("#submit-sandbox")
                _ = try await page.waitForFunction(
                    "return [...document.querySelectorAll('#create-sandbox-errors .field-error')].map(e => e.dataset.field).join()",
                    timeout: Self.pageWait)
                #expect(
                    try await page.evaluate("return document.querySelector('#create-sandbox-errors').textContent")
                        .stringValue?.contains("sandbox_id: must be 1 to 64") == true)
                try await page.fill("#sandbox-id", "broken")
                try await page.fill("#sandbox-spec", "children:\n  - { id: a, worker: nope }\n")
                try await page.click("#submit-sandbox")
                let serverError = try await page.waitForFunction(
                    "const e = document.querySelector('#create-sandbox-errors .field-error'); return e && e.dataset.field.startsWith('spec_text') && e.textContent",
                    timeout: Self.pageWait)
                #expect(serverError.stringValue?.contains("spec_text.children[0].worker: expected one of") == true)
                #expect(await home.run(["sandbox", "info", "broken"]).status == 3)

                // Upload a spec file (YAML) through the file input.
                try await page.fill("#sandbox-id", "shop")
                try await page.evaluate("document.querySelector('#sandbox-spec').value = ''")
                try await page.fill("#sandbox-spec-file", specFile)
                _ = try await page.waitForFunction(
                    "return document.querySelector('#sandbox-spec').value.includes('rest_for_one')",
                    timeout: Self.pageWait)
                try await page.click("#submit-sandbox")
                try await page.waitForSelector("#sandbox-shop", timeout: .seconds(10))
                #expect(
                    await home.run(["sandbox", "info", "shop", "--json"]).json?["spec"]?["strategy"] == "rest_for_one")

                // Both trees, pushed in without a reload.
                try await page.click("#tab-trees")
                try await page.waitForSelector("#tree-demo.supervisor-tree", timeout: .seconds(10))
                try await page.waitForSelector("#tree-shop.supervisor-tree", timeout: .seconds(10))
                let before = try await Self.node(page, "demo/counter_1")
                #expect(before["status"] == "running" && before["restarts"] == "↻ 0", "\(before)")

                // Kill from the command line: the page learns it from the event stream alone.
                let clock = ContinuousClock()
                let killed = clock.now
                #expect(await home.run(["process", "kill", "demo/counter_1"]).status == 0)
                let after = try await page.waitForFunction(
                    """
                    const li = [...document.querySelectorAll('.tree-node')].find(n => n.dataset.path === 'demo/counter_1');
                    return li && li.querySelector('.node-restarts').textContent === '↻ 1' && li.dataset.pid;
                    """, timeout: Self.pageWait)
                let latency = clock.now - killed
                let fresh = await home.run(["process", "info", "demo/counter_1", "--json"]).json?["pid"]?.stringValue
                #expect(after.stringValue == fresh, "the page shows the new pid \(after), the daemon \(fresh ?? "?")")
                #expect(try await Self.node(page, "demo/counter_1")["recent"] == .bool(true))
                print("dashboard: kill → tree updated in \(latency) (CLI process start included)")

                // Search hides what does not match and opens what does.
                try await page.fill("#tree-search", "tick")
                _ = try await page.waitForFunction(
                    "return document.querySelector('#tree-demo').hidden && !document.querySelector('#tree-shop').hidden",
                    timeout: Self.pageWait)
                try await page.fill("#tree-search", "")

                // The restart history of the supervisor: the kill, with its reason and the budget used.
                try await page.evaluate(
                    "[...document.querySelectorAll('.tree-node')].find(n => n.dataset.path === 'demo').querySelector('.timeline-btn').click()"
                )
                let timeline = try await page.waitForFunction(
                    "const t = document.querySelector('#timeline'); return t && t.textContent.includes('counter_1 killed') && t.textContent",
                    timeout: Self.pageWait)
                #expect(timeline.stringValue?.contains("1 of 3 restarts used") == true, "\(timeline)")
                await Self.saveShot(page, "trees")

                // Kill from the page: a confirmed action, a notification, and the tree heals again.
                try await page.click("#tab-processes")
                try await page.waitForSelector(".process-item", timeout: .seconds(10))
                try await page.evaluate(
                    "[...document.querySelectorAll('.process-item')].find(r => r.dataset.path === 'demo/counter_2').querySelector('.kill-process-btn').click()"
                )
                try await page.waitForSelector("#confirm[open]")
                try await page.click("#confirm-ok")
                try await page.waitForSelector(".process-killed-notification", timeout: Self.pageWait)
                _ = try await page.waitForFunction(
                    "const li = [...document.querySelectorAll('.tree-node')].find(n => n.dataset.path === 'demo/counter_2'); return li && li.querySelector('.node-restarts').textContent === '↻ 1'",
                    timeout: Self.pageWait)

                // Sorted by restarts, the two killed counters come first; a row opens its detail, linked to the tree.
                try await page.click("#processes th[data-sort=restarts] button")
                _ = try await page.waitForFunction(
                    "const rows = document.querySelectorAll('.process-item'); return rows.length > 3 && rows[0].children[7].textContent === '1' && rows[1].children[7].textContent === '1'",
                    timeout: Self.pageWait)
                try await page.evaluate(
                    "[...document.querySelectorAll('.process-item')].find(r => r.dataset.path === 'shop/api').click()")
                _ = try await page.waitForFunction(
                    "return document.querySelector('#detail-body .state-summary') && document.querySelector('#detail-body').textContent.includes('shop/api')",
                    timeout: Self.pageWait)
                // A call with its reply shown.
                try await page.selectOption("#send-type", "call")
                try await page.fill("#send-message", "get_value")
                try await page.click("#send-btn")
                let reply = try await page.waitForFunction(
                    "const r = document.querySelector('#send-result'); return r && !r.hidden && r.textContent",
                    timeout: Self.pageWait)
                #expect(reply.stringValue?.contains("10") == true, "\(reply)")
                try await page.click("#show-in-tree")
                _ = try await page.waitForFunction(
                    "const h = document.querySelector('.tree-node.highlight'); return h && h.dataset.path === 'shop/api' && !document.querySelector('#view-trees').hidden",
                    timeout: Self.pageWait)

                // An experiment with its verdict.
                try await page.click("#tab-sandboxes")
                try await page.click("#sandbox-demo")
                try await page.waitForSelector(
                    ".sandbox-details[data-sandbox=\"demo\"][aria-busy=\"false\"] #run-experiment-btn",
                    timeout: Self.pageWait)
                try await page.selectOption("#experiment-select", "kill-child")
                try await page.click("#run-experiment-btn")
                try await page.click("#confirm-ok")
                let verdict = try await page.waitForFunction(
                    "const r = document.querySelector('.experiment-result'); return r && r.dataset.verdict",
                    timeout: .seconds(15))
                let verdictText = try await page.textContent(".experiment-result") ?? ""
                #expect(verdict == "pass", "\(verdictText)")

                // The configuration, edited as JSON: a key added, and a bad edit named without losing the stored one.
                try await page.evaluate("document.querySelector('#sandbox-config').value = '{\"team\": \"blue\"}'")
                try await page.click("#save-config-btn")
                // This save's own toast: an earlier action's (the experiment's) may still be showing, and
                // waiting for any toast once let the check below run before the save had landed.
                _ = try await page.waitForFunction(
                    "return [...document.querySelectorAll('.toast')].some(t => t.textContent === 'configuration of demo saved')",
                    timeout: Self.pageWait)
                #expect(await home.run(["sandbox", "config", "demo", "--json"]).json?["team"] == "blue")
                try await page.evaluate("document.querySelector('#sandbox-config').value = '[1, 2'")
                try await page.click("#save-config-btn")
                _ = try await page.waitForFunction(
                    "return document.querySelector('#sandbox-config-error').textContent.startsWith('not JSON')",
                    timeout: Self.pageWait)
                #expect(await home.run(["sandbox", "config", "demo", "--json"]).json?["team"] == "blue")

                // An operation form: the page's check, then the server's, each naming the field.
                try await page.click("#tab-operations")
                try await page.click("#operation-list [data-operation=list_processes]")
                try await page.fill("#op-param-limit", "0")
                try await page.click("#op-run")
                let pageError = try await page.waitForFunction(
                    "return document.querySelector('#op-error-limit').textContent", timeout: Self.pageWait)
                #expect(pageError.stringValue?.contains("at least 1") == true, "\(pageError)")
                try await page.click("#op-check-in-page")
                try await page.selectOption("#op-param-sort", "mailbox")
                try await page.click("#op-run")
                _ = try await page.waitForFunction(
                    "return document.querySelector('#operation-form').dataset.invalid === 'server'",
                    timeout: Self.pageWait)
                #expect(
                    try await page.textContent("#op-error-limit")?.contains("must be at least 1") == true)
                try await page.fill("#op-param-limit", "2")
                try await page.click("#op-run")
                let result = try await page.waitForFunction(
                    "const t = document.querySelector('#operation-result').textContent; return t.startsWith('[') && t",
                    timeout: Self.pageWait)
                #expect(try Term(json: result.stringValue ?? "").arrayValue?.count == 2)
                // Every control a keyboard or a screen reader reaches has a name.
                let unnamed = try await page.evaluate(
                    """
                    const named = e => (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]'))
                      || e.closest('label') || e.getAttribute('aria-label') || e.textContent.trim();
                    return [...document.querySelectorAll('input, select, textarea, button')]
                      .filter(e => e.offsetParent !== null && !named(e)).map(e => e.outerHTML.slice(0, 80));
                    """)
                #expect(unnamed.arrayValue?.isEmpty == true, "controls without a label: \(unnamed)")
                #expect(
                    try await page.evaluate("return document.querySelectorAll('#operation-history li').length").intValue
                        == 2, "the refused and the good run, not the one the page stopped")
                await Self.saveShot(page, "operations")

                // The page's own reads are not events: the log holds what happened, not who looked.
                let (_, events) = try await home.api("GET", "/api/v1/telemetry/events?limit=10000")
                let names = events["data"]?.arrayValue?.compactMap { $0["metadata"]?["operation"]?.stringValue } ?? []
                #expect(!names.contains("list_sandboxes") && !names.contains("list_processes"), "\(Set(names))")
                let dashboardRuns =
                    events["data"]?.arrayValue?.filter { $0["metadata"]?["origin"] == "dashboard" } ?? []
                #expect(dashboardRuns.contains { $0["metadata"]?["operation"] == "run_experiment" })

                // Destroy through the page.
                try await page.click("#tab-sandboxes")
                try await page.click("#sandbox-demo")
                try await page.waitForSelector(
                    ".sandbox-details[data-sandbox=\"demo\"][aria-busy=\"false\"] #destroy-sandbox-btn",
                    timeout: Self.pageWait)
                try await page.click("#destroy-sandbox-btn")
                try await page.click("#confirm-ok")
                try await page.waitForSelector(".sandbox-destroyed", timeout: Self.pageWait)
                try await page.waitForSelector("#sandbox-demo", state: .detached, timeout: Self.pageWait)
                try await page.waitForSelector("#tree-demo", state: .detached, timeout: Self.pageWait)
                #expect(await home.run(["sandbox", "info", "demo"]).status == 3)

                // A program child in backoff: its row counts down to the next start.
                let program = """
                    children:
                      - id: main
                        command: [sh, -c, "exit 3"]
                        backoff: { initial: 4s, max: 4s, jitter: 0 }
                    """
                #expect(await home.run(["sandbox", "create", "prog", "--spec", "-"], input: program).status == 0)
                try await page.click("#tab-trees")
                let countdown = try await page.waitForFunction(
                    """
                    const li = [...document.querySelectorAll('.tree-node')].find(n => n.dataset.path === 'prog/main');
                    const text = li && li.querySelector('.node-detail').textContent;
                    return text && /restarting in [0-9.]+ s/.test(text) && li.classList.contains('s-restarting') && text;
                    """, timeout: .seconds(10))
                #expect(countdown.stringValue?.hasPrefix("restarting in") == true, "\(countdown)")

                // The charts: the daemon's history, still there after a reload.
                _ = try await page.waitForFunction(
                    "return Number(document.querySelector('#chart-processes svg').dataset.points) >= 3",
                    timeout: .seconds(10))
                try await Self.open(page, dashboard)
                let points = try await page.evaluate(
                    "return Number(document.querySelector('#chart-processes svg').dataset.points)")
                #expect((points.intValue ?? 0) >= 3, "a reload draws the kept history at once: \(points)")
                #expect(
                    try await page.evaluate("return document.querySelectorAll('#chart-restarts polyline').length")
                        .intValue
                        == 1)
                await Self.saveShot(page, "overview")
                try await Self.expectNoScriptErrors(page)
            }
        }
    }

    /// Calls the API from the page with its session cookie, as the page's own script does.
    static func fetch(_ page: Page, _ method: String, _ path: String, _ body: Term? = nil) async throws -> (Int, Term) {
        let answer = try await page.evaluate(
            """
            return fetch(arguments[1], {method: arguments[0], headers: {'Content-Type': 'application/json',
              'X-Superlearner-Request': '1'}, body: arguments[2] === null ? undefined : JSON.stringify(arguments[2])})
              .then(async r => ({status: r.status, body: await r.text()}));
            """, [.string(method), .string(path), body ?? .null])
        return (answer["status"]?.intValue ?? 0, (try? Term(json: answer["body"]?.stringValue ?? "")) ?? .null)
    }

    @Test func readOnlyModeShowsNoActionsAndTheDaemonRefusesThem() async throws {
        // A sandbox made before, restored by a daemon started read-only on the same home.
        let first = try await Dashboard.start([])
        defer { first.home.close() }
        #expect(await first.home.run(["sandbox", "create", "demo", "DemoSupervisor"]).status == 0)
        #expect(await first.home.run(["server", "stop"]).status == 0)
        let restarted = await first.home.run(["server", "start", "--port", "0", "--read-only", "--json"])
        try #require(restarted.status == 0, "\(restarted.stderr)")
        let readOnly = Dashboard(
            home: first.home, url: try #require(restarted.json?["dashboard_url"]?.stringValue),
            port: try #require(restarted.json?["port"]?.intValue))
        // The same home's socket refuses changes too: read-only is the daemon's, not the page's.
        let refused = await readOnly.home.run(["sandbox", "create", "other", "DemoSupervisor"])
        #expect(refused.status != 0 && refused.stderr.contains("read-only"), "\(refused.stderr)")

        // A daemon without --allow-destructive-ui: changes yes, destruction not from the page.
        let safe = try await Dashboard.start([])
        defer { safe.home.close() }
        #expect(await safe.home.run(["sandbox", "create", "demo", "DemoSupervisor"]).status == 0)

        try await Playwriter.withBrowser { browser in
            let page = try await browser.newPage()
            try await Self.explained(page) {
                try await Self.open(page, readOnly)
                #expect(try await page.textContent("#mode") == "read-only")
                try await page.click("#tab-sandboxes")
                try await page.click("#sandbox-demo")
                try await page.waitForSelector(".sandbox-details", timeout: Self.pageWait)
                try await page.click("#tab-processes")
                try await page.waitForSelector(".process-item", timeout: Self.pageWait)
                try await page.evaluate("document.querySelector('.process-item').click()")
                try await page.waitForSelector("#detail-body .state-summary", timeout: Self.pageWait)
                let actions = try await page.evaluate(
                    """
                    return ['#create-sandbox-btn', '.kill-process-btn', '#destroy-sandbox-btn', '#run-experiment-btn',
                            '#restart-sandbox-btn', '#save-config-btn', '#send-btn', '#trace-btn']
                      .filter(s => [...document.querySelectorAll(s)].some(e => e.offsetParent !== null));
                    """)
                #expect(actions.arrayValue?.isEmpty == true, "visible actions in read-only mode: \(actions)")
                try await page.click("#tab-operations")
                try await page.click("#operation-list [data-operation=create_sandbox]")
                #expect(try await page.evaluate("return document.querySelector('#op-run').disabled") == .bool(true))
                for (method, path, body) in [
                    ("POST", "/api/v1/sandboxes", ["sandbox_id": "x", "supervisor_module": "DemoSupervisor"] as Term),
                    ("DELETE", "/api/v1/processes/demo%2Fcounter_1", nil),
                    ("PATCH", "/api/v1/sandboxes/demo/config", ["config": ["a": 1]] as Term),
                ] {
                    let (status, answer) = try await Self.fetch(page, method, path, body)
                    #expect(status == 403 && answer["error"]?["code"] == "read_only", "\(method) \(path): \(answer)")
                }
                #expect(await readOnly.home.run(["sandbox", "info", "demo"]).status == 0, "nothing was lost")

                try await Self.open(page, safe)
                #expect(try await page.textContent("#mode") == "safe mode (no kill)")
                try await page.click("#tab-processes")
                try await page.waitForSelector(".process-item", timeout: Self.pageWait)
                #expect(try await page.evaluate("return document.querySelectorAll('.kill-process-btn').length") == 0)
                try await page.waitForSelector("#create-sandbox-btn", state: .attached)
                let (status, answer) = try await Self.fetch(page, "DELETE", "/api/v1/processes/demo%2Fcounter_1")
                #expect(
                    status == 403 && answer["error"]?["code"] == "destructive_refused"
                        && answer["error"]?["message"]?.stringValue?.contains("--allow-destructive-ui") == true,
                    "\(answer)")
                let (created, _) = try await Self.fetch(
                    page, "POST", "/api/v1/sandboxes", ["sandbox_id": "more", "supervisor_module": "Pipeline"])
                #expect(created == 201, "mutating actions stay allowed")
                // The operator's token is not the page: it may still kill.
                #expect(await safe.home.run(["process", "kill", "demo/counter_1"]).status == 0)
            }
        }
    }

    @Test func aThousandProcessesRenderAndAKillShowsInTheirTree() async throws {
        let dashboard = try await Dashboard.start()
        defer { dashboard.home.close() }
        var spec = "strategy: one_for_one\nmax_restarts: 100\nchildren:\n"
        for group in 0..<10 {
            spec += "  - id: group\(group)\n    supervisor:\n      children:\n"
            for worker in 0..<99 { spec += "        - { id: w\(worker), worker: counter }\n" }
        }
        let created = await dashboard.home.run(["sandbox", "create", "big", "--spec", "-"], input: spec)
        try #require(created.status == 0, "\(created.stderr)")
        let count = await dashboard.home.run(["process", "list", "--json"]).json?.arrayValue?.count ?? 0
        #expect(count >= 1000)
        try await Playwriter.withBrowser(BrowserOptions(width: 1280, height: 900)) { browser in
            let page = try await browser.newPage()
            try await Self.explained(page) {
                let clock = ContinuousClock()
                let opened = clock.now
                try await Self.open(page, dashboard, view: "trees")
                let wall = clock.now - opened
                let firstRender = try await page.evaluate("return window.superlearner.timings.firstRender")
                let shown = try await page.evaluate("return document.querySelectorAll('.tree-node').length")
                #expect((shown.intValue ?? 0) >= 1000, "\(shown) nodes in the tree")
                print(
                    "dashboard: \(count) processes, first full render \(firstRender.doubleValue ?? -1) ms in the page, \(wall) from navigation to ready"
                )

                // A kill deep in the tree, timed in the page from the request to the changed row.
                let latency = try await page.evaluate(
                    """
                    return (async () => {
                    const path = 'big/group7/w42';
                    const li = [...document.querySelectorAll('.tree-node')].find(n => n.dataset.path === path);
                    const before = li.dataset.pid;
                    const started = performance.now();
                    await fetch('/api/v1/processes/' + encodeURIComponent(path), {method: 'DELETE', headers: {'X-Superlearner-Request': '1'}});
                    while (li.dataset.pid === before || li.querySelector('.node-restarts').textContent !== '↻ 1') {
                      if (performance.now() - started > 5000) return -1;
                      await new Promise(r => setTimeout(r, 5));
                    }
                    return performance.now() - started;
                    })();
                    """)
                let milliseconds = latency.doubleValue ?? -1
                #expect(milliseconds >= 0, "the row never changed")
                print("dashboard: kill → tree row updated in \(milliseconds) ms with \(count) processes")

                // Search stays quick enough to use.
                let search = try await page.evaluate(
                    """
                    const input = document.querySelector('#tree-search');
                    const started = performance.now();
                    input.value = 'w42'; applyTreeFilter();
                    const took = performance.now() - started;
                    const visible = [...document.querySelectorAll('.tree-node.match')].length;
                    input.value = ''; applyTreeFilter();
                    return {took, visible};
                    """)
                #expect(search["visible"]?.intValue == 10, "\(search)")
                print("dashboard: searching \(count) nodes took \(search["took"]?.doubleValue ?? -1) ms")

                try await page.click("#tab-processes")
                try await page.selectOption("#process-limit", "1000")
                _ = try await page.waitForFunction(
                    "return document.querySelectorAll('.process-item').length === 1000", timeout: .seconds(10))
                try await Self.expectNoScriptErrors(page)
            }
        }
    }
}
