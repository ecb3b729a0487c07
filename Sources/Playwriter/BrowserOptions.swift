#if canImport(Glibc)
    import Glibc
#endif

/// How to start the browser.
public struct BrowserOptions: Sendable, Hashable {
    /// The chromium binary; by default `$PLAYWRITER_CHROMIUM`, else the first of `/usr/bin/chromium` and
    /// `/usr/bin/chromium-browser`.
    public var chromium: String?
    /// The chromedriver binary; by default `$PLAYWRITER_CHROMEDRIVER`, else `/usr/bin/chromedriver`.
    public var chromedriver: String?
    /// Headless (the default); a visible window needs a display.
    public var headless: Bool
    /// The window's width in CSS pixels.
    public var width: Int
    /// The window's height in CSS pixels.
    public var height: Int
    /// Extra chromium arguments.
    public var arguments: [String]
    /// How long one WebDriver command may take, navigations and scripts included. By default
    /// `$PLAYWRITER_COMMAND_TIMEOUT` seconds, else 30 s. Raise it where a loaded machine makes pages slow.
    public var commandTimeout: Duration?
    /// At most this many browsers run at once for this user on this machine, counted across processes: a
    /// launch beyond it waits (up to `slotPatience`) for one to close. By default `$PLAYWRITER_MAX_BROWSERS`,
    /// else no limit. Set it where many test suites start browsers in parallel on few cores.
    public var maximumBrowsers: Int?
    /// The longest a launch waits for a place under `maximumBrowsers` before it throws `timeout`.
    public var slotPatience: Duration
    /// Where the places under `maximumBrowsers` are kept: `$TMPDIR/playwriter-slots-UID` by default. Every
    /// process counting against one limit must use the same folder.
    public var slotFolder: String?

    /// Creates options: headless, 1280×800.
    public init(
        chromium: String? = nil, chromedriver: String? = nil, headless: Bool = true,
        width: Int = 1280, height: Int = 800, arguments: [String] = [],
        commandTimeout: Duration? = nil, maximumBrowsers: Int? = nil, slotPatience: Duration = .seconds(600),
        slotFolder: String? = nil
    ) {
        self.chromium = chromium
        self.chromedriver = chromedriver
        self.headless = headless
        self.width = width
        self.height = height
        self.arguments = arguments
        self.commandTimeout = commandTimeout
        self.maximumBrowsers = maximumBrowsers
        self.slotPatience = slotPatience
        self.slotFolder = slotFolder
    }

    /// The limit on browsers running at once: `maximumBrowsers`, else `$PLAYWRITER_MAX_BROWSERS`, else none.
    /// - Throws: `invalidArgument` naming the value when it is not a whole number of at least 1.
    public func browserLimit() throws(PlaywriterError) -> Int? {
        if let maximumBrowsers {
            guard maximumBrowsers >= 1 else {
                throw PlaywriterError(.invalidArgument, "maximumBrowsers must be at least 1, not \(maximumBrowsers)")
            }
            return maximumBrowsers
        }
        guard let raw = getenv("PLAYWRITER_MAX_BROWSERS").map({ String(cString: $0) }), !raw.isEmpty else {
            return nil
        }
        guard let limit = Int(raw), limit >= 1 else {
            throw PlaywriterError(
                .invalidArgument, "PLAYWRITER_MAX_BROWSERS must be a whole number of at least 1, not \"\(raw)\"")
        }
        return limit
    }

    /// The limit on one WebDriver command: `commandTimeout`, else `$PLAYWRITER_COMMAND_TIMEOUT` seconds, else 30 s.
    /// - Throws: `invalidArgument` naming the value when it is not a positive number of seconds.
    public func commandLimit() throws(PlaywriterError) -> Duration {
        if let commandTimeout {
            guard commandTimeout > .zero else {
                throw PlaywriterError(.invalidArgument, "commandTimeout must be positive, not \(commandTimeout)")
            }
            return commandTimeout
        }
        guard let raw = getenv("PLAYWRITER_COMMAND_TIMEOUT").map({ String(cString: $0) }), !raw.isEmpty else {
            return .seconds(30)
        }
        guard let seconds = Double(raw), seconds.isFinite, seconds > 0, seconds <= 86_400 else {
            throw PlaywriterError(
                .invalidArgument,
                "PLAYWRITER_COMMAND_TIMEOUT must be a number of seconds above 0 and at most 86400, not \"\(raw)\"")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The binaries these options would start; `unavailable`, naming the Debian packages, when either is
    /// missing. Cheap: call it before preparing work that needs a browser.
    public func binaries() throws(PlaywriterError) -> (chromium: String, chromedriver: String) {
        func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        let browser =
            chromium ?? environment("PLAYWRITER_CHROMIUM")
            ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { access($0, X_OK) == 0 }
        let driver = chromedriver ?? environment("PLAYWRITER_CHROMEDRIVER") ?? "/usr/bin/chromedriver"
        guard let browser, access(browser, X_OK) == 0, access(driver, X_OK) == 0 else {
            throw PlaywriterError(
                .unavailable,
                "chromium and chromedriver are needed (Debian: apt-get install chromium chromium-driver); looked for \(chromium ?? "/usr/bin/chromium") and \(driver)"
            )
        }
        return (browser, driver)
    }
}
