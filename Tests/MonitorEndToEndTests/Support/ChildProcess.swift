import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process whose stdout and stderr go to files (a pipe nobody reads would block a
/// chatty child), with bounded waits. Tests register every child in a `ChildProcesses` so a
/// failing test still leaves nothing running.
///
/// Spawned with posix_spawn rather than Foundation.Process: under the test runner, children of
/// Foundation.Process inherit a signal mask with SIGINT and SIGTERM blocked, so a monitor (or
/// dumpcap) could never be stopped by the signal these tests are about. Here every child starts
/// with an empty mask and default dispositions, as if started from a shell.
final class ChildProcess {
    let name: String
    let commandLine: String
    let pid: pid_t
    let stdoutURL: URL
    let stderrURL: URL
    private var waitStatus: Int32?  // set once reaped

    init(name: String, executable: String, arguments: [String], standardInput: URL? = nil) throws {
        self.name = name
        commandLine = ([executable] + arguments).joined(separator: " ")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rtpscope-e2e-\(getpid())", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let unique = "\(name)-\(UUID().uuidString.prefix(8))"
        stdoutURL = directory.appendingPathComponent("\(unique).out")
        stderrURL = directory.appendingPathComponent("\(unique).err")
        pid = try Self.spawn(executable, arguments, stdin: standardInput?.path ?? "/dev/null",
                             stdout: stdoutURL.path, stderr: stderrURL.path)
    }

    /// Output files go with the object; messages that need them copy them out first.
    deinit {
        stop(grace: 1)
        try? FileManager.default.removeItem(at: stdoutURL)
        try? FileManager.default.removeItem(at: stderrURL)
        rmdir(stdoutURL.deletingLastPathComponent().path)  // only succeeds once the last child is gone
    }

    private static func spawn(_ executable: String, _ arguments: [String], stdin: String, stdout: String,
                              stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noneBlocked = sigset_t()
        sigemptyset(&noneBlocked)
        posix_spawnattr_setsigmask(&attributes, &noneBlocked)
        var resetToDefault = sigset_t()
        sigemptyset(&resetToDefault)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&resetToDefault, signal) }
        posix_spawnattr_setsigdefault(&attributes, &resetToDefault)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw E2EError("posix_spawn \(executable): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Reaps the child if it has exited (never blocks).
    var isRunning: Bool {
        if waitStatus != nil { return false }
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { waitStatus = status }
        return reaped == 0
    }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    // The W* macros are not imported into Swift; this is their glibc definition.
    private var terminatingSignal: Int32? {
        guard let status = waitStatus, status & 0x7f != 0, status & 0x7f != 0x7f else { return nil }
        return status & 0x7f
    }

    /// The exit status, or nil while running / when killed by a signal.
    var exitStatus: Int32? {
        guard !isRunning, let status = waitStatus, status & 0x7f == 0 else { return nil }
        return (status >> 8) & 0xff
    }

    var exitDescription: String {
        if isRunning { return "still running" }
        if let code = exitStatus { return "exit status \(code)" }
        return "killed by signal \(terminatingSignal.map(String.init) ?? "?")"
    }

    /// Waits at most `seconds`; true when the process has exited.
    @discardableResult
    func waitForExit(seconds: Double) -> Bool {
        waitUntil(seconds: seconds, interval: 0.02) { !isRunning }
    }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// SIGTERM, then SIGKILL if it does not go within `grace` seconds.
    func stop(grace: Double = 3) {
        guard isRunning else { return }
        signal(SIGTERM)
        if !waitForExit(seconds: grace) {
            signal(SIGKILL)
            waitForExit(seconds: 5)
        }
    }
}

/// Owns the children of one test; `stopAll()` goes in a `defer` right after creation.
final class ChildProcesses {
    private var children: [ChildProcess] = []

    func start(_ name: String, _ executable: String, _ arguments: [String], standardInput: URL? = nil) throws -> ChildProcess {
        let child = try ChildProcess(name: name, executable: executable, arguments: arguments, standardInput: standardInput)
        children.append(child)
        return child
    }

    func stopAll() {
        for child in children.reversed() { child.stop(grace: 2) }
        children.removeAll()
    }
}

/// Runs a command to completion (bounded) and returns its stdout; throws on failure.
func runToCompletion(_ executable: String, _ arguments: [String], seconds: Double = 30) throws -> String {
    let child = try ChildProcess(name: URL(fileURLWithPath: executable).lastPathComponent,
                                 executable: executable, arguments: arguments)
    guard child.waitForExit(seconds: seconds) else {
        child.stop()
        throw E2EError("\(child.commandLine) did not finish within \(seconds) s")
    }
    guard child.exitStatus == 0 else {
        throw E2EError("\(child.commandLine) failed (\(child.exitDescription)): \(child.stderr)")
    }
    return child.stdout
}

struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every `interval` seconds for at most `seconds`; true when it held.
func waitUntil(seconds: Double, interval: Double = 0.05, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if condition() { return true }
        if Date() >= deadline { return false }
        usleep(useconds_t(interval * 1_000_000))
    }
}

/// `executable arguments` with standard stream `descriptor` (1: stdout, 2: stderr) sent to `path`
/// instead of the test's pipe, through a shell that execs the program: the child's pid, signals and
/// exit status are the program's own.
func redirected(_ executable: String, _ arguments: [String], descriptor: Int32, to path: String) throws
    -> (executable: String, arguments: [String]) {
    (try PackagePaths.executable("sh"),
     ["-c", "target=$1; shift; exec \"$@\" \(descriptor)> \"$target\"", "sh", path, executable] + arguments)
}
