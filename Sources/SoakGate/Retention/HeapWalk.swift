import CSoakGateHeapWalk
import Foundation
@_spi(Reflection) import Swift

/// Walks a profiled process's own heap: the live blocks jemalloc's hooks recorded, typed through
/// the Swift runtime's metadata, and the references between them found by a conservative scan of
/// the blocks, the loaded images' writable segments and the threads' stacks (as LeakSanitizer
/// scans). Runs between a workload's iterations, in the process that runs them; never in a
/// measuring run. Not thread-safe: one walker, one task.
public final class HeapWalker {
    /// A heap walk's view of one moment: every live block, sorted by address, and its type.
    public struct Census {
        var addresses: [UInt]
        var sizes: [Int]
        var types: [Int32]
        /// Live objects and bytes per type key.
        var totals: [Int32: (objects: Int, bytes: Int)]
        public var blockCount: Int { addresses.count }
        public var byteCount: Int { sizes.reduce(0, +) }
    }

    /// Why the walk cannot run in this process, or nil when it can.
    public static var unavailableReason: String? {
        guard soakgate_heap_walk_active() == 0 else { return nil }
        return soakgate_heap_walk_failure().map { String(cString: $0) } ?? "the live-block table is off"
    }

    /// Per type key (>= 0): its display name and kind. Untyped blocks use the key `-size`.
    private var typeNames: [String] = []
    private var typeKinds: [HeapBlockKind] = []
    private var classOfKey: [Int32: UnsafeRawPointer] = [:]
    private var keyOfMetadata: [UInt: Int32] = [:]
    private var readable: [(start: UInt, end: UInt)] = []
    private var images: [(start: UInt, end: UInt)] = []

    public init() throws {
        if let reason = Self.unavailableReason { throw HeapWalkError(description: reason) }
    }

    // MARK: Taking a census

    /// Copies the live-block table and types every block.
    public func census() -> Census {
        soakgate_heap_walk_ignore_this_thread(1)
        defer { soakgate_heap_walk_ignore_this_thread(0) }
        loadMappings()
        var capacity = soakgate_heap_walk_count() + 4096
        var pairs = UnsafeMutablePointer<UInt>.allocate(capacity: 2 * capacity)
        var count = soakgate_heap_walk_copy(pairs, capacity, UInt(bitPattern: pairs), 16 * capacity)
        while count == capacity {
            pairs.deallocate()
            capacity *= 2
            pairs = UnsafeMutablePointer<UInt>.allocate(capacity: 2 * capacity)
            count = soakgate_heap_walk_copy(pairs, capacity, UInt(bitPattern: pairs), 16 * capacity)
        }
        var order = Array(0..<count)
        order.sort { pairs[2 * $0] < pairs[2 * $1] }
        var addresses = [UInt](repeating: 0, count: count)
        var sizes = [Int](repeating: 0, count: count)
        for (index, from) in order.enumerated() {
            addresses[index] = pairs[2 * from]
            sizes[index] = Int(pairs[2 * from + 1])
        }
        pairs.deallocate()
        var types = [Int32](repeating: 0, count: count)
        var totals: [Int32: (objects: Int, bytes: Int)] = [:]
        for index in 0..<count {
            let key = typeKey(address: addresses[index], size: sizes[index])
            types[index] = key
            totals[key, default: (0, 0)].objects += 1
            totals[key, default: (0, 0)].bytes += sizes[index]
        }
        return Census(addresses: addresses, sizes: sizes, types: types, totals: totals)
    }

