import Supervision

/// Browser automation on Debian's Chromium through W3C WebDriver.
///
/// ```swift
/// import Playwriter
///
/// let html = try await Playwriter.fetchHTML("http://127.0.0.1:8080/")
/// try await Playwriter.withBrowser { browser in
///     let page = try await browser.newPage()
///     try await page.goto("http://127.0.0.1:8080/")
///     let png = try await page.screenshot(fullPage: true)
/// }
/// ```
///
/// Each `withBrowser` starts chromedriver on a free loopback port with a fresh profile and ends every
/// process it started, and removes the profile, when the body returns, throws or is cancelled.
public enum Playwriter {
    /// The library's version.
    public static var version: String { Superlearner.version }

    /// Starts a browser, runs `body` with it, and closes it whatever happens.
    /// - Throws: `PlaywriterError.unavailable` when chromium or chromedriver is missing; whatever `body`
    ///   throws.
    /// - Parameter isolation: the caller's actor, which `body` runs on (so it may touch the caller's state).
    public static func withBrowser<Result: Sendable>(
        _ options: BrowserOptions = BrowserOptions(), isolation: isolated (any Actor)? = #isolation,
        _ body: (Browser) async throws -> Result
    ) async throws -> Result {
        let browser = try await Browser.launch(options)
        do {
            let result = try await body(browser)
            await browser.close()
            return result
        } catch {
            await browser.close()
            throw error
        }
    }

    /// The HTML of `url` once loaded (scripts run), in a browser of its own.
    public static func fetchHTML(_ url: String, options: BrowserOptions = BrowserOptions()) async throws -> String {
        try await withBrowser(options) { browser in
            let page = try await browser.newPage()
            try await page.goto(url)
            return try await page.content()
        }
    }

    /// A PNG of `url`, of the viewport or of the whole page.
    public static func screenshot(_ url: String, fullPage: Bool = false, options: BrowserOptions = BrowserOptions())
        async throws -> [UInt8]
    {
        try await withBrowser(options) { browser in
            let page = try await browser.newPage()
            try await page.goto(url)
            return try await page.screenshot(fullPage: fullPage)
        }
    }
}
