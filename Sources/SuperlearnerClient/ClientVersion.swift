/// The module's version, printed by `superlearner --version`.
public enum SuperlearnerClientModule {
    /// The module's version.
    public static let version = "0.1.0"
}
