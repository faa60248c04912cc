import Foundation
import Testing

extension MonitorEndToEnd {
    /// The deploy/ surface against a live monitor: a real Prometheus scrapes it with
    /// deploy/prometheus/rules.yml loaded, and every Grafana panel query and every rule is
    /// evaluated on what it scraped. A dashboard whose query names a metric the monitor does not
    /// export (or exports with other labels) fails here, not in front of an operator.
    @Suite("Prometheus and Grafana against the live monitor")
    struct PrometheusDashboard {
        @Test func everyPanelAndRuleEvaluatesOnLiveData() throws {
            let prometheusBinary = try PackagePaths.executable("prometheus")
            let rtcpComm = uniqueComm("e2e-rtcp")
            try withMonitor(comms: ["codecpush", rtcpComm]) { session in
                let prometheusPort = try freePort(udp: false)
                let directory = FileManager.default.temporaryDirectory
                    .appendingPathComponent("rtpscope-prom-\(UUID().uuidString.prefix(8))")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                let rulesFile = PackagePaths.root.appendingPathComponent("deploy/prometheus/rules.yml").path
                let config = directory.appendingPathComponent("prometheus.yml")
                try """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: ["\(rulesFile)"]
                scrape_configs:
                  - job_name: rtpscope
                    static_configs: [{targets: ["127.0.0.1:\(session.monitor.port)"]}]
                """.write(to: config, atomically: true, encoding: .utf8)
                _ = try session.children.start("prometheus", prometheusBinary, [
                    "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                    "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn",
                ])
                // RTP with SR and a receiver report about it (RTCP panels), beside the encoder
                // (codec panels, stalls, correlation); a receiver of that RTP gives the received
                // streams (RTPHighJitter looks at received streams only).
                let rtpPort = try freePort(udp: true)
                let receiver = try session.traffic.startReceiver(
                    bind: LoopbackFamily.ipv4.endpoint(port: rtpPort), syscall: "recvmsg", count: 2000, comm: rtcpComm,
                    timeoutMs: 60_000)
                defer { receiver.stop() }
                let rtcp = try session.traffic.start("rtcp", [
                    "--to", LoopbackFamily.ipv4.endpoint(port: rtpPort), "--count", "1000", "--comm", rtcpComm,
                ])
                defer { rtcp.stop() }
                let push = try session.children.start("codecpush", try PackagePaths.codecpush(), [
                    "--dest", "127.0.0.1:\(try freePort(udp: true))", "--frames", "300", "--fps", "30",
                    "--mode", "codec-stalls", "--stall-every", "45", "--stall-ms", "150", "--start-delay-ms", "1000",
                    "--linger-ms", "20000", "--quiet",
                ])
                guard waitUntil(seconds: 40, interval: 0.2, { push.stdout.contains("frames=") || !push.isRunning }),
                      push.stdout.contains("frames=") else {
                    throw E2EError("codecpush failed (\(push.exitDescription)): \(push.stderr)")
                }
                // A few more scrapes and rule evaluations after the last frame.
                let query = PrometheusQuery(port: prometheusPort)
                let scraped = waitUntil(seconds: 15, interval: 0.5) {
                    ((try? query.vector("rtpscope_rtp_send_stalls_total{cause=\"codec\"}")) ?? []).contains { $0 > 0 }
                }
                #expect(scraped, "Prometheus never scraped a codec stall from the monitor")
                usleep(2_000_000)

                let panels = try GrafanaDashboard.queries()
                #expect(panels.count >= 15, "the dashboard's queries were not found")
                for panel in panels {
                    let expression = panel.expression
                        .replacingOccurrences(of: "$instance", with: ".*")
                        .replacingOccurrences(of: "$comm", with: ".*")
                        .replacingOccurrences(of: "$ssrc", with: ".*")
                        .replacingOccurrences(of: "$direction", with: ".*")
                    do {
                        let values = try query.vector(expression)
                        print("dashboard '\(panel.title)': \(values.count) series: \(expression)")
                        #expect(!values.isEmpty, "panel '\(panel.title)': no data for \(expression)")
                    } catch {
                        Issue.record("panel '\(panel.title)': \(expression): \(error)")
                    }
                }
                let rules = try query.rules()
                #expect(rules.count >= 8)
                for rule in rules {
                    #expect(rule.health == "ok", "rule \(rule.name): \(rule.health) \(rule.lastError)")
                    // An alert's condition only has data while it fires; what it compares must have
                    // data now (`x > 0.03` → `x`).
                    let measured = PrometheusQuery.comparedExpression(rule.query)
                    do {
                        let values = try query.vector(measured)
                        print("rule \(rule.name) (\(rule.health), \(rule.state ?? "recording")): \(values.count) series: \(measured)")
                        #expect(!values.isEmpty, "rule \(rule.name): no data for \(measured)")
                    } catch {
                        Issue.record("rule \(rule.name): \(measured): \(error)")
                    }
                }
                let stallAlert = rules.first { $0.name == "RTPSendStallsByCodec" }
                #expect(stallAlert?.state == "firing", "RTPSendStallsByCodec should fire: \(String(describing: stallAlert))")
            }
        }
    }
}

