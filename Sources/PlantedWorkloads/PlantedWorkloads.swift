import SoakGate

/// Workloads with a known answer, shipped so anyone can watch the harness work: leaks, and
/// cases that fool simpler tools but are not leaks.
public enum PlantedWorkloads {
    /// The planted leaks run only when named (`--workload 'planted.*'`): they exist to fail.
    public static let leaks: [WorkloadDefinition] = [
        WorkloadDefinition(
            "planted.leak.c-heap", summary: "malloc of 16 B per iteration, never freed", runsByDefault: false
        ) { CHeapLeak() },
        WorkloadDefinition(
            "planted.leak.retain-cycle", summary: "two objects holding each other per iteration", runsByDefault: false
        ) { RetainCycleLeak() },
        WorkloadDefinition(
            "planted.leak.global-array", summary: "a global array that grows by one element per iteration",
            runsByDefault: false
        ) { GlobalArrayLeak() },
        WorkloadDefinition("planted.leak.quadratic", summary: "iteration n keeps n more bytes", runsByDefault: false) {
            QuadraticLeak()
        },
        WorkloadDefinition(
            "planted.leak.observer-list", summary: "an observer per iteration kept by a global notification centre",
            runsByDefault: false
        ) { ObserverListLeak() },
        WorkloadDefinition(
            "planted.leak.closure-captures-owner",
            summary: "an object per iteration whose stored closure captures it", runsByDefault: false
        ) { ClosureCapturesOwnerLeak() },
        WorkloadDefinition(
            "planted.leak.ever-new-keys-cache", summary: "a global cache keyed by a request that never repeats",
            runsByDefault: false
        ) { EverNewKeysCacheLeak() },
        WorkloadDefinition(
            "planted.leak.parent-child-cycle", summary: "a parent and child holding each other strongly per iteration",
            runsByDefault: false
        ) { ParentChildCycleLeak() },
        WorkloadDefinition(
            "planted.leak.parked-task", summary: "an unstructured task per iteration parked on a list never signalled",
            runsByDefault: false
        ) { ParkedTaskLeak() },
    ]

    /// Not leaks, though each grows at first.
    public static let clean: [WorkloadDefinition] = [
        WorkloadDefinition("planted.clean.one-off-init", summary: "a 512 KiB table built on the first iteration") {
            OneOffInitialisation()
        },
        WorkloadDefinition("planted.clean.bounded-cache", summary: "an LRU cache bounded at 64 entries") {
            BoundedCache()
        },
        WorkloadDefinition("planted.clean.thread-once", summary: "a helper thread started on the first iteration") {
            ThreadStartedOnce()
        },
        WorkloadDefinition("planted.clean.lazy-singleton", summary: "a registry created lazily on first use") {
            LazySingleton()
        },
        WorkloadDefinition("planted.clean.task-group", summary: "clean work over 8 child tasks of a task group") {
            TaskGroupWork()
        },
        WorkloadDefinition(
            "planted.clean.concurrent-perform",
            summary: "clean work over DispatchQueue.concurrentPerform(iterations: 8)"
        ) { ConcurrentPerformWork() },
    ]

    public static var all: [WorkloadDefinition] { leaks + clean + budget + soak + bench }
}
