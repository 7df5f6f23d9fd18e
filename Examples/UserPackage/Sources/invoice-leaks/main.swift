import InvoiceKit
import SoakGate
import SoakGateCLI

/// A workload with state: the parser lives across iterations, as it does in the app.
struct ParseInvoices: Workload {
    let parser: InvoiceParser
    var number = 0

    mutating func run() async throws {
        number += 1
        _ = parser.parse("id=\(number)\ntotal=\(number % 97)\n")
    }
}

await SoakGateMain.run(workloads: [
    WorkloadDefinition("invoice.parse.bounded", summary: "parser whose cache is bounded at 128 lines") {
        ParseInvoices(parser: InvoiceParser(cacheLimit: 128))
    },
    WorkloadDefinition("invoice.parse.unbounded", summary: "parser that remembers every line") {
        ParseInvoices(parser: InvoiceParser(cacheLimit: nil))
    },
    WorkloadDefinition("invoice.total", summary: "a stateless closure") {
        _ = InvoiceParser(cacheLimit: 1).parse("total=12\n")
    },
])
