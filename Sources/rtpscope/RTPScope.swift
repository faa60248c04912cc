import ArgumentParser
import PcapSource
import RTPCore

@main
struct RTPScope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtpscope",
        abstract: "Measure RTP stream health (jitter, loss, reordering) in captures and live processes."
    )

    func run() throws {
        print(PcapSourceVersion.libpcapVersion)
    }
}
