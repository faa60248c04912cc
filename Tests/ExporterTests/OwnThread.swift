import Foundation

/// Runs CPU-heavy test work on a thread of its own. A synchronous test body runs on Swift
/// concurrency's cooperative pool (one thread per core: two here), and seconds of rendering there
/// starve every other suite's async work, e.g. the HTTP server tests' handlers.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