/// The panel queries of deploy/grafana/rtpscope.json.
enum GrafanaDashboard {
    struct Panel {
        let title: String
        let expression: String
    }

    static func queries() throws -> [Panel] {
        let url = PackagePaths.root.appendingPathComponent("deploy/grafana/rtpscope.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let panels = json?["panels"] as? [[String: Any]] ?? []
        return panels.flatMap { panel -> [Panel] in
            let title = panel["title"] as? String ?? "?"
            return (panel["targets"] as? [[String: Any]] ?? []).compactMap { target in
                (target["expr"] as? String).map { Panel(title: title, expression: $0) }
            }
        }
    }
}

/// Prometheus's HTTP API, through the harness's bounded GET.
struct PrometheusQuery {
    let port: UInt16

    struct Rule: CustomStringConvertible {
        let name: String
        let health: String
        let lastError: String
        let state: String?
        let query: String
        var description: String { "\(name) health=\(health) state=\(state ?? "-") \(lastError)" }
    }

    /// The values of an instant query's vector result; throws on a query error.
    func vector(_ expression: String) throws -> [Double] {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        let data = try object("/api/v1/query?query=\(encoded)")
        guard let result = data["result"] as? [[String: Any]] else { return [] }
        return result.compactMap { ($0["value"] as? [Any])?.last as? String }.compactMap(Double.init)
    }

    func rules() throws -> [Rule] {
        let data = try object("/api/v1/rules")
        let groups = data["groups"] as? [[String: Any]] ?? []
        return groups.flatMap { group in
            (group["rules"] as? [[String: Any]] ?? []).map { rule in
                Rule(name: rule["name"] as? String ?? "?", health: rule["health"] as? String ?? "?",
                     lastError: rule["lastError"] as? String ?? "", state: rule["state"] as? String,
                     query: rule["query"] as? String ?? "")
            }
        }
    }

    /// The left side of a top-level comparison with a number (`x > 0.03` → `x`), else the whole.
    static func comparedExpression(_ expression: String) -> String {
        let trimmed = expression.trimmingCharacters(in: .whitespacesAndNewlines)
        for comparison in [" == ", " != ", " >= ", " <= ", " > ", " < "] {
            guard let range = trimmed.range(of: comparison, options: .backwards),
                  Double(trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces)) != nil else { continue }
            return String(trimmed[..<range.lowerBound])
        }
        return trimmed
    }

    private func object(_ path: String) throws -> [String: Any] {
        let response = try httpGet(port: port, path: path, timeout: 5)
        guard let json = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any] else {
            throw E2EError("\(path): not JSON: \(response.body.prefix(200))")
        }
        guard json["status"] as? String == "success", let data = json["data"] as? [String: Any] else {
            throw E2EError("\(path): \(json["errorType"] ?? "") \(json["error"] ?? response.body.prefix(200))")
        }
        return data
    }
}
