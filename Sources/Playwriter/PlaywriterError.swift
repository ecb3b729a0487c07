/// Why a browser operation failed: the W3C WebDriver error code, what was being done, and where.
///
/// ```swift
/// do {
///     try await page.click("#buy")
/// } catch let error as PlaywriterError where error.code == .elementClickIntercepted {
///     // something covers the button
/// }
/// ```
public struct PlaywriterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The W3C error string (`no such element`) or one of Playwriter's own.
        public let rawValue: String
        /// Wraps a raw code.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The raw code.
        public var description: String { rawValue }

        /// No element matches the selector.
        public static let noSuchElement = Code(rawValue: "no such element")
        /// Another element would receive the click (the target is covered).
        public static let elementClickIntercepted = Code(rawValue: "element click intercepted")
        /// The element cannot be interacted with (hidden, disabled, zero size).
        public static let elementNotInteractable = Code(rawValue: "element not interactable")
        /// The element is no longer in the page.
        public static let staleElementReference = Code(rawValue: "stale element reference")
        /// The selector is not valid CSS.
        public static let invalidSelector = Code(rawValue: "invalid selector")
        /// An option or a command's argument is not valid (a browser limit that is not a positive number).
        public static let invalidArgument = Code(rawValue: "invalid argument")
        /// A script threw.
        public static let javascriptError = Code(rawValue: "javascript error")
        /// A wait or a page load did not finish in time.
        public static let timeout = Code(rawValue: "timeout")
        /// The browser could not navigate (bad URL, refused connection).
        public static let navigationFailed = Code(rawValue: "unknown error")
        /// chromium or chromedriver is missing.
        public static let unavailable = Code(rawValue: "unavailable")
        /// chromedriver did not start, or answered with something unexpected.
        public static let driverFailed = Code(rawValue: "driver failed")
        /// The session is gone (the browser crashed or was closed).
        public static let invalidSession = Code(rawValue: "invalid session id")
    }

    /// The code.
    public var code: Code
    /// One line saying what failed, with the selector and the URL when there are some.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
