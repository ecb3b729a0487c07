import Supervision

/// Reading the parameters an operation runs with. Validation has filled in every default and normalised
/// every value (durations to milliseconds), so a parameter with a default in its schema is always there:
/// these accessors read it without restating the default. Should one be missing after all (a schema
/// without the default the code assumes), the operation fails with an internal error naming it, never
/// with a guessed value.
extension [String: Term] {
    /// A text parameter that has a default (or is required).
    package func text(_ name: String) throws(OperationError) -> String {
        guard let text = self[name]?.stringValue else { throw .missingAfterValidation(name) }
        return text
    }

    /// An integer parameter that has a default (or is required).
    package func integer(_ name: String) throws(OperationError) -> Int {
        guard let number = self[name]?.intValue else { throw .missingAfterValidation(name) }
        return number
    }

    /// A duration parameter (milliseconds after validation) that has a default (or is required).
    package func duration(_ name: String) throws(OperationError) -> Duration {
        .milliseconds(try integer(name))
    }
}

extension OperationError {
    static func missingAfterValidation(_ name: String) -> OperationError {
        OperationError(
            .failed, code: "internal_error", "internal error: parameter \(name) has no value after validation")
    }
}
