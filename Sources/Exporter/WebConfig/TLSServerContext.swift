import NIOCore
import NIOSSL

/// A web config's `tls_server_config` as a swift-nio-ssl (BoringSSL) server context, built once at
/// start so that a bad certificate, key or CA file stops the exporter before it listens.
///
/// `client_auth_type` maps onto BoringSSL's verification modes the way Go's `tls.ClientAuthType`
/// behaves: RequestClientCert and RequireAnyClientCert ask for a certificate without verifying it
/// (a custom verification callback that accepts any chain); VerifyClientCertIfGiven and
/// RequireAndVerifyClientCert verify against `client_ca_file` (the system roots without one, as Go).
struct TLSServerContext: Sendable {
    let context: NIOSSLContext
    let clientAuth: WebConfig.ClientAuth

    init(_ config: WebConfig.TLSServerConfig) throws {
        let certificates: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(config.certificate.read(what: "cert_file"))
        } catch let error as WebConfigError {
            throw error
        } catch {
            throw WebConfigError.invalid(key: "tls_server_config.cert_file", reason: "not a PEM certificate (\(error))")
        }
        guard !certificates.isEmpty else {
            throw WebConfigError.invalid(key: "tls_server_config.cert_file", reason: "no PEM certificate in it")
        }
        do {
            key = try NIOSSLPrivateKey(bytes: config.privateKey.read(what: "key_file"), format: .pem)
        } catch let error as WebConfigError {
            throw error
        } catch {
            throw WebConfigError.invalid(key: "tls_server_config.key_file", reason: "not a PEM private key (\(error))")
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = Self.version(config.minVersion)
        tls.maximumTLSVersion = Self.version(config.maxVersion)
        if let clientCA = config.clientCA {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(clientCA.read(what: "client_ca_file")))
            } catch let error as WebConfigError {
                throw error
            } catch {
                throw WebConfigError.invalid(key: "tls_server_config.client_ca_file", reason: "not PEM certificates (\(error))")
            }
        }
        switch config.clientAuth {
        case .noClientCert:
            tls.certificateVerification = .none
        case .requestClientCert, .verifyClientCertIfGiven:
            tls.certificateVerification = .optionalVerification
        case .requireAnyClientCert, .requireAndVerifyClientCert:
            tls.certificateVerification = .noHostnameVerification
        }
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            // Typically a key that does not belong to the certificate.
            throw WebConfigError.invalid(key: "tls_server_config", reason: "certificate and key cannot be used together (\(error))")
        }
        clientAuth = config.clientAuth
    }

    /// The per-connection handler.
    func makeHandler() -> NIOSSLServerHandler {
        switch clientAuth {
        case .requestClientCert, .requireAnyClientCert:
            // Ask for a certificate, accept whatever is presented (Go's semantics for these two).
            return NIOSSLServerHandler(context: context, customVerificationCallback: { _, promise in
                promise.succeed(.certificateVerified)
            })
        case .noClientCert, .verifyClientCertIfGiven, .requireAndVerifyClientCert:
            return NIOSSLServerHandler(context: context)
        }
    }

    private static func version(_ version: WebConfig.TLSProtocolVersion) -> TLSVersion {
        switch version {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }
}

/// In front of the TLS handler: a client that speaks plain HTTP to the TLS port gets Go's answer
/// (`400`, "Client sent an HTTP request to an HTTPS server.") and is closed, instead of a TLS alert
/// that curl or a browser shows as an opaque error. A TLS connection starts with a handshake record
/// (content type 22); anything else is not TLS.
final class PlainHTTPOnTLSPortResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let answer = "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        if first == 22 {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        let looksLikeHTTP = first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")
        if looksLikeHTTP {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: Self.answer)))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }
}

extension WebConfig {
    /// Loads the certificates and keys the config names (and checks that they fit together), so a
    /// command can reject a bad file before it starts anything else.
    public func checkCertificates() throws {
        _ = try tls.map(TLSServerContext.init)
    }
}
