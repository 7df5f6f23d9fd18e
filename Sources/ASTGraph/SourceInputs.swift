#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A problem with the command's inputs as a whole (as opposed to one file's failure).
public enum InputError: Error, CustomStringConvertible, Equatable {
    case doesNotExist(String)
    case noSwiftFiles(String)
    case unreadableDirectory(String, String)

    public var description: String {
        switch self {
        case .doesNotExist(let path): "\(path): no such file or directory; give an existing .swift file or a directory that holds some"
        case .noSwiftFiles(let path): "\(path): no .swift files found (hidden directories and symlinked directories are not searched)"
        case .unreadableDirectory(let path, let why): "\(path): cannot list the directory: \(why)"
        }
    }
}

/// The Swift files named by the command's paths, sorted, without duplicates.
///
/// A file path is taken as given, whatever its extension. A directory is searched recursively
/// for `*.swift`; directories whose name starts with `.` (`.build`, `.git`) and symbolic links
/// to directories are not entered, so a symlink loop cannot make the search endless. A symbolic
/// link named `*.swift` is listed; if it loops or dangles, that file fails with its reason.
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
            case S_IFDIR where !name.hasPrefix("."):
                try collect(directory: path, into: &files)
            case S_IFREG, S_IFLNK:
                if name.hasSuffix(".swift") { files.append(path) }
            default:
                break
            }
        }
    }
}
