/// The E-model of ITU-T G.107 (06/2015): the transmission rating R of a narrowband (300–3400 Hz)
/// connection, and its MOS-CQE estimate (Annex B).
///
///     R = Ro − Is − Id − Ie,eff + A                                            (G.107 §7, eq. 7-1)
///
/// Every term is computed from the Recommendation's formulas (not the "93.2 minus impairments"
/// shortcut), so a delay or a non-default parameter moves R the way G.107 says. With every parameter
/// at its default (G.107 Table 3) R = 93.2 and MOS = 4.41.
public enum EModel {
    /// G.107 Table 3: the default values and permitted ranges. Times in milliseconds, loudness ratings
    /// and levels in dB (dBm0p/dBmp where G.107 says so), Ppl in percent.
    public struct Parameters: Sendable, Equatable {
        public var sendLoudnessRating: Double = 8            // SLR
        public var receiveLoudnessRating: Double = 2         // RLR
        public var sidetoneMaskingRating: Double = 15        // STMR
        public var listenerSidetoneRating: Double = 18       // LSTR
        public var senderD: Double = 3                       // Ds
        public var receiverD: Double = 3                     // Dr
        public var talkerEchoLoudnessRating: Double = 65     // TELR
        public var weightedEchoPathLoss: Double = 110        // WEPL
        public var meanOneWayDelay: Double = 0               // T
        public var roundTripDelay: Double = 0                // Tr
        public var absoluteDelay: Double = 0                 // Ta
        public var quantizingDistortionUnits: Double = 1     // qdu
        public var equipmentImpairment: Double = 0           // Ie
        public var packetLossRobustness: Double = 4.3        // Bpl
        public var packetLossPercent: Double = 0             // Ppl
        public var burstRatio: Double = 1                    // BurstR
        public var circuitNoise: Double = -70                // Nc
        public var noiseFloor: Double = -64                  // Nfor
        public var roomNoiseSend: Double = 35                // Ps
        public var roomNoiseReceive: Double = 35             // Pr
        public var advantage: Double = 0                     // A

        public init() {}
    }

    /// R per G.107 §7, at least 0: loss far beyond G.107's planning range (Ppl 0…20 %, Table 3) drives
    /// eq. 7-29's Ie,eff past 95 and R below 0, a number with no meaning on the scale (Annex B maps any
    /// R < 0 to MOS 1).
    public static func rating(_ p: Parameters) -> Double {
        let basic = basicSignalToNoise(p)
        let r = basic.ro - simultaneousImpairment(p, ro: basic.ro, no: basic.no)
            - delayImpairment(p, ro: basic.ro, no: basic.no) - effectiveEquipmentImpairment(p) + p.advantage
        return max(r, 0)
    }

    /// §7.1, eqs. 7-2…7-7: Ro and the total noise No.
    static func basicSignalToNoise(_ p: Parameters) -> (ro: Double, no: Double) {
        let olr = p.sendLoudnessRating + p.receiveLoudnessRating
        let nos = p.roomNoiseSend - p.sendLoudnessRating - p.senderD - 100
            + 0.004 * pow2(p.roomNoiseSend - olr - p.senderD - 14)                                     // 7-4
        let pre = p.roomNoiseReceive + 10 * log10(1 + pow10((10 - p.listenerSidetoneRating) / 10))  // 7-6
        let nor = p.receiveLoudnessRating - 121 + pre + 0.008 * pow2(pre - 35)                         // 7-5
        let nfo = p.noiseFloor + p.receiveLoudnessRating                                               // 7-7
        let no = 10 * log10(pow10(p.circuitNoise / 10) + pow10(nos / 10) + pow10(nor / 10) + pow10(nfo / 10))  // 7-3
        return (15 - 1.5 * (p.sendLoudnessRating + no), no)                                           // 7-2
    }