    /// The types that grew from `before` to `after`, each with the shortest retention path
    /// found for one of its new objects.
    public func retention(
        from before: Census, to after: Census, iterations: Int, seconds: Double, measuringTask: UInt? = nil,
        limit: Int = 6
    ) -> RetentionReport {
        soakgate_heap_walk_ignore_this_thread(1)
        defer { soakgate_heap_walk_ignore_this_thread(0) }
        let span = max(iterations, 1)
        var grown: [(key: Int32, objects: Int, bytes: Int)] = []
        for (key, total) in after.totals {
            let was = before.totals[key] ?? (0, 0)
            let bytes = total.bytes - was.bytes
            if bytes >= Self.minimumGrowth(iterations: span) { grown.append((key, total.objects - was.objects, bytes)) }
        }
        grown.sort { ($0.bytes, $0.key) > ($1.bytes, $1.key) }
        grown = Array(grown.prefix(limit))
        guard !grown.isEmpty else {
            return RetentionReport(
                types: [], iterations: iterations, blocks: after.blockCount, bytes: after.byteCount, seconds: seconds,
                note: Self.unavailableReason.map { "the live-block table stopped recording: \($0)" })
        }
        var graph = ReferenceGraph(census: after, walker: self, measuringTask: measuringTask)
        let old = Set(before.addresses)
        var types: [GrowingType] = []
        for entry in grown {
            // Up to eight new objects of the type, spread over the address range. Their paths
            // vote: the kind of root most of them have wins (one object a stale stack word
            // happens to point at does not outvote seven in a cycle), then the commonest chain
            // of types, then the shortest.
            let fresh = after.types.indices.filter {
                after.types[$0] == entry.key && !old.contains(after.addresses[$0])
            }
            let candidates =
                fresh.isEmpty
                ? Array(after.types.indices.filter { after.types[$0] == entry.key }.suffix(1))
                : stride(from: 0, to: fresh.count, by: max(1, fresh.count / 8)).prefix(8).map { fresh[$0] }
            let paths = candidates.map { graph.path(to: $0) }
            let preference: [RetentionPath.Root] = [.global, .workload, .cycle, .unreferenced, .stack]
            let votes = Dictionary(grouping: paths, by: \.root)
            let winner = preference.max { lhs, rhs in
                let (left, right) = (votes[lhs]?.count ?? 0, votes[rhs]?.count ?? 0)
                if left != right { return left < right }
                return preference.firstIndex(of: lhs)! > preference.firstIndex(of: rhs)!
            }
            let group = winner.flatMap { votes[$0] } ?? []
            let shapes = Dictionary(grouping: group) { path in
                ([path.rootName ?? ""] + path.steps.map(\.type)).joined(separator: "\u{1}")
            }
            let best = shapes.values.max { lhs, rhs in
                lhs.count != rhs.count ? lhs.count < rhs.count : lhs[0].steps.count > rhs[0].steps.count
            }?.first
            let was = before.totals[entry.key] ?? (0, 0)
            let now = after.totals[entry.key] ?? (0, 0)
            types.append(
                GrowingType(
                    name: name(ofKey: entry.key), kind: kind(ofKey: entry.key), objectsBefore: was.objects,
                    objectsAfter: now.objects, bytesBefore: was.bytes, bytesAfter: now.bytes,
                    objectsPerIteration: Double(entry.objects) / Double(span),
                    bytesPerIteration: Double(entry.bytes) / Double(span), path: best.map(refine)))
        }
        return RetentionReport(
            types: types, iterations: iterations, blocks: after.blockCount, bytes: after.byteCount, seconds: seconds,
            note: Self.unavailableReason.map { "the live-block table stopped recording: \($0)" })
    }

    /// The bytes a type must gain between the walks to be named: a byte per iteration, and at
    /// least 1 KiB (the runtime's own caches move by a few hundred bytes).
    public static func minimumGrowth(iterations: Int) -> Int { max(1024, iterations) }

    // MARK: Types

    func name(ofKey key: Int32) -> String {
        key >= 0 ? typeNames[Int(key)] : "untyped \(-Int(key)) B block"
    }

    func kind(ofKey key: Int32) -> HeapBlockKind {
        key >= 0 ? typeKinds[Int(key)] : .untyped
    }

    /// A number field holds no reference, however much its value looks like an address (a
    /// dictionary's hash seed is its own address). Pointers are not numbers here: a raw pointer
    /// field is what keeps a C block.
    private static func isNumber(_ type: Any.Type) -> Bool {
        type is any BinaryInteger.Type || type is any BinaryFloatingPoint.Type
    }

    /// Whether blocks of this key are ones a short loop may pass through.
    func isVouched(_ key: Int32) -> Bool {
        key >= 0 && (typeKinds[Int(key)] == .object || typeKinds[Int(key)] == .closureContext)
    }

    /// Whether a reference at `offset` in a `holder` block to a `target` block is one the
    /// runtime's records explain: a stored property or array element, or a closure's capture.
    func isVouched(edgeFrom holder: Int32, at offset: Int, to target: Int32, holderAddress: UInt) -> Bool {
        guard isVouched(holder), isVouched(target) else { return false }
        if typeKinds[Int(holder)] == .closureContext { return true }
        let name = typeNames[Int(holder)]
        if name.hasSuffix(" buffer") {
            // Only an element below the array's count: the capacity past it is uninitialised
            // and may hold any old word.
            let count = UnsafeRawPointer(bitPattern: holderAddress)!.load(fromByteOffset: 16, as: Int.self)
            return name == "[AnyObject] buffer" && offset >= 32 && (offset - 32) / 8 < count
        }
        guard let field = storedField(ofKey: holder, at: offset) else { return false }
        return !field.isNumber
    }

    /// The stored properties of a class key, by byte offset in the instance.
    private var fieldsOfKey: [Int32: [(offset: Int, name: String, isNumber: Bool)]] = [:]

