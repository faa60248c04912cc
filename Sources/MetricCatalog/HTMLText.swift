/// Escaping for text and attribute values in HTML and inline SVG: the HTML report (Reporting) and
/// the exporter's index page (Exporter) alike. Capture contents (SDES CNAME,
/// file names) are untrusted: a CNAME of `<script>` must show as text, not run.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
