import Testing

@testable import Supervision

/// `SmallMap` keeps a process's links and monitors: an array up to `inlineLimit` entries, a dictionary past it.
@Suite struct SmallMapTests {
    @Test func entriesSurviveTheMoveFromTheArrayToTheDictionaryAndBack() {
        let limit = SmallMap<Int, String>.inlineLimit
        var map = SmallMap<Int, String>()
        let none = map.removeAny()
        #expect(map.isEmpty && map[1] == nil && none == nil)
        for key in 0..<(limit * 3) {
            let replaced = map.updateValue("v\(key)", forKey: key)
            #expect(replaced == nil)
            #expect(map.count == key + 1, "after \(key)")
        }
        let replaced = map.updateValue("new", forKey: limit)
        #expect(replaced == "v\(limit)", "replacing returns the old value")
        #expect(map.count == limit * 3)
        for key in 0..<(limit * 3) where key != limit { #expect(map[key] == "v\(key)") }
        let removed = map.removeValue(forKey: 0)
        let again = map.removeValue(forKey: 0)
        #expect(removed == "v0" && again == nil)
        map[1] = nil
        #expect(map[1] == nil && map.count == limit * 3 - 2)
        var seen = Set<Int>()
        map.forEach { key, _ in seen.insert(key) }
        #expect(seen == Set(2..<(limit * 3)))
        #expect(Set(map.keys) == seen)
        while let pair = map.removeAny() {
            let wasSeen = seen.remove(pair.key) != nil
            #expect(wasSeen)
        }
        #expect(seen.isEmpty && map.isEmpty)
    }

    @Test func removingFromTheArrayKeepsEveryOtherEntry() {
        var set = SmallSet<PID>()
        let pids = (1...5).map { PID(node: 0, number: UInt64($0), serial: 1) }
        for pid in pids {
            let added = set.insert(pid)
            #expect(added)
        }
        let addedTwice = set.insert(pids[2])
        #expect(!addedTwice, "a member is not added twice")
        let removed = set.remove(pids[1])
        let removedTwice = set.remove(pids[1])
        #expect(removed && !removedTwice)
        #expect(Set(set.keys) == Set(pids).subtracting([pids[1]]))
        #expect(set[pids[4]] != nil && set[pids[1]] == nil)
    }
}
