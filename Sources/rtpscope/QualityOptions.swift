import ArgumentParser
import RTPCore

/// The quality options every engine user (analyze, monitor) shares: the simulated jitter buffers.
struct QualityOptions: ParsableArguments {
    @Option(name: .customLong("jitter-buffers"),
            help: ArgumentHelp("Receiver jitter buffers each stream is played through for discards, effective loss and MOS: comma-separated fixed:MS and adaptive:MAX_MS (fixed ones are named F1, F2…).",
                               valueName: "LIST"))
    var jitterBuffers: String = "fixed:50,fixed:200,adaptive:500"

    func apply(to configuration: inout AnalyzerConfiguration) throws {
        switch JitterBufferModel.parseList(jitterBuffers) {
        case .success(let models): configuration.jitterBuffers = models
        case .failure(let error): throw CLIError(error.message)
        }
    }
}
