import Playwriter

/// What a page showed.
public struct PageReport: Sendable, Hashable {
    /// The document's title.
    public var title: String
    /// Whether the expected text was found.
    public var found: Bool
    /// The full-page screenshot's width in pixels.
    public var width: Int
    /// The full-page screenshot's height in pixels.
    public var height: Int

    /// Creates a report.
    public init(title: String, found: Bool, width: Int, height: Int) {
        self.title = title
        self.found = found
        self.width = width
        self.height = height
    }
}

/// Opens `url`, waits for `selector`, looks for `text` in it and returns the full-page screenshot beside
/// what it found.
public func check(_ url: String, selector: String = "body", text: String) async throws -> (PageReport, [UInt8]) {
    try await Playwriter.withBrowser { browser in
        let page = try await browser.newPage()
        try await page.goto(url)
        try await page.waitForSelector(selector, timeout: .seconds(10))
        let content = try await page.textContent(selector) ?? ""
        let png = try await page.screenshot(fullPage: true)
        let image = try PNGImage(png)
        let report = PageReport(
            title: try await page.title(), found: content.contains(text), width: image.width, height: image.height)
        return (report, png)
    }
}
