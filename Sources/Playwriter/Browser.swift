import NIOHTTP1
import Supervision

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A running chromium, driven through chromedriver's W3C WebDriver session. Obtain one from
/// `Playwriter.withBrowser`; its pages are tabs of one window, and commands to them are serialised.
public actor Browser {
    nonisolated let driver: DriverProcess
    nonisolated let connection: WebDriverConnection
    nonisolated let session: String
    private var currentWindow: String
    private var pagesHandedOut = 0
    private var closed = false

    /// Its place under `BrowserOptions.maximumBrowsers`, given back when it closes.
    private nonisolated let slot: BrowserSlot?

    /// How long the browser took from launch to an open session (after any wait for a slot).
    public nonisolated let startupTime: Duration
    /// How long the launch waited for a place under `BrowserOptions.maximumBrowsers` (zero without a limit).
    public nonisolated var slotWait: Duration { slot?.waited ?? .zero }

    private init(
        driver: DriverProcess, connection: WebDriverConnection, session: String, window: String, startup: Duration,
        slot: BrowserSlot?
    ) {
        self.driver = driver
        self.connection = connection
        self.session = session
        self.currentWindow = window
        self.startupTime = startup
        self.slot = slot
    }

    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    static func launch(_ options: BrowserOptions) async throws -> Browser {
        let binaries = try options.binaries()
        let commandTimeout = try options.commandLimit()
        var slot: BrowserSlot?
        if let limit = try options.browserLimit() {
            slot = try await BrowserSlot.acquire(
                limit: limit, in: options.slotFolder ?? BrowserSlot.defaultFolder, patience: options.slotPatience)
        }
        do {
            return try await launch(options, binaries: binaries, commandTimeout: commandTimeout, slot: slot)
        } catch {
            slot?.release()
            throw error
        }
    }

    private static func launch(
        _ options: BrowserOptions, binaries: (chromium: String, chromedriver: String), commandTimeout: Duration,
        slot: BrowserSlot?
    ) async throws(PlaywriterError) -> Browser {
        let clock = ContinuousClock()
        let started = clock.now
        let driver = try DriverProcess.start(binaries.chromedriver)
        do {
            let connection = try await waitUntilReady(driver, commandTimeout: commandTimeout)
            var arguments = [
                "--no-sandbox", "--disable-dev-shm-usage", "--user-data-dir=\(driver.folder)/profile",
                "--window-size=\(options.width),\(options.height)", "--no-first-run", "--no-default-browser-check",
                "--disable-gpu", "--disable-extensions", "--disable-background-networking",
            ]
            if options.headless { arguments.append("--headless=new") }
            arguments += options.arguments
            let capabilities: Term = [
                "capabilities": [
                    "alwaysMatch": [
                        "browserName": "chrome",
                        "pageLoadStrategy": "normal",
                        "goog:chromeOptions": [
                            "binary": .string(binaries.chromium), "args": .array(arguments.map(Term.string)),
                        ],
                    ]
                ]
            ]
            let answer = try await connection.send(.POST, "/session", capabilities, timeout: .seconds(60))
            try Browser.check(answer, doing: "start a session")
            guard let session = answer.value["sessionId"]?.stringValue else {
                throw PlaywriterError(.driverFailed, "chromedriver answered without a session id: \(answer.value)")
            }
            let window = try await connection.send(.GET, "/session/\(session)/window")
            let handle = window.value.stringValue ?? ""
            let milliseconds = Int(commandTimeout / .milliseconds(1))
            _ = try await connection.send(
                .POST, "/session/\(session)/timeouts",
                [
                    "implicit": 0, "pageLoad": .int(milliseconds), "script": .int(milliseconds),
                ])
            return Browser(
                driver: driver, connection: connection, session: session, window: handle, startup: clock.now - started,
                slot: slot)
        } catch let error as PlaywriterError {
            await driver.terminate()
            throw error
        } catch {
            await driver.terminate()
            throw PlaywriterError(.driverFailed, "\(error)")
        }
    }

    /// A connection to the driver once it has announced its port and its `/status` says ready.
    private static func waitUntilReady(_ driver: DriverProcess, commandTimeout: Duration)
        async throws(PlaywriterError) -> WebDriverConnection
    {
        // Generous: it bounds a wait for what does happen (milliseconds on an idle machine), and a full
        // parallel test run on two cores once took more than 20 s to see chromedriver's /status answer.
        let deadline = ContinuousClock.now + .seconds(60)
        var connection: WebDriverConnection?
        var lastAnswer = "no port announced yet"
        while ContinuousClock.now < deadline {
            if driver.hasExited {
                throw PlaywriterError(.driverFailed, "chromedriver exited at start: \(driver.logTail)")
            }
            if connection == nil, let port = driver.announcedPort {
                connection = WebDriverConnection(port: port, timeout: commandTimeout)
                lastAnswer = "port \(port) announced, no answer yet"
            }
            if let connection {
                do {
                    let status = try await connection.send(.GET, "/status", timeout: .seconds(2))
                    if status.value["ready"]?.boolValue == true { return connection }
                    lastAnswer = "/status said \(status.value)"
                } catch {
                    lastAnswer = "/status failed: \(error)"
                }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        throw PlaywriterError(
            .driverFailed, "chromedriver was not ready within 60 s (last: \(lastAnswer)): \(driver.logTail)")
    }

    /// A new page: the first call returns the window the browser opened with, later ones open tabs.
    public func newPage() async throws(PlaywriterError) -> Page {
        pagesHandedOut += 1
        if pagesHandedOut == 1 { return Page(browser: self, handle: currentWindow) }
        let answer = try await command(nil, .POST, "window/new", ["type": "tab"], doing: "open a tab")
        guard let handle = answer["handle"]?.stringValue else {
            throw PlaywriterError(.driverFailed, "no handle for the new tab: \(answer)")
        }
        return Page(browser: self, handle: handle)
    }

    /// Sends one command of the session, in the page's tab; the W3C `value`, or a typed error.
    func command(
        _ window: String?, _ method: HTTPMethod, _ path: String, _ body: Term? = nil,
        doing what: @autoclosure () -> String
    ) async throws(PlaywriterError) -> Term {
        guard !closed else { throw PlaywriterError(.invalidSession, "the browser is closed") }
        if let window, window != currentWindow {
            let switched = try await connection.send(.POST, "/session/\(session)/window", ["handle": .string(window)])
            try Browser.check(switched, doing: "switch to the page's tab")
            currentWindow = window
        }
        // POST commands without parameters still send an empty object; GET and DELETE send no body at all.
        let payload: Term? = body ?? (method == .POST ? Term.object([:]) : Optional<Term>.none)
        let answer = try await connection.send(method, "/session/\(session)/\(path)", payload)
        try Browser.check(answer, doing: what())
        return answer.value
    }

    /// Turns a W3C error answer into a typed error.
    static func check(_ answer: WebDriverConnection.Answer, doing what: String) throws(PlaywriterError) {
        guard answer.status >= 400 || answer.value["error"] != nil else { return }
        let code = answer.value["error"]?.stringValue ?? "unknown error"
        var message = answer.value["message"]?.stringValue ?? "HTTP \(answer.status)"
        if let end = message.firstIndex(of: "\n") { message = String(message[..<end]) }
        throw PlaywriterError(
            PlaywriterError.Code(rawValue: code == "script timeout" ? "timeout" : code), "\(what): \(message)")
    }

    /// Ends the session and every browser process, and removes the temporary profile. Idempotent.
    public func close() async {
        guard !closed else { return }
        closed = true
        _ = try? await connection.send(.DELETE, "/session/\(session)", timeout: .seconds(5))
        await driver.terminate()
        slot?.release()
    }
}
