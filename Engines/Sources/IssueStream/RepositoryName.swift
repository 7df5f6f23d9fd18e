/// `OWNER/NAME` as GitHub allows it. The name goes into request paths, so anything else
/// (`../etc`, an extra slash, a space, a non-ASCII letter) is refused before a request is built.
public enum RepositoryName {
    /// Why `text` is not `OWNER/NAME`, or nil when it is: OWNER is 1 to 39 letters, digits and
    /// hyphens, not starting with a hyphen; NAME is 1 to 100 letters, digits, `.`, `-` and `_`,
    /// and not `.` or `..`. Letters and digits are ASCII only.
    public static func problem(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "is not OWNER/NAME (one slash)" }
        let owner = parts[0]
        let name = parts[1]
        func plain(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        guard (1...39).contains(owner.count), owner.first != "-", owner.allSatisfy({ plain($0) || $0 == "-" }) else {
            return "has an owner that is not 1 to 39 letters, digits or hyphens (not starting with a hyphen)"
        }
        guard (1...100).contains(name.count), name != ".", name != "..",
            name.allSatisfy({ plain($0) || "._-".contains($0) })
        else {
            return "has a name that is not 1 to 100 letters, digits, '.', '-' or '_' (and not '.' or '..')"
        }
        return nil
    }
}
