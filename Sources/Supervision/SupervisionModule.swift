/// The Supervision module's version, printed by `superlearner --version`.
public enum SupervisionModule {
    /// The module's version.
    public static let version = "0.1.0"
}
