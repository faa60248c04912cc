import Foundation

/// Runs `promtool check metrics` (the Prometheus project's own linter and parser) on a text
/// exposition. promtool is part of `make deps` (Debian's `prometheus` package), so its absence is a
/// failure, not a skip: a check that silently does not run proves nothing.
enum PromtoolCheck {
    struct Result {
        let exitCode: Int32
        /// promtool's stdout and stderr: empty when the exposition is clean.
        let output: String
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "promtool is not installed (make deps installs Debian's prometheus package)" }
    }

    static let executable: URL? = ["/usr/bin/promtool", "/usr/local/bin/promtool", "/bin/promtool"]
        .map { URL(fileURLWithPath: $0) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    static func run(_ exposition: String) throws -> Result {
        guard let executable else { throw Missing() }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Write and read concurrently: either pipe could fill up first.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(exposition.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Result(exitCode: process.terminationStatus, output: text)
    }
}
