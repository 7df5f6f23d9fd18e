/// Why a flag's value was refused while the command line was read.
///
/// Option value types throw it from the `transform:` of their `@Option`; ArgumentParser prints it
/// after "The value 'TEXT' is invalid for '--FLAG <name>': ", so it says only what is wrong and
/// what to write instead, and the one line names the flag, the value and the fault.
struct OptionValueError: Error, CustomStringConvertible, Sendable {
    /// What is wrong with the value, and what to write instead.
    var description: String
}