    func field(ofKey key: Int32, at offset: Int) -> String? {
        guard key >= 0 else { return nil }
        let name = typeNames[Int(key)]
        if name.hasPrefix("[") && name.hasSuffix(" buffer") {
            // _ContiguousArrayStorage: a 16-byte object header, count and capacity, then elements.
            // Class references are one word each; other elements' size is not known here.
            return offset >= 32 ? (name == "[AnyObject] buffer" ? "[\((offset - 32) / 8)]" : "elements") : nil
        }
        return storedField(ofKey: key, at: offset)?.name
    }

    /// The stored property that starts at or before `offset` in an instance of a class key; nil
    /// past the instance's stored properties, where tail-allocated storage (a dictionary's
    /// buckets) starts, and for anything but a class instance.
    private func storedField(ofKey key: Int32, at offset: Int) -> (offset: Int, name: String, isNumber: Bool)? {
        guard key >= 0, typeKinds[Int(key)] == .object, let metadata = classOfKey[key] else { return nil }
        guard offset < Int(metadata.load(fromByteOffset: 24, as: UInt32.self)) else { return nil }
        if fieldsOfKey[key] == nil {
            var fields: [(offset: Int, name: String, isNumber: Bool)] = []
            let type = unsafeBitCast(metadata, to: Any.Type.self)
            // `.classType` is a static var of the runtime's option set: spelt by value here.
            _ = _forEachField(of: type, options: _EachFieldOptions(rawValue: 1 << 0)) { name, offset, fieldType, _ in
                fields.append((offset, String(cString: name), Self.isNumber(fieldType)))
                return true
            }
            fieldsOfKey[key] = fields.sorted { $0.offset < $1.offset }
        }
        return fieldsOfKey[key]?.last { $0.offset <= offset }
    }

    /// The type key of the block at `address`: a Swift heap object's metadata, validated before
    /// the runtime is asked its name, else untyped by size.
    private func typeKey(address: UInt, size: Int) -> Int32 {
        guard size >= 16, let pointer = UnsafeRawPointer(bitPattern: address) else { return -Int32(clamping: size) }
        let metadata = pointer.load(as: UInt.self)
        if let known = keyOfMetadata[metadata] { return known >= 0 ? known : -Int32(clamping: size) }
        let key = classify(metadata: metadata, size: size)
        // -1 remembers "not metadata" for this census (see `loadMappings`).
        keyOfMetadata[metadata] = key >= 0 ? key : -1
        return key
    }

    private func classify(metadata: UInt, size: Int) -> Int32 {
        guard metadata & 7 == 0, isReadable(metadata, 56), let pointer = UnsafeRawPointer(bitPattern: metadata) else {
            return -Int32(clamping: size)
        }
        let kind = pointer.load(as: UInt.self)
        switch kind {
        case 0:
            // Class metadata without Objective-C interop: kind, superclass, flags and address
            // point, instance size and alignment mask, class size and address point, then the
            // nominal type descriptor, whose flags say "class" (16) in their low five bits.
            let instanceSize = Int(pointer.load(fromByteOffset: 24, as: UInt32.self))
            let descriptor = pointer.load(fromByteOffset: 40, as: UInt.self)
            guard instanceSize >= 16, instanceSize <= size, descriptor & 3 == 0, isImage(descriptor),
                isReadable(descriptor, 8), let flags = UnsafeRawPointer(bitPattern: descriptor)?.load(as: UInt32.self),
                flags & 0x1f == 16
            else { return -Int32(clamping: size) }
            let type = unsafeBitCast(pointer, to: Any.Type.self)
            let key = addType(Self.displayName(_typeName(type, qualified: true)), .object)
            classOfKey[key] = pointer
            return key
        case 0x400, 0x500:
            // HeapLocalVariable and HeapGenericLocalVariable: closure contexts and boxes.
            return isImage(metadata) || kind == 0x500
                ? addType("closure context", .closureContext) : -Int32(clamping: size)
        case 0x502:
            return isImage(metadata) ? addType("async task", .task) : -Int32(clamping: size)
        default:
            return -Int32(clamping: size)
        }
    }

    private var keyOfName: [String: Int32] = [:]

    private func addType(_ name: String, _ kind: HeapBlockKind) -> Int32 {
        if let key = keyOfName[name], kind != .object { return key }
        typeNames.append(name)
        typeKinds.append(kind)
        let key = Int32(typeNames.count - 1)
        keyOfName[name] = key
        return key
    }

