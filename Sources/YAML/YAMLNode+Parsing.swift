import CYAML

extension YAMLNode {
    /// The deepest a document may nest, counting what its aliases bring in. Far deeper than any spec or
    /// plan; shallow enough that composing, comparing and freeing a node never runs out of stack.
    public static let maximumDepth = 256

    /// Reads the single document in `text`, or `nil` when it holds none (empty, or only comments).
    ///
    /// Aliases share the node their anchor names, so an alias bomb composes in a moment; whoever walks the
    /// result expanded should count nodes (a spec does). An alias may only name an anchor already closed,
    /// so a document cannot contain itself.
    /// - Throws: `YAMLError` with the line and column of malformed text, a second document, an unknown alias,
    ///   a key that is not a scalar, an unsupported tag or nesting past `maximumDepth`.
    public static func parse(_ text: String) throws(YAMLError) -> YAMLNode? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        let result: Result<YAMLNode?, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            let composer = Composer(buffer)
            do throws(YAMLError) {
                return .success(try composer.document())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// Composes libyaml's events into one `YAMLNode`. A class because libyaml's parser must stay at one
/// address from initialisation to deletion, and deletion belongs in `deinit`.
private final class Composer {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    /// Each closed anchor's node and its height, so aliases count toward the depth limit.
    private var anchors: [String: (node: YAMLNode, height: Int)] = [:]

    init(_ input: UnsafeBufferPointer<UInt8>) {
        parser = .allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        // Fails only when malloc does; the first parse call then reports YAML_MEMORY_ERROR.
        _ = yaml_parser_initialize(parser)
        yaml_parser_set_input_string(parser, input.baseAddress, input.count)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    func document() throws(YAMLError) -> YAMLNode? {
        _ = try next()  // stream start
        let first = try next()
        guard case .documentStart = first.kind else { return nil }  // stream end: no document
        let (root, _) = try node(from: try next(), depth: 1)
        _ = try next()  // document end
        let after = try next()
        if case .documentStart = after.kind {
            throw YAMLError(at: after, "expected a single document, found a second one")
        }
        return root
    }

    /// The node `event` starts and its height (1 for a scalar).
    private func node(from event: Event, depth: Int) throws(YAMLError) -> (YAMLNode, Int) {
        guard depth <= YAMLNode.maximumDepth else {
            throw YAMLError(at: event, "nested deeper than \(YAMLNode.maximumDepth) levels")
        }
        switch event.kind {
        case .alias(let name):
            guard let anchored = anchors[name] else {
                throw YAMLError(at: event, "alias *\(name) names no anchor defined before it")
            }
            guard depth - 1 + anchored.height <= YAMLNode.maximumDepth else {
                throw YAMLError(
                    at: event, "alias *\(name) nests the document deeper than \(YAMLNode.maximumDepth) levels")
            }
            return (anchored.node, anchored.height)
        case .scalar(let scalar):
            let value = try scalar.value(at: event)
            remember(scalar.anchor, value, height: 1)
            return (value, 1)
        case .sequenceStart(let anchor):
            var items: [YAMLNode] = []
            var height = 1
            while true {
                let item = try next()
                if case .sequenceEnd = item.kind { break }
                let (value, itemHeight) = try node(from: item, depth: depth + 1)
                items.append(value)
                height = max(height, itemHeight + 1)
            }
            remember(anchor, .sequence(items), height: height)
            return (.sequence(items), height)
        case .mappingStart(let anchor):
            var pairs: [YAMLNode.Pair] = []
            var height = 1
            while true {
                let keyEvent = try next()
                if case .mappingEnd = keyEvent.kind { break }
                let (key, _) = try node(from: keyEvent, depth: depth + 1)
                guard let name = Composer.keyText(key, keyEvent) else {
                    throw YAMLError(at: keyEvent, "a mapping key must be a scalar")
                }
                let (value, valueHeight) = try node(from: try next(), depth: depth + 1)
                pairs.append(.init(key: name, value: value))
                height = max(height, valueHeight + 1)
            }
            remember(anchor, .mapping(pairs), height: height)
            return (.mapping(pairs), height)
        default:
            throw YAMLError(at: event, "unexpected \(event.kind)")
        }
    }

    /// A key as written: the scalar's own text, whatever it resolved to.
    private static func keyText(_ key: YAMLNode, _ event: Event) -> String? {
        if case .scalar(let scalar) = event.kind { return scalar.text }
        if case .alias = event.kind, case .string(let text) = key { return text }
        return nil
    }

    private func remember(_ anchor: String?, _ node: YAMLNode, height: Int) {
        if let anchor { anchors[anchor] = (node, height) }
    }

    /// The next event, copied out of libyaml's and freed, so no path can leak one.
    private func next() throws(YAMLError) -> Event {
        var raw = yaml_event_t()
        guard yaml_parser_parse(parser, &raw) == 1 else { throw YAMLError(parser.pointee) }
        defer { yaml_event_delete(&raw) }
        return Event(raw)
    }
}

/// What the composer needs of a libyaml event.
private struct Event {
    enum Kind: CustomStringConvertible {
        case streamStart, streamEnd, documentStart, documentEnd
        case alias(String)
        case scalar(Scalar)
        case sequenceStart(anchor: String?), sequenceEnd
        case mappingStart(anchor: String?), mappingEnd

        var description: String {
            switch self {
            case .streamStart: "start of stream"
            case .streamEnd: "end of stream"
            case .documentStart: "start of document"
            case .documentEnd: "end of document"
            case .alias: "alias"
            case .scalar: "scalar"
            case .sequenceStart: "start of sequence"
            case .sequenceEnd: "end of sequence"
            case .mappingStart: "start of mapping"
            case .mappingEnd: "end of mapping"
            }
        }
    }

    struct Scalar {
        var text: String
        var anchor: String?
        var tag: String?
        /// Written plain with no tag: its type comes from its text.
        var plainImplicit: Bool

        func value(at event: Event) throws(YAMLError) -> YAMLNode {
            let core = "tag:yaml.org,2002:"
            switch tag {
            case nil: return plainImplicit ? PlainScalar.resolve(text) : .string(text)
            case "!", core + "str": return .string(text)
            case core + "null": if PlainScalar.isNull(text) { return .null }
            case core + "bool": if let value = PlainScalar.bool(text) { return .bool(value) }
            case core + "int": if let value = PlainScalar.int(text) { return value }
            case core + "float": if let value = PlainScalar.double(text) { return .double(value) }
            case let other?: throw YAMLError(at: event, "unsupported tag \(other)")
            }
            let name = tag.map { $0.hasPrefix(core) ? "!!" + $0.dropFirst(core.count) : $0 } ?? ""
            throw YAMLError(at: event, "'\(text)' is not a valid \(name)")
        }
    }

    var kind: Kind
    var line: Int
    var column: Int

    init(_ raw: yaml_event_t) {
        line = Int(raw.start_mark.line) + 1
        column = Int(raw.start_mark.column) + 1
        switch raw.type {
        case YAML_STREAM_START_EVENT: kind = .streamStart
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_ALIAS_EVENT: kind = .alias(Event.text(raw.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            kind = .scalar(
                Scalar(
                    text: text, anchor: Event.text(scalar.anchor), tag: Event.text(scalar.tag),
                    plainImplicit: scalar.plain_implicit == 1))
        case YAML_SEQUENCE_START_EVENT: kind = .sequenceStart(anchor: Event.text(raw.data.sequence_start.anchor))
        case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT: kind = .mappingStart(anchor: Event.text(raw.data.mapping_start.anchor))
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        default: kind = .streamEnd
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

extension YAMLError {
    fileprivate init(at event: Event, _ message: String) {
        self.init(line: event.line, column: event.column, message: message)
    }

    /// libyaml's own account: its problem, and what it was reading when it found it.
    fileprivate init(_ parser: yaml_parser_t) {
        let problem = parser.problem.map { String(cString: $0) } ?? "the parser ran out of memory"
        var message = problem
        if let context = parser.context {
            let mark = parser.context_mark
            message += " (\(String(cString: context)) started at line \(mark.line + 1), column \(mark.column + 1))"
        }
        self.init(
            line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1, message: message)
    }
}
