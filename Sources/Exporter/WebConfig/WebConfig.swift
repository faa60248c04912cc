import Foundation
import Yams

/// The exporter's `--web.config.file`, in the Prometheus exporter-toolkit format
/// (docs/web-configuration.md of prometheus/exporter-toolkit), so an operator can reuse the file
/// they already have for node_exporter:
///
/// ```yaml
/// tls_server_config:
///   cert_file: server.crt          # relative paths are relative to this file's directory
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert
///   client_ca_file: clients-ca.crt
///   min_version: TLS12
/// http_server_config:
///   headers:
///     X-Content-Type-Options: nosniff
/// basic_auth_users:
///   prometheus: $2y$10$...         # bcrypt (htpasswd -nBC 10 "" | tr -d ':\n')
/// ```
///
/// Parsed strictly, as the toolkit does (`yaml.UnmarshalStrict`): an unknown key is an error, not
/// silently ignored, because a misspelt `basic_auth_users` would otherwise leave the endpoint open.
/// Keys the toolkit has but rtpscope cannot honour (Go cipher-suite and curve names,
/// `client_allowed_sans`) are refused with a message rather than ignored, for the same reason.
public struct WebConfig: Sendable, Equatable {
    public var tls: TLSServerConfig?
    /// Extra response headers (`http_server_config.headers`), in file order.
    public var headers: [Header]
    /// User name → bcrypt hash. Empty: no authentication.
    public var basicAuthUsers: [String: String]
    /// `http_server_config.http2`: accepted for compatibility; rtpscope serves HTTP/1.1 only.
    public var http2: Bool

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public init(tls: TLSServerConfig? = nil, headers: [Header] = [], basicAuthUsers: [String: String] = [:],
                http2: Bool = true) {
        self.tls = tls
        self.headers = headers
        self.basicAuthUsers = basicAuthUsers
        self.http2 = http2
    }

    /// `tls_server_config`. Certificates are PEM, from a file or inline (`cert`, `key`, `client_ca`).
    public struct TLSServerConfig: Sendable, Equatable {
        public var certificate: PEMSource
        public var privateKey: PEMSource
        public var clientAuth: ClientAuth
        public var clientCA: PEMSource?
        public var minVersion: TLSProtocolVersion
        public var maxVersion: TLSProtocolVersion
    }

    public enum PEMSource: Sendable, Equatable {
        case file(String)
        case inline(String)

        public func read(what: String) throws -> [UInt8] {
            switch self {
            case .inline(let text):
                return Array(text.utf8)
            case .file(let path):
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw WebConfigError.unreadable(what: what, path: path)
                }
                return Array(data)
            }
        }
    }

    /// Go's `tls.ClientAuthType`, by the names the toolkit accepts.
    public enum ClientAuth: String, Sendable, CaseIterable {
        case noClientCert = "NoClientCert"
        case requestClientCert = "RequestClientCert"
        case requireAnyClientCert = "RequireAnyClientCert"
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

        init?(toolkitName: String) {
            switch toolkitName {
            case "", "NoClientCert": self = .noClientCert
            case "RequireClientCert": self = .requireAnyClientCert  // the toolkit's backwards-compatible alias
            default: self.init(rawValue: toolkitName)
            }
        }
    }

    public enum TLSProtocolVersion: String, Sendable, Comparable {
        case tls10 = "TLS10", tls11 = "TLS11", tls12 = "TLS12", tls13 = "TLS13"

        private var order: Int {
            switch self {
            case .tls10: 0
            case .tls11: 1
            case .tls12: 2
            case .tls13: 3
            }
        }

        public static func < (a: Self, b: Self) -> Bool { a.order < b.order }
    }

    /// Headers the toolkit lets a web config set, with the values it accepts (nil: any value).
    /// Kept identical to the toolkit's list, "to ensure consistency in the Prometheus ecosystem".
    static let allowedHeaders: [String: [String]?] = [
        "Strict-Transport-Security": nil,
        "X-Content-Type-Options": ["nosniff"],
        "X-Frame-Options": ["deny", "sameorigin"],
        "X-XSS-Protection": nil,
        "Content-Security-Policy": nil,
    ]
}

