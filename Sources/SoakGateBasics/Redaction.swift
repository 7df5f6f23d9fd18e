/// Hides credentials in text shown to people: every message, log line, report and error of this
/// project passes a URL or connection string through here before it is shown.
public enum Redaction {
    /// What replaces a secret.
    public static let mask = "***"

    /// `text` (a URL or a libpq `key=value` connection string) with its user information and
    /// password-like parameters replaced by `***`. Works on text that does not parse: anything
    /// between `://` and the last `@` is hidden, so a password holding `/`, `?` or `[` is hidden too.
    public static func url(_ text: String) -> String {
        guard let schemeEnd = text.firstRange(of: "://") else { return keywordValue(text) }
        let afterScheme = text[schemeEnd.upperBound...]
        var result = String(text[..<schemeEnd.upperBound])
        var rest = Substring(afterScheme)
        if let at = afterScheme.lastIndex(of: "@") {
            result += mask + "@"
            rest = afterScheme[afterScheme.index(after: at)...]
        }
        guard let question = rest.firstIndex(of: "?") else { return result + rest }
        result += rest[...question]
        let query = rest[rest.index(after: question)...]
        let fragmentStart = query.firstIndex(of: "#") ?? query.endIndex
        let parameters = query[..<fragmentStart].split(separator: "&", omittingEmptySubsequences: false).map {
            parameter -> String in
            guard let equals = parameter.firstIndex(of: "="), isSecretName(parameter[..<equals]) else {
                return String(parameter)
            }
            return parameter[...equals] + mask
        }
        return result + parameters.joined(separator: "&") + query[fragmentStart...]
    }

    /// A libpq `key=value` connection string with password-like values replaced by `***`.
    static func keywordValue(_ text: String) -> String {
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "=") else {
                result += text[index...]
                break
            }
            let keyStart =
                text[index..<equals].lastIndex(where: { $0 == " " || $0 == "\t" }).map(text.index(after:)) ?? index
            result += text[index..<text.index(after: equals)]
            var valueEnd = text.index(after: equals)
            while valueEnd < text.endIndex, text[valueEnd] == " " { valueEnd = text.index(after: valueEnd) }
            if valueEnd < text.endIndex, text[valueEnd] == "'" {
                // A quoted value runs to the next unescaped quote.
                var cursor = text.index(after: valueEnd)
                while cursor < text.endIndex, text[cursor] != "'" {
                    if text[cursor] == "\\" {
                        cursor = text.index(after: cursor)
                        if cursor == text.endIndex { break }
                    }
                    cursor = text.index(after: cursor)
                }
                valueEnd = cursor < text.endIndex ? text.index(after: cursor) : cursor
            } else {
                while valueEnd < text.endIndex, text[valueEnd] != " " { valueEnd = text.index(after: valueEnd) }
            }
            result += isSecretName(text[keyStart..<equals]) ? mask : String(text[text.index(after: equals)..<valueEnd])
            index = valueEnd
        }
        return result
    }

    static func isSecretName(_ name: Substring) -> Bool {
        let lower = name.lowercased()
        return lower.contains("password") || lower.contains("token") || lower.contains("secret") || lower == "passfile"
    }

    /// `message` with every secret of `source` (a URL or connection string the message may
    /// repeat, whole or in parts, as libpq's and URL parsers' messages do) replaced by `***`.
    public static func scrub(_ message: String, secretsOf source: String) -> String {
        var result = message
        if !source.isEmpty { result = result.replacingAll(source, with: url(source)) }
        for secret in secrets(of: source).sorted(by: { $0.count > $1.count }) where secret.count >= 3 {
            result = result.replacingAll(
                secret, with: secret.hasSuffix("@") && !secret.contains(":") ? mask + "@" : mask)
        }
        return result
    }

    /// The parts of `source` that are secret: the user information as written and decoded, and
    /// the values of password-like parameters.
    static func secrets(of source: String) -> [String] {
        var found: [String] = []
        if let schemeEnd = source.firstRange(of: "://") {
            let afterScheme = source[schemeEnd.upperBound...]
            if let at = afterScheme.lastIndex(of: "@") {
                let userInfo = String(afterScheme[..<at])
                // A user name alone is hidden where it stands before the host (`name@`), not
                // wherever the word occurs: `postgres@` must not turn `postgresql://` into `***ql://`.
                found.append(userInfo.contains(":") ? userInfo : userInfo + "@")
                if let colon = userInfo.firstIndex(of: ":") {
                    let password = String(userInfo[userInfo.index(after: colon)...])
                    found.append(password)
                    if let decoded = password.removingPercentEncodingLeniently() { found.append(decoded) }
                }
            }
        }
        for separator in ["&", "?", " "] {
            for parameter in source.split(separator: Character(separator)) {
                guard let equals = parameter.firstIndex(of: "=") else { continue }
                let name = parameter[..<equals].split(whereSeparator: { $0 == "?" || $0 == " " }).last ?? ""
                guard isSecretName(name) else { continue }
                var value = String(parameter[parameter.index(after: equals)...])
                if value.hasPrefix("'") { value.removeFirst() }
                if value.hasSuffix("'") { value.removeLast() }
                found.append(value)
                if let decoded = value.removingPercentEncodingLeniently() { found.append(decoded) }
            }
        }
        return found.filter { !$0.isEmpty }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    /// Percent-decoding that keeps a `%` not followed by two hex digits as it is.
    func removingPercentEncodingLeniently() -> String? {
        var bytes: [UInt8] = []
        let utf8 = Array(self.utf8)
        var index = 0
        var changed = false
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
                let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
                changed = true
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : nil
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}
