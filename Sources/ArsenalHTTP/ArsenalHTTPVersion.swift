import Hummingbird

/// The module's version, printed by `superlearner --version`.
public enum ArsenalHTTPModule {
    /// The module's version.
    public static let version = "0.1.0"
}
