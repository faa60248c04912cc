import Foundation

/// Runs `promtool check metrics` (the Prometheus project's own linter and parser) on a text
/// exposition. Without promtool it throws: CI has it (`make deps` installs prometheus), so a test
/// that needs it must fail there rather than pass having checked nothing.
enum PromtoolCheck {
    struct Result {
        let exitCode: Int32
        /// promtool's stdout and stderr: empty when the exposition is clean.
        let output: String
    }

    static let executable: URL? = ["/usr/bin/promtool", "/usr/local/bin/promtool", "/bin/promtool"]
        .map { URL(fileURLWithPath: $0) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "promtool not found in /usr/bin, /usr/local/bin or /bin: `make deps` installs it (Debian package prometheus)"
        }
    }

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
