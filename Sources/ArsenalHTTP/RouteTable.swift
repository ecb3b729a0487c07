import Arsenal

/// Maps method + path onto operations, from their REST bindings: the ArsenalPlug of this world.
///
/// Paths are matched on raw, still-encoded segments, so a `{pid}` segment may carry an encoded path
/// (`demo%2Fcounter_1`); each captured segment is percent-decoded afterwards.
public struct RouteTable: Sendable {
    struct Route: Sendable {
        let method: HTTPVerb
        let segments: [Segment]
        let operation: String
        let successStatus: Int
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// What a lookup found.
    public enum Match: Sendable, Equatable {
        /// An operation, with its status on success and the decoded path parameters.
        case operation(name: String, successStatus: Int, pathParameters: [String: String])
        /// The path exists, but not for this method; the allowed methods.
        case methodNotAllowed([String])
        /// No such path.
        case notFound
    }

    let routes: [Route]

    /// Builds the table from every operation of `registry` that has a REST binding.
    public init(registry: OperationRegistry) {
        routes = registry.all.compactMap { operation in
            guard let rest = operation.rest else { return nil }
            let segments = rest.path.split(separator: "/").map { segment -> Segment in
                segment.hasPrefix("{") && segment.hasSuffix("}")
                    ? .parameter(String(segment.dropFirst().dropLast())) : .literal(String(segment))
            }
            return Route(method: rest.method, segments: segments, operation: operation.name, successStatus: rest.successStatus)
        }.sorted { lhs, rhs in
            // More literal segments first, so a literal route wins over a parameter route of the same shape.
            lhs.segments.filter { if case .literal = $0 { true } else { false } }.count
                > rhs.segments.filter { if case .literal = $0 { true } else { false } }.count
        }
    }

    /// Finds the operation for `method` and the raw (encoded) `path`.
    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var allowed: [String] = []
        for route in routes where route.segments.count == parts.count {
            var captured: [String: String] = [:]
            var matches = true
            for (segment, part) in zip(route.segments, parts) {
                switch segment {
                case .literal(let literal):
                    if literal != part { matches = false }
                case .parameter(let name):
                    guard let decoded = percentDecode(part), !decoded.isEmpty else {
                        matches = false
                        break
                    }
                    captured[name] = decoded
                }
                if !matches { break }
            }
            guard matches else { continue }
            // Literal routes win over parameter routes of the same shape (…/cluster/health vs …/{x}).
            if route.method.rawValue == method {
                return .operation(name: route.operation, successStatus: route.successStatus, pathParameters: captured)
            }
            allowed.append(route.method.rawValue)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(Array(Set(allowed)).sorted())
    }
}

/// `%XX` decoding (and `+` as space when `plusAsSpace`); `nil` for malformed escapes or invalid UTF-8.
func percentDecode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String? {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
        switch byte {
        case UInt8(ascii: "%"):
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
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
