import Foundation

/// `GET /repos/OWNER/NAME/issues`: filters, pages, `link` headers and the issues' JSON.
extension GitHubServerState {
    func list(_ repository: SeededRepository, _ request: ServerRequest, key: String) -> ServerReply {
        if repository.listAnswersObject {
            return ServerReply(
                status: 200, headers: [("content-type", "application/json")],
                body: Data("{\"status\":\"ok\",\"items\":[]}".utf8))
        }
        let state = request.query["state"] ?? "open"
        guard ["open", "closed", "all"].contains(state) else { return Self.error(422, "Validation Failed: state") }
        let perPage = min(100, max(1, Int(request.query["per_page"] ?? "30") ?? 30))
        let page = max(1, Int(request.query["page"] ?? "1") ?? 1)
        let ascending = request.query["direction"] == "asc"
        var since: Int?
        if let text = request.query["since"] {
            guard let parsed = GitHubTime.parse(text) else { return Self.error(422, "Invalid since: \(text)") }
            since = parsed
        }
        let repo = repository.fullName
        let total: Int
        let numbers: [Int]
        if state == "all" && since == nil {
            total = repository.issueCount
            let start = (page - 1) * perPage
            let indices = start < total ? Array(start..<min(total, start + perPage)) : []
            numbers = indices.map { ascending ? $0 + 1 : total - $0 }
        } else {
            let cacheKey = "\(repo)|\(state)|\(since ?? -1)|\(versions[repo, default: 0])|\(ascending)"
            let all: [Int]
            if let cached = filteredLists[cacheKey] {
                all = cached
            } else {
                let touchedHere = touched[repo] ?? [:]
                var matched: [Int] = []
                for number in 1...max(1, repository.issueCount) where repository.issueCount > 0 {
                    let facts = repository.meta(number)
                    if state != "all" && facts.open != (state == "open") { continue }
                    if let since, max(facts.updatedAt, touchedHere[number] ?? 0) < since { continue }
                    matched.append(number)
                }
                all = ascending ? matched : matched.reversed()
                if filteredLists.count >= 8 { filteredLists.removeAll() }
                filteredLists[cacheKey] = all
            }
            total = all.count
            let start = (page - 1) * perPage
            numbers = start < total ? Array(all[start..<min(total, start + perPage)]) : []
        }
        let lastPage = max(1, (total + perPage - 1) / perPage)
        var links: [String] = []
        func url(_ page: Int) -> String {
            var query = request.query
            query["page"] = "\(page)"
            query["per_page"] = "\(perPage)"
            let text = query.keys.sorted().map {
                "\($0)=\(query[$0]!.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:"))) ?? "")"
            }
            return "<\(baseURL)\(request.path)?\(text.joined(separator: "&"))>"
        }
        if page < lastPage { links.append("\(url(page + 1)); rel=\"next\"") }
        links.append("\(url(lastPage)); rel=\"last\"")
        if page > 1 {
            links.append("\(url(1)); rel=\"first\"")
            links.append("\(url(page - 1)); rel=\"prev\"")
        }
        return spend(key, pageBody(repository, numbers), request, key: key, link: links.joined(separator: ", "))
    }

    /// The page's JSON; kept for the repository's current version with `keepsPageBodies`.
    private func pageBody(_ repository: SeededRepository, _ numbers: [Int]) -> Data {
        guard configuration.keepsPageBodies else { return json(repository, numbers) }
        let key = "\(repository.fullName)|\(versions[repository.fullName, default: 0])|\(numbers)"
        if let body = pageBodies[key] { return body }
        let body = json(repository, numbers)
        if pageBodyBytes + body.count > 1 << 30 {
            pageBodies.removeAll()
            pageBodyBytes = 0
        }
        pageBodies[key] = body
        pageBodyBytes += body.count
        return body
    }

    /// The JSON array GitHub would send for these issue numbers.
    func json(_ repository: SeededRepository, _ numbers: [Int]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data("[".utf8)
        let repo = repository.fullName
        for (index, number) in numbers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if repository.malformedIssues.contains(number) {
                out.append(
                    try! encoder.encode(MalformedIssueJSON(id: 1_000_000 + number, title: number, state: "open")))
                continue
            }
            let record = repository.base(number)
            let html = "https://github.com/\(repo)/\(record.isPullRequest ? "pull" : "issues")/\(number)"
            let issue = IssueJSON(
                id: 1_000_000 + number, number: number, title: record.title, body: record.body, state: record.state,
                labels: (labels[repo]?[number] ?? record.labels).map { IssueJSON.Label(name: $0) },
                comments: record.comments + (comments[repo]?[number]?.count ?? 0),
                pull_request: record.isPullRequest ? IssueJSON.PullRequest(url: html) : nil,
                created_at: GitHubTime.iso(record.createdAt),
                updated_at: GitHubTime.iso(max(record.updatedAt, touched[repo]?[number] ?? 0)), html_url: html)
            out.append(try! encoder.encode(issue))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}
