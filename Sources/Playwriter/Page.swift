import NIOHTTP1
import Supervision

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One tab of a `Browser`: navigate, wait, read, act, script and capture.
///
/// ```swift
/// try await Playwriter.withBrowser { browser in
///     let page = try await browser.newPage()
///     try await page.goto("http://127.0.0.1:8080/")
///     try await page.fill("#name", "demo")
///     try await page.click("button[type=submit]")
///     try await page.waitForSelector("#result")
///     print(try await page.textContent("#result") ?? "")
/// }
/// ```
///
/// Selectors are CSS. Actions wait (up to `timeout`) for their element to be visible first, as a person
/// would; a click on a covered element fails with `elementClickIntercepted`.
public struct Page: Sendable {
    /// The browser the page belongs to.
    public let browser: Browser
    let handle: String

    /// What `waitForSelector` waits for.
    public enum SelectorState: String, Sendable, Hashable {
        /// In the document, visible or not.
        case attached
        /// In the document and rendered with a non-empty box.
        case visible
        /// Not rendered (or not in the document).
        case hidden
        /// Not in the document.
        case detached
    }

    // MARK: Navigation

    /// Opens `url` and waits for its load event.
    public func goto(_ url: String) async throws(PlaywriterError) {
        _ = try await browser.command(handle, .POST, "url", ["url": .string(url)], doing: "open \(url)")
    }

    /// The current URL.
    public func url() async throws(PlaywriterError) -> String {
        try await browser.command(handle, .GET, "url", doing: "read the URL").stringValue ?? ""
    }

    /// The document's title.
    public func title() async throws(PlaywriterError) -> String {
        try await browser.command(handle, .GET, "title", doing: "read the title").stringValue ?? ""
    }

    /// The page's HTML as it is now (the DOM serialised, scripts' changes included).
    public func content() async throws(PlaywriterError) -> String {
        try await browser.command(handle, .GET, "source", doing: "read the page").stringValue ?? ""
    }

    // MARK: Waiting

