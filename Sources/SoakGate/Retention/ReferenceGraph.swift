import CSoakGateHeapWalk
import Foundation

/// The references between one census's live blocks, found by a conservative scan: every aligned
/// word of a block, of a loaded image's writable segments and of a thread's stack that points
/// into a live block (at its start or inside it) is taken for a reference. Globals are scanned
/// first, so an object a global keeps is reported as the global's even when a stale stack word
/// also points at it.
struct ReferenceGraph {
    private let census: HeapWalker.Census
    private let walker: HeapWalker
    /// -2: not reached from any root; >= 0: the block that first reached it; -1 - r: root r.
    private var parent: [Int32]
    /// Byte offset, in the parent block or root, of the word that reached it.
    private var parentOffset: [Int]
    private var roots: [Root] = []
    private let low: UInt
    private let high: UInt
    /// Referrers among the blocks no root reaches, built on first use.
    private var unreachedReferrers: [Int32: [(source: Int32, offset: Int)]]?

    private struct Root {
        var kind: RetentionPath.Root
        /// The first word's address (a segment's or a stack's start).
        var start: UInt
        var end: UInt
        /// The image's path and load bias, for a global.
        var image: String
        var bias: UInt
    }

    /// Swift keeps tags in the top byte of some references (strings, enums with payloads).
    private static let addressMask: UInt = 0x0000_FFFF_FFFF_FFFF

    /// The block of the async task that runs the walk (the workload's own), if known.
    private let measuringTask: Int?

    init(census: HeapWalker.Census, walker: HeapWalker, measuringTask: UInt? = nil) {
        self.census = census
        self.walker = walker
        parent = [Int32](repeating: -2, count: census.addresses.count)
        parentOffset = [Int](repeating: 0, count: census.addresses.count)
        low = census.addresses.first ?? 0
        high = zip(census.addresses, census.sizes).map { $0 + UInt($1) }.max() ?? 0
        roots = Self.globalRoots() + Self.stackRoots()
        var measuring: Int?
        if let measuringTask, let index = census.addresses.firstIndex(of: measuringTask) { measuring = index }
        self.measuringTask = measuring
        // Globals first, then the workload's own task, then stacks: the breadth-first order
        // makes every path a shortest one from the first kind of root that reaches it. The
        // measuring task is kept out of the globals' search: it is alive because it runs the
        // workload, and an old word in some runtime cache must not explain the workload's state.
        // The search writes local arrays: `scan` is a method, and writing `self.parent` from its
        // closure would copy the whole array on every write (it is shared with the `self` the
        // method holds).
        var parent = self.parent
        var parentOffset = self.parentOffset
        self.parent = []
        self.parentOffset = []
        if let measuring {
            parent[measuring] = -3
            roots.append(
                Root(
                    kind: .workload, start: census.addresses[measuring],
                    end: census.addresses[measuring] + UInt(census.sizes[measuring]), image: "", bias: 0))
        }
        for kind in [RetentionPath.Root.global, .workload, .stack] {
            var queue: [Int32] = []
            if kind == .workload, let measuring {
                parent[measuring] = -1 - Int32(roots.count - 1)
                parentOffset[measuring] = 0
                queue.append(Int32(measuring))
            }
            for (index, root) in roots.enumerated() where root.kind == kind && kind != .workload {
                scan(from: root.start, to: root.end) { offset, target in
                    if parent[target] == -2 {
                        parent[target] = -1 - Int32(index)
                        parentOffset[target] = offset
                        queue.append(Int32(target))
                    }
                }
            }
            var head = 0
            while head < queue.count {
                let source = Int(queue[head])
                head += 1
                let start = census.addresses[source]
                scan(from: start, to: start + UInt(census.sizes[source])) { offset, target in
                    if parent[target] == -2 {
                        parent[target] = Int32(source)
                        parentOffset[target] = offset
                        queue.append(Int32(target))
                    }
                }
            }
        }
        self.parent = parent
        self.parentOffset = parentOffset
    }

    // MARK: Roots

    /// The main program's path: dl_iterate_phdr names it "", and /proc/self/exe would name
    /// whichever program reads it (nm).
    private static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    private static func globalRoots() -> [Root] {
        var capacity = 256
        while true {
            var segments = [soakgate_segment](repeating: soakgate_segment(), count: capacity)
            let count = soakgate_heap_walk_segments(&segments, capacity)
            if count > capacity {
                capacity = count
                continue
            }
            return segments.prefix(count).map { segment in
                let path = segment.path.map { String(cString: $0) } ?? ""
                return Root(
                    kind: .global, start: segment.start, end: segment.end,
                    image: path.isEmpty ? executablePath : path, bias: segment.bias)
            }
        }
    }

