import Synchronization

/// The dashboard's sessions: a browser exchanges the token once (the login URL) for a random session id
/// kept in an HttpOnly, SameSite=Strict cookie, so the token never appears in later URLs. Sessions live
/// as long as the daemon; at most `capacity` are kept, the oldest forgotten first.
final class SessionStore: Sendable {
    /// The cookie that carries the session id.
    static let cookieName = "superlearner_session"

    private let sessions = Mutex<[String]>([])
    let capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// A new session id, remembered.
    func open() -> String {
        let id = AccessToken.generate()
        sessions.withLock { sessions in
            sessions.append(id)
            if sessions.count > capacity { sessions.removeFirst(sessions.count - capacity) }
        }
        return id
    }

    /// Whether `id` names a live session (compared in constant time per session).
    func isValid(_ id: some StringProtocol) -> Bool {
        sessions.withLock { sessions in
            var found = false
            for session in sessions where AccessToken.matches(id, session) { found = true }
            return found
        }
    }

    /// The `Set-Cookie` value for session `id`.
    static func cookie(_ id: String) -> String { "\(cookieName)=\(id); Path=/; HttpOnly; SameSite=Strict" }

    /// The session id in a `Cookie` header, if any.
    static func id(inCookieHeader header: String) -> Substring? {
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            if trimmed.hasPrefix(cookieName + "=") { return trimmed.dropFirst(cookieName.count + 1) }
        }
        return nil
    }
}
