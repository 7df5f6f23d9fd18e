import Foundation

/// A sample with most declaration kinds.
public struct Invoice<Item: Sendable>: Sendable where Item: Hashable {
    var items: [Item] = []
    subscript(index: Int) -> Item { items[index] }
    mutating func add(_ item: Item) async throws -> Int {
        defer { print("added") }
        guard !items.contains(item) else { throw CancellationError() }
        items.append(item)
        return items.count
    }
}

enum Kind: String, CaseIterable { case a = "x", b; indirect case c(Kind) }
protocol P { associatedtype T; func f() -> T }
extension Invoice: CustomStringConvertible { var description: String { "\(items.count) items #\(#line)" } }
let closure = { [weak x = Optional(1)] (a: Int) -> Int in a &+ (x ?? 0) }
@available(*, deprecated) actor Counter { var n = 0; func bump() { n += 1 } }
#if os(Linux)
macro m() = #externalMacro(module: "M", type: "N")
#endif