/// Why a web config cannot be used; each description is one line naming the file and the key.
public enum WebConfigError: Error, CustomStringConvertible, Equatable {
    case unreadable(what: String, path: String)
    case syntax(String)
    case invalid(key: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let what, let path): return "cannot read \(what) \(path)"
        case .syntax(let reason): return "not valid YAML: \(reason)"
        case .invalid(let key, let reason): return "\(key): \(reason)"
        }
    }
}

extension WebConfig {
    /// Reads and validates the file, including the certificates, keys and bcrypt hashes it names,
    /// so that every mistake is reported at start rather than on the first scrape.
    public static func load(path: String) throws -> WebConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WebConfigError.unreadable(what: "web config file", path: path)
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(String(decoding: data, as: UTF8.self), relativeTo: directory)
    }

    /// Parses the YAML text; relative file names are resolved against `directory` (as the toolkit
    /// resolves them against the config file's directory).
    public static func parse(_ text: String, relativeTo directory: String) throws -> WebConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw WebConfigError.syntax(String(describing: error).split(separator: "\n").joined(separator: " "))
        } catch {
            throw WebConfigError.syntax("\(error)")
        }
        var config = WebConfig()
        // An empty file is a valid, empty configuration (plain HTTP, no authentication).
        guard let root, !(root.scalar.map { $0.string.isEmpty || $0.string == "null" } ?? false) else { return config }
        let top = try StrictMapping(root, key: "the file")
        try top.rejectUnknown(["tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"])
        if top["rate_limit"] != nil {
            throw WebConfigError.invalid(key: "rate_limit", reason: "not supported by rtpscope (put a rate limit in front of it, or remove the key)")
        }
        if let tls = top["tls_server_config"] {
            config.tls = try parseTLS(StrictMapping(tls, key: "tls_server_config"), directory: directory)
        }
        if let http = top["http_server_config"] {
            let mapping = try StrictMapping(http, key: "http_server_config")
            try mapping.rejectUnknown(["http2", "headers"])
            if let http2 = mapping["http2"] {
                config.http2 = try boolean(http2, key: "http_server_config.http2")
            }
            if let headers = mapping["headers"] {
                config.headers = try parseHeaders(StrictMapping(headers, key: "http_server_config.headers"))
            }
        }
        if let users = top["basic_auth_users"] {
            for (user, hash) in try StrictMapping(users, key: "basic_auth_users").pairs {
                let key = "basic_auth_users.\(user)"
                let hash = try string(hash, key: key)
                guard BcryptHash.isWellFormed(hash) else {
                    throw WebConfigError.invalid(key: key, reason: "not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 60 characters; make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')")
                }
                config.basicAuthUsers[user] = hash
            }
        }
        return config
    }

    private static func parseTLS(_ mapping: StrictMapping, directory: String) throws -> TLSServerConfig? {
        try mapping.rejectUnknown([
            "cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type", "client_ca_file",
            "min_version", "max_version", "prefer_server_cipher_suites", "cipher_suites", "curve_preferences",
            "client_allowed_sans",
        ])
        for (name, reason) in [
            ("cipher_suites", "Go cipher suite names are not supported by rtpscope (BoringSSL's default suites are used); remove the key"),
            ("curve_preferences", "Go curve names are not supported by rtpscope (BoringSSL's default curves are used); remove the key"),
            ("client_allowed_sans", "not supported by rtpscope: issue client certificates from a CA of their own instead"),
        ] where mapping[name] != nil {
            throw WebConfigError.invalid(key: "tls_server_config.\(name)", reason: reason)
        }
        func text(_ name: String) throws -> String? {
            try mapping[name].map { try string($0, key: "tls_server_config.\(name)") }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func source(inline: String, file: String) throws -> PEMSource? {
            let inlineText = try text(inline)
            let path = try text(file)
            if inlineText != nil, path != nil {
                throw WebConfigError.invalid(key: "tls_server_config.\(file)", reason: "give either \(inline) or \(file), not both")
            }
            if let path { return .file(path.hasPrefix("/") ? path : directory + "/" + path) }
            return inlineText.map(PEMSource.inline)
        }
        let certificate = try source(inline: "cert", file: "cert_file")
        let key = try source(inline: "key", file: "key_file")
        let clientCA = try source(inline: "client_ca", file: "client_ca_file")
        let authName = try text("client_auth_type")
        // As the toolkit: TLS is on as soon as any of these is set, and then needs both halves.
        guard certificate != nil || key != nil || clientCA != nil || authName != nil else { return nil }
        guard let certificate else {
            throw WebConfigError.invalid(key: "tls_server_config", reason: "missing one of cert or cert_file")
        }
        guard let key else {
            throw WebConfigError.invalid(key: "tls_server_config", reason: "missing one of key or key_file")
        }
        guard let clientAuth = ClientAuth(toolkitName: authName ?? "") else {
            throw WebConfigError.invalid(key: "tls_server_config.client_auth_type", reason: "invalid ClientAuth \(authName ?? ""): expected one of \(ClientAuth.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if clientCA != nil, clientAuth == .noClientCert {
            throw WebConfigError.invalid(key: "tls_server_config.client_ca_file", reason: "client CA's have been configured without a Client Auth Policy (set client_auth_type)")
        }
        func version(_ name: String, default value: TLSProtocolVersion) throws -> TLSProtocolVersion {
            guard let given = try text(name) else { return value }
            guard let parsed = TLSProtocolVersion(rawValue: given) else {
                throw WebConfigError.invalid(key: "tls_server_config.\(name)", reason: "unknown TLS version \(given) (TLS10, TLS11, TLS12 or TLS13)")
            }
            return parsed
        }
        if let prefer = mapping["prefer_server_cipher_suites"] {
            _ = try boolean(prefer, key: "tls_server_config.prefer_server_cipher_suites")
        }
        let config = TLSServerConfig(
            certificate: certificate, privateKey: key, clientAuth: clientAuth, clientCA: clientCA,
            minVersion: try version("min_version", default: .tls12), maxVersion: try version("max_version", default: .tls13))
        guard config.minVersion <= config.maxVersion else {
            throw WebConfigError.invalid(key: "tls_server_config.min_version", reason: "\(config.minVersion.rawValue) is above max_version \(config.maxVersion.rawValue)")
        }
        return config
    }

    private static func parseHeaders(_ mapping: StrictMapping) throws -> [Header] {
        try mapping.pairs.map { name, value in
            let key = "http_server_config.headers.\(name)"
            guard let allowed = allowedHeaders[name] else {
                throw WebConfigError.invalid(key: key, reason: "HTTP header \"\(name)\" can not be configured (allowed: \(allowedHeaders.keys.sorted().joined(separator: ", ")))")
            }
            let value = try string(value, key: key)
            if let allowed, !allowed.contains(value) {
                throw WebConfigError.invalid(key: key, reason: "invalid value \"\(value)\": expected one of \(allowed.joined(separator: ", "))")
            }
            return Header(name: name, value: value)
        }
    }

    private static func string(_ node: Node, key: String) throws -> String {
        guard let scalar = node.scalar else {
            throw WebConfigError.invalid(key: key, reason: "expected a string")
        }
        return scalar.string
    }

    private static func boolean(_ node: Node, key: String) throws -> Bool {
        switch node.scalar?.string.lowercased() {
        case "true": return true
        case "false": return false
        default: throw WebConfigError.invalid(key: key, reason: "expected true or false")
        }
    }
}

/// A YAML mapping read strictly: keys are strings, duplicates and unknown keys are errors.
private struct StrictMapping {
    let key: String
    let pairs: [(String, Node)]

    init(_ node: Node, key: String) throws {
        self.key = key
        if let scalar = node.scalar, scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~" {
            pairs = []  // `key:` with nothing under it
            return
        }
        guard let mapping = node.mapping else {
            throw WebConfigError.invalid(key: key, reason: "expected a mapping")
        }
        var seen = Set<String>()
        var pairs: [(String, Node)] = []
        for (name, value) in mapping {
            guard let name = name.scalar?.string else {
                throw WebConfigError.invalid(key: key, reason: "keys must be strings")
            }
            guard seen.insert(name).inserted else {
                throw WebConfigError.invalid(key: key, reason: "duplicate key \(name)")
            }
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    subscript(name: String) -> Node? {
        pairs.first { $0.0 == name }?.1
    }

    func rejectUnknown(_ known: Set<String>) throws {
        if let unknown = pairs.first(where: { !known.contains($0.0) }) {
            throw WebConfigError.invalid(key: key == "the file" ? unknown.0 : "\(key).\(unknown.0)",
                                         reason: "unknown key (known: \(known.sorted().joined(separator: ", ")))")
        }
    }
}
