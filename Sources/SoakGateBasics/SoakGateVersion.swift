/// The project's version, in one place: every executable's `--version`, every report's `tool`
/// field and the newest released heading of CHANGELOG.md (a test keeps the two equal).
public enum SoakGateVersion {
    /// Semantic version of the last release; work since then is under "Unreleased" in the CHANGELOG.
    public static let current = "0.1.0"
}
