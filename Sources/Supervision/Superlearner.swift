/// The superlearner package as a whole.
public enum Superlearner {
    /// The version of every module of the package (they are released together), printed by
    /// `superlearner --version` and reported by the daemon, `system_info` and the OpenAPI document.
    public static let version = "0.1.0"
}