    /// `Swift._ContiguousArrayStorage<Swift.Int>` → `[Int] buffer`; other names lose the
    /// `Swift.` of the standard library's types.
    static func displayName(_ qualified: String) -> String {
        func strip(_ text: Substring) -> String {
            sugared(text.replacingOccurrences(of: "Swift.", with: ""))
        }
        if qualified.hasPrefix("Swift._ContiguousArrayStorage<"), qualified.hasSuffix(">") {
            return "[\(strip(qualified.dropFirst(30).dropLast()))] buffer"
        }
        if qualified.hasPrefix("Swift._DictionaryStorage<"), qualified.hasSuffix(">") {
            return "[\(strip(qualified.dropFirst(25).dropLast()).replacingOccurrences(of: ", ", with: ": "))] storage"
        }
        if qualified.hasPrefix("Swift._SetStorage<"), qualified.hasSuffix(">") {
            return "Set<\(strip(qualified.dropFirst(18).dropLast()))> storage"
        }
        if qualified == "Swift.__StringStorage" || qualified == "Swift.__SharedStringStorage" {
            return "String storage"
        }
        return strip(qualified[...])
    }

    /// `Array<Array<UInt8>>` → `[[UInt8]]`, as Swift spells it.
    static func sugared(_ name: String) -> String {
        var text = name
        while let range = text.range(of: "Array<") {
            // Only a whole word "Array<" (not ContiguousArray<).
            if range.lowerBound != text.startIndex,
                let before = text[..<range.lowerBound].last, before.isLetter || before.isNumber || before == "_"
            {
                break
            }
            var depth = 1
            var index = range.upperBound
            while index < text.endIndex, depth > 0 {
                if text[index] == "<" { depth += 1 }
                if text[index] == ">" { depth -= 1 }
                if depth > 0 { index = text.index(after: index) }
            }
            guard index < text.endIndex else { break }
            text =
                String(text[..<range.lowerBound]) + "[" + text[range.upperBound..<index] + "]"
                + text[text.index(after: index)...]
        }
        return text
    }

    /// An array of class references is stored as `[AnyObject]`; say what its elements are when
    /// the next step shows it.
    private func refine(_ path: RetentionPath) -> RetentionPath {
        var path = path
        var firstRefined: String?
        for index in path.steps.indices.dropLast() where path.steps[index].type == "[AnyObject] buffer" {
            if let element = Self.elementName(of: path.steps[index + 1].type) {
                path.steps[index].type = "[\(element)] buffer"
                firstRefined = firstRefined ?? path.steps[index].type
            }
        }
        // A cycle that closes on an array buffer ends with the same buffer the path began with.
        if path.cycle, path.steps.last?.type == "[AnyObject] buffer", let firstRefined,
            path.steps.first?.type == firstRefined
        {
            path.steps[path.steps.count - 1].type = firstRefined
        }
        return path
    }

    /// The element type an array holds when its element is an object of type `held`: a class by
    /// its name without the module, an array (release builds store `[[UInt8]]` as `[AnyObject]`)
    /// as `[UInt8]`, a string as `String`; nil when the runtime's name says nothing (untyped memory,
    /// a closure, a task).
    static func elementName(of held: String) -> String? {
        if held.hasPrefix("untyped") || held.hasPrefix("closure") || held.hasPrefix("async") { return nil }
        if held == "String storage" { return "String" }
        if held.hasPrefix("["), held.hasSuffix("] buffer") { return String(held.dropLast(" buffer".count)) }
        if held.hasPrefix("["), held.hasSuffix("] storage") { return String(held.dropLast(" storage".count)) }
        if held.hasSuffix(" storage") { return String(held.dropLast(" storage".count)) }
        return RetentionPath.shortName(held)
    }

    // MARK: Memory maps

    private func loadMappings() {
        // A word that was not metadata at the last census may be now (a freed C block's address
        // reused for runtime metadata); only valid metadata is remembered across censuses.
        keyOfMetadata = keyOfMetadata.filter { $0.value >= 0 }
        readable = []
        images = []
        guard let text = Self.processMaps() else { return }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5 else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16) else {
                continue
            }
            if fields[1].hasPrefix("r") { readable.append((start, end)) }
            if fields.count >= 6, fields[5].hasPrefix("/") { images.append((start, end)) }
        }
    }

    func isReadable(_ address: UInt, _ length: UInt) -> Bool {
        guard address &+ length >= address, let range = Self.mapping(containing: address, in: readable) else {
            return false
        }
        return address + length <= range.end
    }

    private func isImage(_ address: UInt) -> Bool {
        Self.mapping(containing: address, in: images) != nil
    }

    /// /proc/self/maps, read to its end (procfs reports a size of 0, and a reader that trusts
    /// the size stops early).
    static func processMaps() -> String? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps") else { return nil }
        defer { try? handle.close() }
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Binary search over sorted, disjoint ranges (as /proc/self/maps lists them).
    static func mapping(containing address: UInt, in ranges: [(start: UInt, end: UInt)]) -> (start: UInt, end: UInt)? {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].start <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0, address < ranges[low - 1].end else { return nil }
        return ranges[low - 1]
    }
}

public struct HeapWalkError: Error, CustomStringConvertible {
    public var description: String
}