    /// §7.2, eqs. 7-8…7-17: Is = Iolr + Ist + Iq.
    static func simultaneousImpairment(_ p: Parameters, ro: Double, no: Double) -> Double {
        let olr = p.sendLoudnessRating + p.receiveLoudnessRating
        let xolr = olr + 0.2 * (64 + no - p.receiveLoudnessRating)                                     // 7-10
        let iolr = 20 * (root(1 + power(xolr / 8, 8), 8) - xolr / 8)                                   // 7-9
        let stmro = -10 * log10(pow10(-p.sidetoneMaskingRating / 10)
                                + exp(-p.meanOneWayDelay / 4) * pow10(-p.talkerEchoLoudnessRating / 10))  // 7-12
        let ist = 12 * root(1 + power((stmro - 13) / 6, 8), 8)
            - 28 * root(1 + power((stmro + 1) / 19.4, 35), 35)
            - 13 * root(1 + power((stmro - 3) / 33, 13), 13) + 29                                        // 7-11
        let q = 37 - 15 * log10(p.quantizingDistortionUnits)                                           // 7-17
        let g = 1.07 + 0.258 * q + 0.0602 * q * q                                                      // 7-16
        let z = 46.0 / 30 - g / 40                                                                     // 7-15
        let y = (ro - 100) / 15 + 46 / 8.4 - g / 9                                                     // 7-14
        let iq = 15 * log10(1 + pow10(y) + pow10(z))                                                   // 7-13
        return iolr + ist + iq
    }

    /// §7.3, eqs. 7-18…7-28: Id = Idte + Idle + Idd.
    static func delayImpairment(_ p: Parameters, ro: Double, no: Double) -> Double {
        let t = p.meanOneWayDelay
        let roe = -1.5 * (no - p.receiveLoudnessRating)                                               // 7-20
        var terv = p.talkerEchoLoudnessRating - 40 * log10((1 + t / 10) / (1 + t / 150)) + 6 * exp(-0.3 * t * t)  // 7-22
        if p.sidetoneMaskingRating < 9 {
            // 7-23: a low STMR masks less echo (the Ist of §7.2 enters TERV).
            terv += simultaneousSidetone(p) / 2
        }
        let re = 80 + 2.5 * (terv - 14)                                                                // 7-21
        let idte = ((roe - re) / 2 + (pow2(roe - re) / 4 + 100).squareRoot() - 1) * (1 - exp(-t))       // 7-19
        let rle = 10.5 * (p.weightedEchoPathLoss + 7) * power(p.roundTripDelay + 1, -0.25)            // 7-26
        let idle = (ro - rle) / 2 + (pow2(ro - rle) / 4 + 169).squareRoot()                            // 7-25
        var idd = 0.0
        if p.absoluteDelay > 100 {
            let x = log10(p.absoluteDelay / 100) / log10(2)                                            // 7-28
            idd = 25 * (root(1 + power(x, 6), 6) - 3 * root(1 + power(x / 3, 6), 6) + 2)               // 7-27
        }
        return idte + idle + idd
    }

    private static func simultaneousSidetone(_ p: Parameters) -> Double {
        let stmro = -10 * log10(pow10(-p.sidetoneMaskingRating / 10)
                                + exp(-p.meanOneWayDelay / 4) * pow10(-p.talkerEchoLoudnessRating / 10))
        return 12 * root(1 + power((stmro - 13) / 6, 8), 8) - 28 * root(1 + power((stmro + 1) / 19.4, 35), 35)
            - 13 * root(1 + power((stmro - 3) / 33, 13), 13) + 29
    }

    /// §7.4, eq. 7-29: Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl/BurstR + Bpl).
    static func effectiveEquipmentImpairment(_ p: Parameters) -> Double {
        let ppl = p.packetLossPercent
        guard ppl > 0 else { return p.equipmentImpairment }
        return p.equipmentImpairment + (95 - p.equipmentImpairment) * ppl / (ppl / p.burstRatio + p.packetLossRobustness)
    }

    /// G.107 Annex B, eq. B-4: MOS-CQE from R (narrowband scale).
    public static func mos(rating r: Double) -> Double {
        if r < 0 { return 1 }
        if r > 100 { return 4.5 }
        return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6
    }

    // Elementary functions without Foundation (RTPCore imports nothing): `ElementaryMath`.
    @inline(__always) private static func pow2(_ x: Double) -> Double { x * x }
    private static func exp(_ x: Double) -> Double { ElementaryMath.exp(x) }
    private static func log(_ x: Double) -> Double { ElementaryMath.log(x) }
    private static func pow10(_ x: Double) -> Double { exp(x * ln10) }
    private static func log10(_ x: Double) -> Double { log(x) / ln10 }
    private static func power(_ x: Double, _ y: Double) -> Double {
        if x == 0 { return 0 }
        if x < 0 {
            // Only integer exponents are used with negative bases (the even powers of 7-9, 7-11, 7-27).
            let magnitude = exp(y * log(-x))
            return Int(y) % 2 == 0 ? magnitude : -magnitude
        }
        return exp(y * log(x))
    }
    private static func root(_ x: Double, _ n: Double) -> Double { exp(log(x) / n) }
    private static let ln10 = 2.302585092994045684
}
