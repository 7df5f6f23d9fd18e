import SoakGateBasics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A problem with the command's inputs as a whole (as opposed to one file's failure).
public enum InputError: Error, CustomStringConvertible, Equatable {
    /// A path on the command line that does not exist.
    case doesNotExist(String)
    /// A directory on the command line with no `*.swift` below it.
    case noSwiftFiles(String)
    /// A directory that could not be listed, with the reason.
    case unreadableDirectory(String, String)
    /// A path on the command line that is a FIFO, socket or device (with what it is).
    case notARegularFile(String, String)

    /// One line naming the path and what to do.
    public var description: String {
        switch self {
        case .doesNotExist(let path):
            "\(path): no such file or directory; give an existing .swift file or a directory that holds some"
        case .notARegularFile(let path, let kind):
            "\(path): it is \(kind), not a Swift file or a directory; give a regular file"
        case .noSwiftFiles(let path):
            "\(path): no .swift files found (hidden directories and symlinked directories are not searched)"
        case .unreadableDirectory(let path, let why): "\(path): cannot list the directory: \(why)"
        }
    }
}

/// The Swift files named by the command's paths, sorted, without duplicates.
///
/// A file path is taken as given, whatever its extension, but a FIFO, socket or device given
/// by name is an input error (reading it could block forever). A directory is searched
/// recursively for `*.swift`; directories whose name starts with `.` (`.build`, `.git`) and
/// symbolic links to directories are not entered, so a symlink loop cannot make the search
/// endless. Every other entry named `*.swift` is listed, whatever it is: a symbolic link that
/// loops or dangles, or a FIFO, socket or device found in a directory, then fails as that file
/// with its reason (it is never opened for reading), so the summary names it.
public enum SourceInputs {
    /// The sorted files under `paths`.
    public static func discover(_ paths: [String]) throws(InputError) -> [String] {
        var files: [String] = []
        for path in paths {
            var status = stat()
            if lstat(path, &status) != 0 { throw .doesNotExist(path) }
            var isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
            if (status.st_mode & S_IFMT) == S_IFLNK {
                // A link named on the command line is followed once: the user asked for it.
                var target = stat()
                isDirectory = stat(path, &target) == 0 && (target.st_mode & S_IFMT) == S_IFDIR
            }
            if isDirectory {
                let before = files.count
                try collect(directory: path, into: &files)
                if files.count == before { throw .noSwiftFiles(path) }
            } else if let kind = RegularFile.irregularKind(path) {
                throw .notARegularFile(path, kind)
            } else {
                files.append(path)
            }
        }
        return Array(Set(files)).sorted()
    }

    private static func collect(directory: String, into files: inout [String]) throws(InputError) {
        guard let handle = opendir(directory) else {
            throw .unreadableDirectory(directory, String(cString: strerror(errno)))
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        closedir(handle)
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for name in names.sorted() {
            let path = prefix + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                if !name.hasPrefix(".") { try collect(directory: path, into: &files) }
            default:
                if name.hasSuffix(".swift") { files.append(path) }
            }
        }
    }
}
