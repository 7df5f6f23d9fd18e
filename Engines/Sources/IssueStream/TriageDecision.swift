/// One line of `--out FILE.jsonl`: a decision, a skipped pull request, or an issue that could
/// not be processed and why. Keys are written sorted; absent fields are left out.
public struct TriageLine: Sendable, Codable, Equatable {
    /// The issue number (absent only when the element carried none).
    public var number: Int?
    /// The element's `id` when it had no number.
    public var id: Int?
    /// `bug`, `feature`, `question` or `docs`.
    public var kind: String?
    /// 0...100.
    public var priority: Int?
    /// The area from paths and module names, if any.
    public var area: String?
    /// The labels the triage decides on.
    public var labels: [String]?
    /// Earlier open issues that look like this one.
    public var duplicates: [Int]?
    /// `open` or `closed`.
    public var state: String?
    /// Why the item was skipped (pull requests unless asked).
    public var skipped: String?
    /// Why the item could not be processed.
    public var error: String?
    /// The page it came from, when it could not be read.
    public var page: String?
    /// Labels added by `--apply`.
    public var labelsAdded: [String]?
    /// Whether `--apply` posted the triage comment.
    public var commented: Bool?
    /// Why `--apply` failed for this issue.
    public var applyError: String?
    /// Set on the last line when the run stopped early, with the reason.
    public var runError: String?

    /// A line with the given fields.
    public init(
        number: Int? = nil, id: Int? = nil, kind: String? = nil, priority: Int? = nil, area: String? = nil,
        labels: [String]? = nil,
        duplicates: [Int]? = nil, state: String? = nil, skipped: String? = nil, error: String? = nil,
        page: String? = nil,
        labelsAdded: [String]? = nil, commented: Bool? = nil, applyError: String? = nil, runError: String? = nil
    ) {
        self.number = number
        self.id = id
        self.kind = kind
        self.priority = priority
        self.area = area
        self.labels = labels
        self.duplicates = duplicates
        self.state = state
        self.skipped = skipped
        self.error = error
        self.page = page
        self.labelsAdded = labelsAdded
        self.commented = commented
        self.applyError = applyError
        self.runError = runError
    }

    enum CodingKeys: String, CodingKey {
        case number, id, kind, priority, area, labels, duplicates, state, skipped, error, page, commented
        case labelsAdded = "labels_added"
        case applyError = "apply_error"
        case runError = "run_error"
    }
}
