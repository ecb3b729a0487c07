import HummingbirdCore
import Logging

/// At most `maximum` connections served at once on one listener; while the cap is reached the listener
/// stops accepting (new connections wait in the kernel's queue), and each time it is reached the log says
/// so once, with the listener's name.
struct ConnectionCap: AvailableConnectionsDelegate {
    let maximum: Int
    let listener: String
    let logger: Logger
    private var open = 0

    init(_ maximum: Int, listener: String, logger: Logger) {
        self.maximum = max(1, maximum)
        self.listener = listener
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        if open == maximum {
            logger.warning(
                "connection cap reached: new connections wait until one closes",
                metadata: ["listener": .string(listener), "open": .stringConvertible(open)])
        }
    }

    mutating func connectionClosed() { open -= 1 }

    func isAcceptingNewConnections() -> Bool { open < maximum }
}
