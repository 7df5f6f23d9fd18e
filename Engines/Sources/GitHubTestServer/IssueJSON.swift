import Foundation

/// The fields of GitHub's issue object the triage reads, as GitHub spells them.
struct IssueJSON: Encodable {
    struct Label: Encodable { var name: String }
    struct PullRequest: Encodable { var url: String }
    var id: Int
    var number: Int
    var title: String
    var body: String
    var state: String
    var labels: [Label]
    var comments: Int
    var pull_request: PullRequest?
    var created_at: String
    var updated_at: String
    var html_url: String
}

/// An element that is not what GitHub sends: no `number`, and a `title` that is a number.
struct MalformedIssueJSON: Encodable {
    var id: Int
    var title: Int
    var state: String
}

/// A comment as GitHub returns it.
struct CommentJSON: Codable {
    var id: Int
    var body: String
}

enum GitHubTime {
    /// `2023-11-14T22:13:20Z` for seconds since 1970 (days-from-civil, so no formatter per call).
    static func iso(_ seconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = seconds - days * 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z"
    }

    static func parse(_ text: String) -> Int? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text).map { Int($0.timeIntervalSince1970) }
    }
}
