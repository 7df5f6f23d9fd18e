/// What a leaking workload's heap gained by type, and who holds it: the second and third steps of
/// a leak investigation (which objects grow, and the chain of references that keeps them), as a
/// profiled run's heap walk found them. See docs/method.md, "Which type grows and who holds it".
public struct RetentionReport: Sendable, Equatable, Codable {
    /// The types whose live objects or bytes grew between the two walks, most bytes first.
    public var types: [GrowingType]
    /// Iterations between the two walks.
    public var iterations: Int
    /// Live blocks and bytes the second walk scanned, and how long it took.
    public var blocks: Int
    public var bytes: Int
    public var seconds: Double
    /// Set when the walk could not run or saw only part of the heap.
    public var note: String?

    public init(
        types: [GrowingType], iterations: Int, blocks: Int, bytes: Int, seconds: Double, note: String? = nil
    ) {
        self.types = types
        self.iterations = iterations
        self.blocks = blocks
        self.bytes = bytes
        self.seconds = seconds
        self.note = note
    }

    /// A walk that did not happen, and why.
    public static func unavailable(_ reason: String) -> RetentionReport {
        RetentionReport(types: [], iterations: 0, blocks: 0, bytes: 0, seconds: 0, note: reason)
    }
}

/// One type whose live objects grew, and the shortest chain found that keeps a new one alive.
public struct GrowingType: Sendable, Equatable, Codable {
    /// The type as a person reads it: `PlantedWorkloads.Observer`, `[Int] buffer`,
    /// `closure context`, `async task`, or `untyped 16 B block` for memory no Swift type owns.
    public var name: String
    public var kind: HeapBlockKind
    public var objectsBefore: Int
    public var objectsAfter: Int
    public var bytesBefore: Int
    public var bytesAfter: Int
    public var objectsPerIteration: Double
    public var bytesPerIteration: Double
    /// Nil when no new object of the type was left to follow.
    public var path: RetentionPath?

    public init(
        name: String, kind: HeapBlockKind, objectsBefore: Int, objectsAfter: Int, bytesBefore: Int, bytesAfter: Int,
        objectsPerIteration: Double, bytesPerIteration: Double, path: RetentionPath?
    ) {
        self.name = name
        self.kind = kind
        self.objectsBefore = objectsBefore
        self.objectsAfter = objectsAfter
        self.bytesBefore = bytesBefore
        self.bytesAfter = bytesAfter
        self.objectsPerIteration = objectsPerIteration
        self.bytesPerIteration = bytesPerIteration
        self.path = path
    }
}

/// What the runtime says a heap block is.
public enum HeapBlockKind: String, Sendable, Equatable, Codable {
    /// An instance of a Swift class, including the stdlib's array, dictionary, set and string storage.
    case object
    /// A closure's captured context, or a box for a captured `var`.
    case closureContext = "closure-context"
    /// An async task (its object, with the frames of its suspended functions).
    case task
    /// Memory no Swift type claims: a C `malloc`, a runtime-internal buffer.
    case untyped
}

/// A chain of references from a root to an object of a growing type.
public struct RetentionPath: Sendable, Equatable, Codable {
    public enum Root: String, Sendable, Equatable, Codable {
        /// A global or static variable: a word in a loaded image's .data or .bss.
        case global
        /// The async task that runs the workload: its frames hold the workload's own state (the
        /// stored properties of the `Workload` value, its locals).
        case workload
        /// A word on a thread's stack (a local variable, or an async task's context the thread runs).
        case stack
        /// Nothing outside the chain points at it: the first step is held by the last (a cycle).
        case cycle
        /// Nothing at all points at the first step: it is kept by a retain count alone, or lost
        /// (a C block whose last pointer was overwritten).
        case unreferenced
    }

    public var root: Root
    /// The global's demangled name, or which thread's stack; nil for a cycle or nothing.
    public var rootName: String?
    /// From the root to the grown object. With `cycle`, the last step is an object already on
    /// the path.
    public var steps: [RetentionStep]
    public var cycle: Bool

    public init(root: Root, rootName: String?, steps: [RetentionStep], cycle: Bool) {
        self.root = root
        self.rootName = rootName
        self.steps = steps
        self.cycle = cycle
    }

    /// `global observers → [Observer] buffer → Observer.onChange → closure context → Observer (cycle)`.
    public var description: String {
        var parts: [String] = []
        switch root {
        case .global: parts.append("global \(rootName ?? "?")")
        case .workload: parts.append("the workload's state")
        case .stack: parts.append(rootName ?? "a thread's stack")
        case .cycle: parts.append("cycle")
        case .unreferenced: parts.append("nothing points at it")
        }
        for step in steps {
            let type = Self.shortName(step.type)
            guard let field = step.field else {
                parts.append(type)
                continue
            }
            parts.append(field.hasPrefix("[") ? "\(field) \(type)" : ".\(field) \(type)")
        }
        return parts.joined(separator: " → ") + (cycle ? " (cycle)" : "")
    }

    /// A type name without its module, as a path reads best: `PlantedWorkloads.Observer` →
    /// `Observer`, `A.B.Node` → `B.Node`. Generic arguments keep theirs.
    static func shortName(_ name: String) -> String {
        let head = name.prefix { $0 != "<" && $0 != "[" && $0 != " " }
        guard let dot = head.firstIndex(of: "."), head[..<dot].first?.isUppercase == true else { return name }
        return String(name[name.index(after: dot)...])
    }
}

/// One object on a retention path, and which field of the step before it holds it.
public struct RetentionStep: Sendable, Equatable, Codable {
    /// The object's type, named as `GrowingType.name` names it.
    public var type: String
    /// The stored property (or array element) of the previous step that points here, when the
    /// runtime's field records name it.
    public var field: String?
    /// Byte offset of that reference within the previous step's block (or the global).
    public var offset: Int

    public init(type: String, field: String?, offset: Int) {
        self.type = type
        self.field = field
        self.offset = offset
    }
}