    /// The main thread's `[stack]`, and every other thread's: an anonymous read-write mapping
    /// directly above a no-access guard page, as glibc lays out a thread's stack. The walking
    /// thread's own stack is scanned from its stack pointer up; the others whole (their dead
    /// frames may hold stale words: a documented limit of the conservative scan).
    private static func stackRoots() -> [Root] {
        guard let text = HeapWalker.processMaps() else { return [] }
        let pointer = soakgate_heap_walk_stack_pointer()
        var roots: [Root] = []
        var previousEnd: UInt = 0
        var previousGuard = false
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let range = fields.first?.split(separator: "-") ?? []
            guard fields.count >= 5, range.count == 2, let start = UInt(range[0], radix: 16),
                let end = UInt(range[1], radix: 16)
            else { continue }
            let permissions = fields[1]
            let anonymous = fields.count == 5
            let isMainStack = fields.count >= 6 && fields[5] == "[stack]"
            let isThreadStack = anonymous && permissions.hasPrefix("rw") && previousGuard && previousEnd == start
            if isMainStack || isThreadStack {
                let mine = pointer >= start && pointer < end
                roots.append(
                    Root(
                        kind: .stack, start: mine ? pointer & ~7 : start, end: end,
                        image: mine
                            ? "the stack of the thread that walks the heap (the workload's)" : "a thread's stack",
                        bias: 0))
            }
            previousGuard = permissions.hasPrefix("---")
            previousEnd = end
        }
        return roots
    }

    // MARK: Scanning

    /// The block that contains `address`, if any.
    private func block(containing address: UInt) -> Int? {
        guard address >= low, address < high else { return nil }
        var lowIndex = 0
        var highIndex = census.addresses.count
        while lowIndex < highIndex {
            let middle = (lowIndex + highIndex) / 2
            if census.addresses[middle] <= address { lowIndex = middle + 1 } else { highIndex = middle }
        }
        guard lowIndex > 0 else { return nil }
        let index = lowIndex - 1
        return address < census.addresses[index] + UInt(census.sizes[index]) ? index : nil
    }

    /// Calls `body(offset, block)` for every aligned word in [start, end) that points into a
    /// live block, the scanned block itself included: a closure that captures only its owner
    /// uses the owner as its context, so the owner points at itself.
    private func scan(from start: UInt, to end: UInt, _ body: (Int, Int) -> Void) {
        var address = (start + 7) & ~7
        while address + 8 <= end {
            let word = UnsafeRawPointer(bitPattern: address)!.load(as: UInt.self) & Self.addressMask
            // A pointer into the scanned block itself counts only at its start (an owner used as
            // its closure's context); inside, it is the block's own bookkeeping (a dictionary's
            // pointers to its buckets).
            if word >= low, word < high, let target = block(containing: word),
                !(word != census.addresses[target] && start >= census.addresses[target]
                    && start < census.addresses[target] + UInt(census.sizes[target]))
            {
                body(Int(address - start), target)
            }
            address += 8
        }
    }

    // MARK: Paths

    /// The shortest chain found that keeps block `index` alive.
    mutating func path(to index: Int) -> RetentionPath {
        if parent[index] != -2 { return rootedPath(to: index) }
        return unrootedPath(to: index)
    }

    private func step(_ block: Int, heldBy holder: Int?, at offset: Int) -> RetentionStep {
        let field = holder.flatMap { walker.field(ofKey: census.types[$0], at: offset) }
        return RetentionStep(type: typeName(of: block), field: field, offset: offset)
    }

    private func typeName(of block: Int) -> String {
        block == measuringTask ? "async task (the one running the workload)" : walker.name(ofKey: census.types[block])
    }

    private func rootedPath(to index: Int) -> RetentionPath {
        // The breadth-first tree has no loops: this ends at a root within the block count.
        var chain: [Int] = [index]
        var current = index
        while parent[current] >= 0 {
            current = Int(parent[current])
            chain.append(current)
        }
        chain.reverse()
        let rootIndex = Int(-1 - parent[chain[0]])
        let root = roots[rootIndex]
        if root.kind == .workload {
            // The task itself is the root, not a step: the path starts at what its frames hold.
            chain.removeFirst()
            if chain.isEmpty {
                return RetentionPath(root: .workload, rootName: nil, steps: [], cycle: false)
            }
        }
        var steps: [RetentionStep] = []
        var rootName: String? = root.kind == .workload ? nil : root.image
        var firstOffset = parentOffset[chain[0]]
        if root.kind == .global {
            let (name, offset) = Self.globalName(at: root.start + UInt(parentOffset[chain[0]]), in: root)
            rootName = name
            firstOffset = offset
        }
        steps.append(RetentionStep(type: typeName(of: chain[0]), field: nil, offset: firstOffset))
        for position in chain.indices.dropFirst() {
            steps.append(step(chain[position], heldBy: chain[position - 1], at: parentOffset[chain[position]]))
        }
        steps = Self.elided(steps)
        // Does the object hold itself through a short loop (an observer's closure that captures
        // it, a child that points back at its parent)? Then the path ends with that cycle.
        var cycle = false
        if let loop = shortLoop(from: index) {
            var holder = index
            for (block, offset) in loop {
                steps.append(step(block, heldBy: holder, at: offset))
                holder = block
            }
            cycle = true
        }
        return RetentionPath(root: root.kind, rootName: rootName, steps: steps, cycle: cycle)
    }

    /// A long chain (a linked list thousands deep) keeps its first four and last six steps,
    /// with one step between that says how many were left out.
    static func elided(_ steps: [RetentionStep]) -> [RetentionStep] {
        guard steps.count > 12 else { return steps }
        let left = steps.count - 10
        return Array(steps.prefix(4))
            + [RetentionStep(type: "… \(left) more steps …", field: nil, offset: 0)] + Array(steps.suffix(6))
    }

    /// A chain of at most three references from `start` back to itself, as (block, offset in its
    /// holder). Only references the runtime vouches for count (a named stored property, an array
    /// element, a closure's capture, between Swift objects): a loop through untyped memory or an
    /// object's unnamed tail is as likely a stale word as a cycle.
    private func shortLoop(from start: Int) -> [(Int, Int)]? {
        guard walker.isVouched(census.types[start]) else { return nil }
        var previous: [Int: (holder: Int, offset: Int)] = [:]
        var frontier = [start]
        for _ in 0..<3 {
            var next: [Int] = []
            for holder in frontier {
                let address = census.addresses[holder]
                var found: (Int, Int)?
                scan(from: address, to: address + UInt(census.sizes[holder])) { offset, target in
                    guard
                        walker.isVouched(
                            edgeFrom: census.types[holder], at: offset, to: census.types[target], holderAddress: address
                        )
                    else { return }
                    if target == start, found == nil { found = (holder, offset) }
                    if target != start, previous[target] == nil, next.count < 4096 {
                        previous[target] = (holder, offset)
                        next.append(target)
                    }
                }
                if let (last, offset) = found {
                    var loop: [(Int, Int)] = [(start, offset)]
                    var block = last
                    while block != start, let link = previous[block] {
                        loop.insert((block, link.offset), at: 0)
                        block = link.holder
                    }
                    return loop
                }
            }
            frontier = next
        }
        return nil
    }

    private mutating func unrootedPath(to index: Int) -> RetentionPath {
        if unreachedReferrers == nil {
            var referrers: [Int32: [(source: Int32, offset: Int)]] = [:]
            for source in parent.indices where parent[source] == -2 {
                let address = census.addresses[source]
                scan(from: address, to: address + UInt(census.sizes[source])) { offset, target in
                    referrers[Int32(target), default: []].append((Int32(source), offset))
                }
            }
            unreachedReferrers = referrers
        }
        // Follow referrers back from the object until one repeats (a cycle) or none is left.
        var chain: [(block: Int, offset: Int)] = [(index, 0)]
        var onChain: Set<Int> = [index]
        var root = RetentionPath.Root.unreferenced
        while chain.count < 16 {
            let referrers = unreachedReferrers?[Int32(chain[chain.count - 1].block)] ?? []
            guard !referrers.isEmpty else { break }
            let pick = referrers.first { onChain.contains(Int($0.source)) } ?? referrers[0]
            chain[chain.count - 1].offset = pick.offset
            chain.append((Int(pick.source), 0))
            if onChain.contains(Int(pick.source)) {
                root = .cycle
                break
            }
            onChain.insert(Int(pick.source))
        }
        // chain[k + 1] holds chain[k] at chain[k].offset; print from the holder down.
        var steps: [RetentionStep] = []
        for position in chain.indices.reversed() {
            let holder = position + 1 < chain.count ? chain[position + 1].block : nil
            steps.append(step(chain[position].block, heldBy: holder, at: holder == nil ? 0 : chain[position].offset))
        }
        return RetentionPath(root: root, rootName: nil, steps: steps, cycle: root == .cycle)
    }

    // MARK: Naming globals

    nonisolated(unsafe) private static var symbolTables: [String: [(address: UInt, name: String)]] = [:]

    /// The demangled name of the global that holds `address`, with `+offset` when the word is
    /// inside it; through dladdr, else the image's own symbol table (`nm`).
    private static func globalName(at address: UInt, in root: Root) -> (String, Int) {
        var buffer = [CChar](repeating: 0, count: 1024)
        var symbolStart: UInt = 0
        var mangled: String?
        if soakgate_heap_walk_symbol(address, &buffer, buffer.count, &symbolStart) != 0 {
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            mangled = String(decoding: bytes, as: UTF8.self)
        } else {
            let fileAddress = address - root.bias
            if symbolTables[root.image] == nil { symbolTables[root.image] = dataSymbols(root.image) }
            if let table = symbolTables[root.image] {
                var low = 0
                var high = table.count
                while low < high {
                    let middle = (low + high) / 2
                    if table[middle].address <= fileAddress { low = middle + 1 } else { high = middle }
                }
                if low > 0 {
                    mangled = table[low - 1].name
                    symbolStart = table[low - 1].address + root.bias
                }
            }
        }
        let image = (root.image as NSString).lastPathComponent
        guard let mangled else { return ("in \(image)", Int(address - root.start)) }
        var name = demangle(mangled)
        if let colon = name.range(of: " : ") { name = String(name[..<colon.lowerBound]) }
        name = readableGlobal(name)
        let offset = Int(address - symbolStart)
        return (offset == 0 ? name : "\(name)+\(offset)", offset)
    }

    /// Data symbols of an image, sorted by address: `nm -n --defined-only`'s lines
    /// "ADDRESS TYPE NAME" whose type is data or bss, read as bytes (tens of thousands of lines).
    private static func dataSymbols(_ path: String) -> [(address: UInt, name: String)] {
        guard let output = AllocationSiteFinder.run("nm", ["-n", "--defined-only", path]) else { return [] }
        var table: [(address: UInt, name: String)] = []
        var utf8 = output.utf8[...]
        while !utf8.isEmpty {
            let end = utf8.firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            let line = utf8[..<end]
            utf8 = end == utf8.endIndex ? utf8[end...] : utf8[utf8.index(after: end)...]
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { continue }
            let typeIndex = line.index(after: space)
            guard typeIndex < line.endIndex, "bBdDsSvV".utf8.contains(line[typeIndex]) else { continue }
            var address: UInt = 0
            var valid = true
            for byte in line[..<space] {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): address = address << 4 | UInt(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): address = address << 4 | UInt(byte - UInt8(ascii: "a") + 10)
                default: valid = false
                }
            }
            let nameStart = line.index(typeIndex, offsetBy: 2, limitedBy: line.endIndex) ?? line.endIndex
            guard valid, nameStart < line.endIndex else { continue }
            table.append((address, String(decoding: line[nameStart...], as: UTF8.self)))
        }
        return table
    }

    /// `static M.Center.shared` → `M.Center.shared`; a private global's
    /// `M.(name in _0123ABCD)` → `M.name`.
    static func readableGlobal(_ demangled: String) -> String {
        var name = demangled
        if name.hasPrefix("static ") { name.removeFirst(7) }
        while let open = name.range(of: "("),
            let inRange = name.range(of: " in _", range: open.upperBound..<name.endIndex),
            let close = name.range(of: ")", range: inRange.upperBound..<name.endIndex)
        {
            name =
                String(name[..<open.lowerBound]) + name[open.upperBound..<inRange.lowerBound]
                + name[close.upperBound...]
        }
        return name
    }

    private static func demangle(_ mangled: String) -> String {
        guard let plain = swiftDemangle(mangled, mangled.utf8.count, nil, nil, 0) else { return mangled }
        defer { free(plain) }
        return String(cString: plain)
    }
}

@_silgen_name("swift_demangle")
private func swiftDemangle(
    _ mangled: UnsafePointer<CChar>?, _ length: Int, _ output: UnsafeMutablePointer<CChar>?,
    _ outputLength: UnsafeMutablePointer<Int>?, _ flags: UInt32
) -> UnsafeMutablePointer<CChar>?