    /// Waits until an element matching `selector` is in `state`; throws `timeout` naming the selector,
    /// the state and the URL.
    public func waitForSelector(
        _ selector: String, state: SelectorState = .visible, timeout: Duration = .seconds(5)
    ) async throws(PlaywriterError) {
        let deadline = ContinuousClock.now + timeout
        var last = "detached"
        while true {
            last = try await evaluate(Page.stateScript, [.string(selector)]).stringValue ?? "detached"
            let reached =
                switch state {
                case .attached: last != "detached"
                case .visible: last == "visible"
                case .hidden: last != "visible"
                case .detached: last == "detached"
                }
            if reached { return }
            guard ContinuousClock.now < deadline else {
                throw PlaywriterError(
                    .timeout,
                    "waiting for \"\(selector)\" to be \(state.rawValue) (it is \(last)) at \((try? await url()) ?? "?") timed out after \(timeout)"
                )
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    static let stateScript = """
        const element = document.querySelector(arguments[0]);
        if (!element) return 'detached';
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none'
            ? 'visible' : 'hidden';
        """

    /// Waits until the function body `script` returns a truthy value, and returns it.
    public func waitForFunction(_ script: String, _ arguments: [Term] = [], timeout: Duration = .seconds(5))
        async throws(PlaywriterError) -> Term
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let value = try await evaluate(script, arguments)
            switch value {
            case .null, .bool(false), .int(0), .string(""): break
            default: return value
            }
            guard ContinuousClock.now < deadline else {
                throw PlaywriterError(.timeout, "waiting for a function to be truthy timed out after \(timeout)")
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    // MARK: Reading

    /// The `textContent` of the first match, or `nil` when nothing matches.
    public func textContent(_ selector: String) async throws(PlaywriterError) -> String? {
        try await evaluate(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", [.string(selector)]
        ).stringValue
    }

    /// An attribute of the first match, or `nil` when it has none.
    public func attribute(_ selector: String, _ name: String) async throws(PlaywriterError) -> String? {
        let element = try await find(selector)
        return try await browser.command(
            handle, .GET, "element/\(element)/attribute/\(name)", doing: "read \(name) of \"\(selector)\""
        ).stringValue
    }

    // MARK: Acting

    /// Clicks the first match once it is visible; `elementClickIntercepted` when something covers it.
    public func click(_ selector: String, timeout: Duration = .seconds(5)) async throws(PlaywriterError) {
        try await waitForSelector(selector, state: .visible, timeout: timeout)
        let element = try await find(selector)
        _ = try await browser.command(handle, .POST, "element/\(element)/click", doing: "click \"\(selector)\"")
    }

    /// Replaces the value of an input or text area with `text`, typing it as keys.
    public func fill(_ selector: String, _ text: String, timeout: Duration = .seconds(5)) async throws(PlaywriterError)
    {
        try await waitForSelector(selector, state: .visible, timeout: timeout)
        let element = try await find(selector)
        _ = try await browser.command(handle, .POST, "element/\(element)/clear", doing: "clear \"\(selector)\"")
        _ = try await browser.command(
            handle, .POST, "element/\(element)/value", ["text": .string(text)], doing: "type into \"\(selector)\"")
    }

    /// Selects the option whose value (or, failing that, label) is `value` in a `<select>`, firing
    /// `input` and `change` as a person's choice would.
    public func selectOption(_ selector: String, _ value: String, timeout: Duration = .seconds(5))
        async throws(PlaywriterError)
    {
        try await waitForSelector(selector, state: .visible, timeout: timeout)
        let chosen = try await evaluate(
            """
            const select = document.querySelector(arguments[0]);
            if (!select || !select.options) return 'not a select';
            const option = [...select.options].find(o => o.value === arguments[1])
                || [...select.options].find(o => o.label === arguments[1]);
            if (!option) return 'no option';
            select.value = option.value;
            select.dispatchEvent(new Event('input', { bubbles: true }));
            select.dispatchEvent(new Event('change', { bubbles: true }));
            return 'ok';
            """, [.string(selector), .string(value)])
        switch chosen.stringValue {
        case "ok": return
        case "no option": throw PlaywriterError(.noSuchElement, "\"\(selector)\" has no option \"\(value)\"")
        default: throw PlaywriterError(.noSuchElement, "\"\(selector)\" is not a <select>")
        }
    }

    // MARK: Scripts

    /// Runs `script` as the body of a function (use `return`), with `arguments` as `arguments[0]…`; its
    /// JSON result.
    @discardableResult
    public func evaluate(_ script: String, _ arguments: [Term] = []) async throws(PlaywriterError) -> Term {
        try await browser.command(
            handle, .POST, "execute/sync", ["script": .string(script), "args": .array(arguments)], doing: "run a script"
        )
    }

    /// A Chrome DevTools Protocol command through chromedriver's tunnel (`Page.getLayoutMetrics`, …).
    @discardableResult
    public func cdp(_ command: String, _ parameters: Term = [:]) async throws(PlaywriterError) -> Term {
        try await browser.command(
            handle, .POST, "goog/cdp/execute", ["cmd": .string(command), "params": parameters], doing: command)
    }

    // MARK: Capture

    /// A PNG of the viewport, or with `fullPage` of the whole scrollable page.
    public func screenshot(fullPage: Bool = false) async throws(PlaywriterError) -> [UInt8] {
        guard fullPage else {
            return try Page.decode(try await browser.command(handle, .GET, "screenshot", doing: "take a screenshot"))
        }
        let metrics = try await cdp("Page.getLayoutMetrics")
        let size = metrics["cssContentSize"] ?? metrics["contentSize"] ?? .null
        let width = size["width"]?.doubleValue ?? 0
        let height = size["height"]?.doubleValue ?? 0
        let shot = try await cdp(
            "Page.captureScreenshot",
            [
                "format": "png", "captureBeyondViewport": true,
                "clip": [
                    "x": 0, "y": 0, "width": .double(width.rounded(.up)), "height": .double(height.rounded(.up)),
                    "scale": 1,
                ],
            ])
        return try Page.decode(shot["data"] ?? .null)
    }

    /// A PNG of the first match.
    public func screenshot(of selector: String) async throws(PlaywriterError) -> [UInt8] {
        let element = try await find(selector)
        return try Page.decode(
            try await browser.command(handle, .GET, "element/\(element)/screenshot", doing: "capture \"\(selector)\""))
    }

    /// Emulates a viewport of `width` × `height` CSS pixels.
    public func setViewport(width: Int, height: Int) async throws(PlaywriterError) {
        try await cdp(
            "Emulation.setDeviceMetricsOverride",
            ["width": .int(width), "height": .int(height), "deviceScaleFactor": 1, "mobile": false])
    }

    // MARK: Elements

    func find(_ selector: String) async throws(PlaywriterError) -> String {
        let value = try await browser.command(
            handle, .POST, "element", ["using": "css selector", "value": .string(selector)],
            doing: "find \"\(selector)\"")
        guard let reference = value[Browser.elementKey]?.stringValue else {
            throw PlaywriterError(.noSuchElement, "no element matches \"\(selector)\"")
        }
        return reference
    }

    static func decode(_ value: Term) throws(PlaywriterError) -> [UInt8] {
        guard let text = value.stringValue, let data = Data(base64Encoded: text) else {
            throw PlaywriterError(.driverFailed, "the screenshot was not base64 PNG data")
        }
        return [UInt8](data)
    }
}
