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
    /// How long one WebDriver command may take (navigations included).
    public var commandTimeout: Duration

    /// Creates options: headless, 1280×800.
    public init(
        chromium: String? = nil, chromedriver: String? = nil, headless: Bool = true,
        width: Int = 1280, height: Int = 800, arguments: [String] = [],
        commandTimeout: Duration = .seconds(30)
    ) {
        self.chromium = chromium
        self.chromedriver = chromedriver
        self.headless = headless
        self.width = width
        self.height = height
        self.arguments = arguments
        self.commandTimeout = commandTimeout
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
