/// A map for the few entries a process usually holds (its links, its monitors): up to `inlineLimit` of them
/// sit in an array and are found by comparison; past that they move to a dictionary, for good.
///
/// Most processes have one or two links and a monitor or two, and a supervisor's start and stop adds and
/// removes each child's. As `Set` and `Dictionary`, every one of those hashed its key with SipHash and
/// allocated seeded hash storage per process; a comparison of two 16-byte PIDs costs a few instructions. A
/// supervisor with many children still gets a dictionary's constant time.
struct SmallMap<Key: Hashable, Value> {
    /// Entries while there are few; empty once `table` holds them.
    private var pairs: [(key: Key, value: Value)] = []
    /// Every entry, once there were more than `inlineLimit`.
    private var table: [Key: Value]? = nil

    /// The most entries kept in the array: a scan of eight costs less than one SipHash.
    static var inlineLimit: Int { 8 }

    init() {}

    var count: Int { table?.count ?? pairs.count }

    var isEmpty: Bool { count == 0 }

    subscript(key: Key) -> Value? {
        get {
            if let table { return table[key] }
            for pair in pairs where pair.key == key { return pair.value }
            return nil
        }
        set {
            if let newValue { updateValue(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// Sets `value` for `key`; the value it replaced, if any.
    @discardableResult
    mutating func updateValue(_ value: Value, forKey key: Key) -> Value? {
        if table != nil { return table!.updateValue(value, forKey: key) }
        for index in pairs.indices where pairs[index].key == key {
            let old = pairs[index].value
            pairs[index].value = value
            return old
        }
        if pairs.count < Self.inlineLimit {
            if pairs.isEmpty { pairs.reserveCapacity(4) }
            pairs.append((key, value))
            return nil
        }
        var grown = [Key: Value](minimumCapacity: pairs.count * 2)
        for pair in pairs { grown[pair.key] = pair.value }
        grown[key] = value
        pairs = []
        table = grown
        return nil
    }

    /// Removes `key`; its value, if it had one.
    @discardableResult
    mutating func removeValue(forKey key: Key) -> Value? {
        if table != nil { return table!.removeValue(forKey: key) }
        for index in pairs.indices where pairs[index].key == key {
            // Order does not matter: the last entry fills the hole.
            pairs.swapAt(index, pairs.count - 1)
            return pairs.removeLast().value
        }
        return nil
    }

    /// Removes and returns some entry; nil when empty.
    mutating func removeAny() -> (key: Key, value: Value)? {
        if table != nil { return table!.popFirst() }
        return pairs.popLast()
    }

    /// Calls `body` with every entry, in no particular order.
    func forEach(_ body: (Key, Value) throws -> Void) rethrows {
        if let table {
            for (key, value) in table { try body(key, value) }
        } else {
            for pair in pairs { try body(pair.key, pair.value) }
        }
    }

    /// The keys, in no particular order.
    var keys: [Key] {
        if let table { return Array(table.keys) }
        return pairs.map(\.key)
    }

    /// The values, in no particular order.
    var values: [Value] {
        if let table { return Array(table.values) }
        return pairs.map(\.value)
    }
}

extension SmallMap: Sendable where Key: Sendable, Value: Sendable {}

/// A set of the few members a process usually has (its links); see `SmallMap`.
typealias SmallSet<Element: Hashable> = SmallMap<Element, Void>

extension SmallMap where Value == Void {
    /// Adds `member`; whether it was new.
    @discardableResult
    mutating func insert(_ member: Key) -> Bool { updateValue((), forKey: member) == nil }

    /// Removes `member`; whether it was there.
    @discardableResult
    mutating func remove(_ member: Key) -> Bool { removeValue(forKey: member) != nil }
}
