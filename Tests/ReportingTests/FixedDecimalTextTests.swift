import Foundation
import Testing
@testable import Reporting

/// `FixedDecimalText` must write what printf (`String(format: "%.Nf")`, glibc underneath) writes,
/// character for character: the reference is printf itself, over values chosen to break a
/// shortcut — exact ties, values just beside a tie, negative values that round to zero,
/// subnormals, the largest magnitudes — and 120,000 random ones.
@Suite struct FixedDecimalTextTests {
    private static func expectPrintf(_ value: Double, _ decimals: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = String(format: "%.\(decimals)f", value)
        let written = NumberText.fixed(value, decimals: decimals)
        #expect(written == reference, "\(value.bitPattern) (\(value)) with \(decimals) decimals",
                sourceLocation: sourceLocation)
    }

    @Test func edgesMatchPrintf() {
        var values: [Double] = [0, -0.0, 1, -1, 0.5, 1.5, 2.5, -0.5, -2.5, 0.125, 0.375, -0.125, 2.675, 1.005, 1.115,
                                0.0005, 0.00049999999999999999, -0.0004, -0.0000001, 9.9995, 99.9995, 999_999.9995,
                                19.999999999999996, 20, 1e15, 1e16, 9_007_199_254_740_993, 1.8446744073709552e19,
                                1.8446744073709552e10, 4.5e18, 1e19, 1e22, .pi, -.pi, 1_700_000_000.000_000_5,
                                1_700_000_000.123_456_5, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                .infinity, -.infinity, .nan]
        // Exact ties at every decimal count used: k + 1/2 units of the last place, where binary has them.
        for k in 0..<200 {
            values.append((Double(k) + 0.5) / 2)
            values.append((Double(k) + 0.5) / 8)
            values.append(Double(k) * 0.001 + 0.0005)
            values.append(Double(k) / 1024)
        }
        for value in values {
            for decimals in 0...9 {
                Self.expectPrintf(value, decimals)
                Self.expectPrintf(value.nextUp, decimals)
                Self.expectPrintf(value.nextDown, decimals)
            }
        }
    }

    @Test func randomValuesMatchPrintf() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<30_000 {
            // Any finite bit pattern, and the magnitudes reports actually print.
            let any = Double(bitPattern: UInt64.random(in: .min ... .max, using: &generator))
            let typical = Double.random(in: -100_000...100_000, using: &generator)
            let epoch = Double.random(in: 1_600_000_000...1_800_000_000, using: &generator)
            let small = Double.random(in: -1...1, using: &generator) * pow(10, Double(Int.random(in: -12...0, using: &generator)))
            let decimals = Int.random(in: 0...9, using: &generator)
            for value in [any, typical, epoch, small] where value.isFinite {
                Self.expectPrintf(value, decimals)
            }
        }
    }
}
