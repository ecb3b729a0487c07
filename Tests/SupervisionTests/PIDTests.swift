import Supertester
import Testing

@testable import Supervision

@Suite struct PIDTests {
    @Test func parsesWithAndWithoutAngleBrackets() {
        #expect(PID(parsing: "<0.42.0>") == PID(node: 0, number: 42, serial: 0))
        #expect(PID(parsing: "1.7.3") == PID(node: 1, number: 7, serial: 3))
        #expect(PID(parsing: "<0.42>") == nil)
        #expect(PID(parsing: "abc") == nil)
        #expect(PID(node: 0, number: 5, serial: 2).description == "<0.5.2>")
    }
}

@Test func aPlainMessageStaysSmallToCopy() {
    // Every send copies a Message; the one-way message benchmark lost 2/3 of its rate at 72 bytes.
    #expect(MemoryLayout<PID>.size == 16)
    #expect(MemoryLayout<Message>.size <= 32)
}
