import DeclarationCounter
import SoakGate
import SoakGateCLI

/// Parses one small file per iteration; nothing should outlive it.
struct CountFunctions: Workload {
    let counter = DeclarationCounter()
    var number = 0

    mutating func run() async throws {
        number += 1
        let found = counter.functions(in: "func f\(number)() {}\nstruct S { func g() -> Int { \(number) } }\n")
        precondition(found == 2, "expected 2 functions, found \(found)")
    }
}

await SoakGateMain.run(workloads: [
    WorkloadDefinition(
        "syntax.count-functions", summary: "swift-syntax 600 parses a small file and counts its functions"
    ) {
        CountFunctions()
    }
])
