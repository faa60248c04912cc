import Foundation
import HummingbirdBcrypt
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The shape of a bcrypt hash as htpasswd and Go's bcrypt write it: `$2a$`, `$2b$` or `$2y$`, a
/// two-digit cost 04–31, then 53 characters of salt and digest in bcrypt's base-64 alphabet.
enum BcryptHash {
    static func isWellFormed(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
              [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]),
              bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$"),
              let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost)
        else { return false }
        return bytes[7...].allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
        }
    }

    /// `$2y$` (PHP's and htpasswd's name for the fixed algorithm) is the same algorithm as `$2b$`;
    /// OpenBSD's bcrypt, which hummingbird-auth wraps, only knows the `$2b$` spelling.
    static func normalized(_ hash: String) -> String {
        hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
    }
}

/// HTTP basic authentication against `basic_auth_users`, as the exporter-toolkit does it: an
/// unknown user is checked against a fixed hash (so timing does not tell which users exist),
/// results are cached per (user, hash, password), and only one bcrypt runs at a time — a bcrypt
/// of cost 10 takes ~70 ms of CPU, so a flood of wrong passwords costs one core at most, off the
/// event loops (NIO's blocking thread pool).
final class BasicAuthenticator: Sendable {
    private let users: [String: String]
    private let cache = NIOLockedValueBox([String: Bool]())
    private let bcryptLock = NIOLock()
    private let threadPool: NIOThreadPool
    /// Bounds the cache, which grows by one entry per distinct wrong password.
    static let maxCachedResults = 256
    /// bcrypt("fakepassword"), cost 10: the toolkit's hash for unknown users.
    static let unknownUserHash = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"

    init(users: [String: String], threadPool: NIOThreadPool = .singleton) {
        self.users = users
        self.threadPool = threadPool
    }

    /// The `WWW-Authenticate` challenge of a 401, as the toolkit sends it.
    static let challenge = "Basic"

    /// Whether the `Authorization` header value carries a known user's right password.
    func authenticate(authorization: String?, on eventLoop: any EventLoop) -> EventLoopFuture<Bool> {
        guard let (user, password) = Self.credentials(authorization) else {
            return eventLoop.makeSucceededFuture(false)
        }
        let knownHash = users[user]
        let hash = knownHash ?? Self.unknownUserHash
        let cacheKey = "\(user.utf8.count):\(user)\(hash)\(password)"
        if let cached = cache.withLockedValue({ $0[cacheKey] }) {
            return eventLoop.makeSucceededFuture(cached && knownHash != nil)
        }
        let bcryptLock = self.bcryptLock
        let cache = self.cache
        return threadPool.runIfActive(eventLoop: eventLoop) {
            let matches = bcryptLock.withLock { Bcrypt.verify(password, hash: BcryptHash.normalized(hash)) }
            let result = matches && knownHash != nil
            cache.withLockedValue { cache in
                if cache.count >= Self.maxCachedResults { cache.removeAll(keepingCapacity: true) }
                cache[cacheKey] = result
            }
            return result
        }
    }

    /// `Basic base64(user:password)` (RFC 7617); nil when absent or malformed.
    static func credentials(_ authorization: String?) -> (user: String, password: String)? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8),
              let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
