/// An HTTP method of the daemon's API.
public enum HTTPVerb: String, Sendable, Hashable, CaseIterable {
    /// GET.
    case get = "GET"
    /// POST.
    case post = "POST"
    /// PUT.
    case put = "PUT"
    /// PATCH.
    case patch = "PATCH"
    /// DELETE.
    case delete = "DELETE"

    /// Whether parameters travel in a JSON body (POST, PUT, PATCH) rather than the query string.
    public var hasBody: Bool { self == .post || self == .put || self == .patch }
}

/// One route of the daemon's HTTP API: a method and a path template with `{name}` segments.
///
/// The daemon registers its handlers against these values and the client builds its request paths from
/// the same values, so a path is written once:
///
/// ```swift
/// let path = Route(.get, "/api/v1/sandboxes/{sandbox_id}").path(["sandbox_id": "demo"])
/// // "/api/v1/sandboxes/demo"
/// ```
public struct Route: Sendable, Hashable, CustomStringConvertible {
    /// The method.
    public var method: HTTPVerb
    /// The path template, such as `/api/v1/processes/{pid}/info`.
    public var template: String

    /// Creates a route.
    public init(_ method: HTTPVerb, _ template: String) {
        self.method = method
        self.template = template
    }

    /// The template's segments: literals and `{name}` parameters.
    public var segments: [Segment] {
        var segments: [Segment] = []
        forEachSegment { segments.append($0) }
        return segments
    }

    /// The names of the `{name}` segments, in order.
    public var pathParameters: [String] {
        var names: [String] = []
        forEachSegment { if case .parameter(let name) = $0 { names.append(name) } }
        return names
    }

    /// Calls `body` with each segment of the template in order (empty ones, as between two slashes, are
    /// skipped). No array of substrings or segments is built: a command builds one request path, and the
    /// first use of those array types was a twentieth of what `superlearner sandbox list` executed.
    func forEachSegment(_ body: (Segment) -> Void) {
        let bytes = template.utf8
        var start = bytes.startIndex
        while start < bytes.endIndex {
            guard bytes[start] != UInt8(ascii: "/") else {
                start = bytes.index(after: start)
                continue
            }
            var stop = start
            while stop < bytes.endIndex && bytes[stop] != UInt8(ascii: "/") { stop = bytes.index(after: stop) }
            let segment = template[start..<stop]
            body(
                segment.hasPrefix("{") && segment.hasSuffix("}")
                    ? .parameter(String(segment.dropFirst().dropLast())) : .literal(String(segment)))
            start = stop
        }
    }

    /// The request path: every `{name}` filled from `parameters` (percent-encoded, so a child path such as
    /// `demo/counter_1` stays one segment) and `query` appended in the order given.
    ///
    /// A parameter missing from `parameters` is a programming error: the route's own template names it.
    public func path(_ parameters: [String: String] = [:], query: [(String, String)] = []) -> String {
        var path = ""
        forEachSegment { segment in
            switch segment {
            case .literal(let literal): path += "/" + literal
            case .parameter(let name):
                guard let value = parameters[name] else {
                    preconditionFailure("\(self) needs the path parameter \(name)")
                }
                path += "/" + percentEncode(value)
            }
        }
        if path.isEmpty { path = "/" }
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    /// `GET /api/v1/daemon`.
    public var description: String { "\(method.rawValue) \(template)" }

    /// A segment of a path template.
    public enum Segment: Sendable, Hashable {
        /// Matched as written.
        case literal(String)
        /// Captures one (percent-decoded) segment under this name.
        case parameter(String)
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters: one path segment or query value.
public func percentEncode(_ text: some StringProtocol) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}

/// `%XX` decoding (and `+` as space when `plusAsSpace`); `nil` for malformed escapes or invalid UTF-8.
public func percentDecode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String? {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
        switch byte {
        case UInt8(ascii: "%"):
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        case UInt8(ascii: "+") where plusAsSpace:
            bytes.append(UInt8(ascii: " "))
        default:
            bytes.append(byte)
        }
    }
    return String(validating: bytes, as: UTF8.self)
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
