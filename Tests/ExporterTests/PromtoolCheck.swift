import Foundation

/// Runs `promtool check metrics` (the Prometheus project's own linter and parser) on a text
/// exposition. Returns nil when promtool is not installed, so tests can skip with a message.
enum PromtoolCheck {
    struct Result {
        let exitCode: Int32
        /// promtool's stdout and stderr: empty when the exposition is clean.
        let output: String
    }

    static let executable: URL? = ["/usr/bin/promtool", "/usr/local/bin/promtool", "/bin/promtool"]
        .map { URL(fileURLWithPath: $0) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    static func run(_ exposition: String) throws -> Result? {
        guard let executable else { return nil }
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
