/// The `ArsenalHTTP` module. Its contents arrive with the issue that builds it (see DESIGN.md §1); for now it
/// declares its place in the module graph and its version, which `superlearner --version` prints.
public enum ArsenalHTTPModule {
    /// The module's version.
    public static let version = "0.1.0"
}
