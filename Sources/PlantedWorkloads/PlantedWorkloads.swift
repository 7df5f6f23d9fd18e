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
