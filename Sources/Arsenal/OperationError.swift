import Schema
import Supervision

/// Why an operation did not succeed: a kind, a stable code, a message, and optionally the field at fault
/// and details. The kind says what class of failure it is; the HTTP adapter maps kinds to statuses (and the
/// command line statuses to exit codes), each in one place.
public struct OperationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure (ArsenalHTTP's `Kind.httpStatus` gives the status of each).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Malformed input (400).
        case badRequest = "bad_request"
        /// No credentials, or not the right ones (401).
        case unauthorized
        /// A destructive action refused by policy, or a request refused for where it came from (403).
        case forbidden
        /// No such operation, process, sandbox, trace or node (404).
        case notFound = "not_found"
        /// A call timed out (408).
        case timeout
        /// A duplicate or a resource busy with another request (409).
        case conflict
        /// Parameters failed validation (422).
        case validation
        /// The service is shutting down (503).
        case unavailable
        /// The operation ran and failed (500 only for faults of our own, never for bad input).
        case failed
    }

    /// The class of failure.
    public var kind: Kind
    /// A stable snake_case code (`validation_failed`, `process_not_found`, …).
    public var code: String
    /// One sentence saying what and where.
    public var message: String
    /// The offending field, when there is one.
    public var field: String?
    /// Further data (for validation: every failing field).
    public var details: Term?

    /// Creates an error.
    public init(_ kind: Kind, code: String, _ message: String, field: String? = nil, details: Term? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.field = field
        self.details = details
    }

    /// `{"error": {"code", "message", "field"?, "details"?}}`, the API's error envelope.
    public var term: Term {
        var body: [String: Term] = ["code": .string(code), "message": .string(message)]
        if let field { body["field"] = .string(field) }
        if let details { body["details"] = details }
        return ["error": .object(body)]
    }

    /// The message.
    public var description: String { message }

    /// Validation failed on these fields; the first one is named as `field`, all are in `details`.
    public static func validation(_ errors: [FieldError]) -> OperationError {
        // The message names ten fields at most; `details` lists up to a hundred.
        let shown = errors.prefix(10).map(\.description).joined(separator: "; ")
        let message =
            errors.count == 1
            ? "invalid parameter \(errors[0])"
            : "invalid parameters: " + shown + (errors.count > 10 ? "; and \(errors.count - 10) more" : "")
        return OperationError(
            .validation, code: "validation_failed", message, field: errors.first?.field,
            details: .array(errors.prefix(100).map(\.term)))
    }

    /// No process answers to `target`.
    public static func processNotFound(_ target: String) -> OperationError {
        OperationError(.notFound, code: "process_not_found", "no process \(target)", field: "pid")
    }
}
