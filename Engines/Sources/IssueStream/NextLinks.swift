import Foundation
import SoakGateBasics

/// Follows `link: rel="next"` headers as a careful client must when the server may be hostile
/// or broken: only to the origin of `--api-url` (the token goes nowhere else), never to a page
/// already read (a loop would page forever), never past an empty page, and not much past the
/// last page the server announced, nor past an absolute bound when it announced none.
struct NextLinks {
    /// Pages followed at most when the server never names a last page: ten million issues at 100
    /// a page, more than any repository on GitHub has.
    static let absoluteLimit = 100_000

    let origin: APIOrigin
    private var visited: Set<String>
    private var announcedLast: Int?

    /// Links from the page at `first`.
    init(origin: APIOrigin, first: String) {
        self.origin = origin
        visited = [first]
    }

    /// The URL to read after page `index` (at `current`, with `elements` items and this `link`
    /// header), nil at the end of the list; throws when the link must not be followed.
    mutating func next(after current: String, page index: Int, header: String?, elements: Int) throws(IssueStreamError)
        -> String?
    {
        let links = Self.parse(header)
        if announcedLast == nil, let last = links["last"].flatMap(Self.pageNumber) { announcedLast = last }
        guard let target = links["next"] else { return nil }
        // Only the characters a URL may hold: Foundation would percent-encode spaces and
        // brackets and make a URL of any text.
        guard !target.isEmpty,
            target.unicodeScalars.allSatisfy({
                (0x21...0x7E).contains($0.value) && !" <>\"{}|\\^`".unicodeScalars.contains($0)
            }),
            let resolved = URL(string: target, relativeTo: URL(string: current))?.absoluteString,
            let components = URLComponents(string: resolved)
        else {
            throw IssueStreamError.refusedLink(url: target, reason: "it is not a URL")
        }
        guard APIOrigin(components) == origin else {
            throw IssueStreamError.refusedLink(
                url: resolved,
                reason: "it is not on \(origin.description), the origin of --api-url, the only one the token is sent to"
            )
        }
        guard components.user == nil, components.password == nil else {
            throw IssueStreamError.refusedLink(url: resolved, reason: "it carries a user or password")
        }
        guard !visited.contains(resolved) else { throw IssueStreamError.pageLoop(url: resolved, page: index) }
        guard elements > 0 else {
            throw IssueStreamError.tooManyPages(
                url: current, detail: "page \(index) is empty but links to a next page, which ends no list")
        }
        if let last = announcedLast {
            // Issues opened during the run may add a page or two; a tenth (at least ten) more
            // than announced is room enough for that and still ends an endless chain.
            let allowed = last + max(10, last / 10)
            guard index < allowed else {
                throw IssueStreamError.tooManyPages(
                    url: resolved, detail: "page \(index + 1) is well past the last page (\(last)) the server announced"
                )
            }
        }
        guard index < Self.absoluteLimit else {
            throw IssueStreamError.tooManyPages(url: resolved, detail: "more than \(Self.absoluteLimit) pages")
        }
        visited.insert(resolved)
        return resolved
    }

    /// The `rel` → URL pairs of a `link` header (`<URL>; rel="next", <URL>; rel="last"`).
    static func parse(_ header: String?) -> [String: String] {
        guard let header else { return [:] }
        var links: [String: String] = [:]
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count >= 2, pieces[0].hasPrefix("<"), pieces[0].hasSuffix(">"), pieces[0].count >= 2 else {
                continue
            }
            let target = String(pieces[0].dropFirst().dropLast())
            for parameter in pieces.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "rel" else { continue }
                for rel in pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).split(separator: " ")
                where links[String(rel)] == nil {
                    links[String(rel)] = target
                }
            }
        }
        return links
    }

    /// The `page` query value of a URL, when it is a sane page number.
    static func pageNumber(_ url: String) -> Int? {
        guard let value = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "page" })?.value else {
            return nil
        }
        return try? CheckedNumber.integer(value, in: 1...10_000_000, source: "page")
    }
}
