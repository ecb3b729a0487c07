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

    @Test func parsingRejectsEverythingButThreeDecimalFieldsInOptionalBrackets() {
        for text in [
            "", "<>", "<0.1.2", "0.1.2>", "<0.1.2>x", "x<0.1.2>", "<<0.1.2>>", "0..2", ".1.2", "0.1.", "0.1.2.3",
            "0.1.2 ", " 0.1.2", "+0.1.2", "0.-1.2", "0.1.2\n", "0.1.٣", "4294967296.1.0", "0.1.4294967296",
            "0.18446744073709551616.0",
        ] {
            #expect(PID(parsing: text) == nil, "\(text.debugDescription) is not a PID")
        }
        #expect(
            PID(parsing: "4294967295.18446744073709551615.4294967295")
                == PID(node: .max, number: .max, serial: .max))
        #expect(PID(parsing: "<007.08.09>") == PID(node: 7, number: 8, serial: 9))
        #expect(PID(parsing: "0.1.2"[...]) == PID(node: 0, number: 1, serial: 2), "any StringProtocol")
        for pid in [PID(number: 1), PID(node: 3, number: 123_456_789, serial: 42), PID(node: .max, number: .max)] {
            #expect(PID(parsing: pid.description) == pid)
        }
    }
}

@Test func aPlainMessageStaysSmallToCopy() {
    // Every send copies a Message; the one-way message benchmark lost 2/3 of its rate at 72 bytes.
    #expect(MemoryLayout<PID>.size == 16)
    #expect(MemoryLayout<Message>.size <= 32)
}
