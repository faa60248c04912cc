import ArgumentParser
import LiveSource

/// `rtpscope doctor`: what live capture needs, what this host has, and how to fix what is missing.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check whether this host can run the live monitor, with the fix for anything missing.",
        discussion: "Exit status: 0 when the monitor can run (warnings allowed), 1 when something blocks it."
    )

    @Option(help: ArgumentHelp("The capture path to check (as monitor --capture).", valueName: "auto|socket|syscalls"))
    var capture: LiveCaptureOptions.CaptureSelection = .auto

    @Option(name: .customLong("cgroup-root"), help: ArgumentHelp("As monitor --cgroup-root.", valueName: "DIR"))
    var cgroupRoot: String?

    func run() throws {
        var checks = SystemChecks.run(capture: capture, cgroupRoot: cgroupRoot)
        // With the privileges to load programs, try the capture as the monitor would: the path it
        // really takes here, and why.
        if SystemChecks.overall(checks) != .fail {
            checks.append(SystemChecks.trial(capture: capture, cgroupRoot: cgroupRoot))
        }
        for check in checks { print(check) }
        let verdict = SystemChecks.overall(checks)
        print(verdict == .fail ? "rtpscope monitor cannot run here: fix the [fail] lines above."
                               : "rtpscope monitor can run here.")
        if verdict == .fail { throw ExitCode(1) }
    }
}
