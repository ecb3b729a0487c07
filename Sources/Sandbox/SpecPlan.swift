import Supervision

/// One version of a sandbox's spec: what `sandbox history` lists and `sandbox rollback` returns to.
public struct SpecVersion: Sendable, Hashable {
    /// 1 for the spec the sandbox was created with, then one more per apply or rollback.
    public var number: Int
    /// The spec.
    public var spec: SandboxSpec
    /// When it was applied, seconds since 1970.
    public var appliedAt: Double
    /// What made it (`create`, `apply`, `rollback to 2`).
    public var origin: String

    /// Creates a version.
    public init(number: Int, spec: SandboxSpec, appliedAt: Double, origin: String) {
        self.number = number
        self.spec = spec
        self.appliedAt = appliedAt
        self.origin = origin
    }

    /// The API shape.
    public var term: Term {
        [
            "version": .int(number), "applied_at": .double(appliedAt), "origin": .string(origin),
            "strategy": .string(spec.strategy.rawValue), "children": .array(spec.children.map { .string($0.id) }),
            "spec": spec.term,
        ]
    }

    /// Reads the shape back.
    public init?(term: Term) {
        guard let number = term["version"]?.intValue, let specTerm = term["spec"],
            let spec = try? SandboxSpec(term: specTerm)
        else { return nil }
        self.init(
            number: number, spec: spec, appliedAt: term["applied_at"]?.doubleValue ?? 0,
            origin: term["origin"]?.stringValue ?? "apply")
    }
}

/// What moving a running tree from one spec to another does, at its root: which children are added,
/// removed, changed (restarted with their new spec) and kept (left running with their PIDs), and whether the
/// root's strategy or budget change. A nested supervisor whose own spec changed counts as a changed child.
public struct SpecPlan: Sendable, Hashable {
    /// Children only in the new spec, started.
    public var added: [String]
    /// Children only in the old spec, stopped.
    public var removed: [String]
    /// Children in both whose spec differs, restarted.
    public var changed: [String]
    /// Children in both, identical, left running.
    public var kept: [String]
    /// `old → new` for each root flag that changes (strategy, max_restarts, max_seconds, auto_shutdown).
    public var flags: [String: String]

    /// The plan from `old` to `new`.
    public init(from old: SandboxSpec, to new: SandboxSpec) {
        let before = Dictionary(old.children.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Set(new.children.map(\.id))
        added = new.children.filter { before[$0.id] == nil }.map(\.id)
        removed = old.children.filter { !after.contains($0.id) }.map(\.id)
        changed = new.children.filter { before[$0.id] != nil && before[$0.id] != $0 }.map(\.id)
        kept = new.children.filter { before[$0.id] == $0 }.map(\.id)
        var flags: [String: String] = [:]
        if old.strategy != new.strategy { flags["strategy"] = "\(old.strategy.rawValue) → \(new.strategy.rawValue)" }
        if old.maxRestarts != new.maxRestarts { flags["max_restarts"] = "\(old.maxRestarts) → \(new.maxRestarts)" }
        if old.maxSeconds != new.maxSeconds { flags["max_seconds"] = "\(old.maxSeconds) → \(new.maxSeconds)" }
        if old.autoShutdown != new.autoShutdown {
            flags["auto_shutdown"] = "\(old.autoShutdown.rawValue) → \(new.autoShutdown.rawValue)"
        }
        self.flags = flags
    }

    /// Whether nothing changes.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty && flags.isEmpty }

    /// The API shape.
    public var term: Term {
        [
            "added": .array(added.map(Term.string)), "removed": .array(removed.map(Term.string)),
            "changed": .array(changed.map(Term.string)), "kept": .array(kept.map(Term.string)),
            "flags": .object(flags.mapValues(Term.string)), "empty": .bool(isEmpty),
        ]
    }
}
