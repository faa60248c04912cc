/// exp and log for the E-model, which needs them and RTPCore does not import Foundation or the C
/// library. Range reduction to a small interval, then a short series: accurate to ~1e-15 relative
/// over the ranges G.107's formulas use (the tests check known values).
enum ElementaryMath {
    static let ln2 = 0.693147180559945309417232121458

    /// e^x (0 below −745, +inf above 709.8).
    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x < -745 { return 0 }
        if x > 709.8 { return .infinity }
        // x = n·ln2 + r, |r| ≤ ln2/2: e^x = 2^n · e^r, and e^r's Taylor series converges fast.
        let n = (x / ln2).rounded()
        let r = x - n * ln2
        var term = 1.0, sum = 1.0
        for k in 1...24 {
            term *= r / Double(k)
            sum += term
            if abs(term) < 1e-18 * sum { break }
        }
        // Scale by 2^n in two steps so neither factor overflows or goes subnormal early.
        let half = Int(n) / 2
        return sum * Double(sign: .plus, exponent: half, significand: 1)
            * Double(sign: .plus, exponent: Int(n) - half, significand: 1)
    }

    /// Natural logarithm (nan for x < 0, −inf for 0).
    static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return x }
        // x = m·2^e with m in [√½, √2): ln x = e·ln2 + 2·atanh((m−1)/(m+1)), |s| ≤ 0.172.
        var e = Int(x.exponent)
        var m = x.significand
        if m > 1.4142135623730951 { m /= 2; e += 1 }
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var power = s, sum = s
        var k = 3.0
        while k < 60 {
            power *= s2
            let term = power / k
            sum += term
            if abs(term) < 1e-18 * abs(sum) { break }
            k += 2
        }
        return Double(e) * ln2 + 2 * sum
    }
}
