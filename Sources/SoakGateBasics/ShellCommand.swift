/// A command line as a user types it again: what a stopped run prints so the user can complete
/// it. One implementation for every tool here.
public enum ShellCommand {
    /// `arguments` (the program first) as one POSIX shell line with `--resume` added once and
    /// `extra` after it. A URL or connection string shows `***` for its password and
    /// password-like parameters (the user types them again, or keeps them in `PGPASSWORD` or
    /// `~/.pgpass`); its user name stays, so the command connects as the same user.
    public static func line(resuming arguments: [String], adding extra: [String] = []) -> String {
        var words = arguments.map(hidingSecrets)
        if !words.dropFirst().contains("--resume") { words.append("--resume") }
        return (words + extra).map(quoted).joined(separator: " ")
    }

    /// `word` with the secrets of a URL or connection string in it replaced by `***`, also in
    /// the `--flag=value` form.
    public static func hidingSecrets(_ word: String) -> String {
        if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
            return String(word[...equals]) + hidingSecrets(String(word[word.index(after: equals)...]))
        }
        guard let schemeEnd = word.firstRange(of: "://") else {
            return word.contains("=") ? Redaction.url(word) : word
        }
        let scheme = word[..<schemeEnd.upperBound]
        let afterScheme = word[schemeEnd.upperBound...]
        guard let at = afterScheme.lastIndex(of: "@") else { return Redaction.url(word) }
        var user = String(afterScheme[..<at])
        if let colon = user.firstIndex(of: ":") { user = user[..<colon] + ":" + Redaction.mask }
        // The rest has no `@` left, so Redaction hides only its password-like parameters.
        let rest = Redaction.url(String(scheme) + afterScheme[afterScheme.index(after: at)...])
        return String(scheme) + user + "@" + rest.dropFirst(scheme.count)
    }

    /// `word` as a shell reads it back: bare when it holds only safe characters, else in single
    /// quotes (a quote inside becomes `'\''`).
    public static func quoted(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || "-_./:=@%+,".unicodeScalars.contains(scalar)
            }
        if plain { return word }
        var quoted = "'"
        for character in word {
            if character == "'" { quoted += "'\\''" } else { quoted.append(character) }
        }
        return quoted + "'"
    }
}
