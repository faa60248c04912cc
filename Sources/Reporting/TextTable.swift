/// One column of a report table: its header, alignment, how readily it is given up when the table is
/// wider than the terminal, and how its cell is made from a row's value.
struct TableColumn<Row> {
    enum Alignment { case left, right }
    /// Where a shortened cell loses its characters: the middle (an address keeps its start and port)
    /// or the start (a path keeps its file name).
    enum Ellipsis { case middle, leading }

    let header: String
    let alignment: Alignment
    /// When the table is too wide, columns are hidden lowest rank first; `TableColumn.kept` never is.
    let rank: Int
    /// A text column may be shortened down to this many characters (an ellipsis in the middle keeps
    /// both ends of an address readable) once nothing more can be hidden; nil: never shortened.
    let shortest: Int?
    let ellipsis: Ellipsis
    let cell: (Row) -> String

    /// The rank of the columns that identify a row: never hidden.
    static var kept: Int { 100 }
    /// Columns from this rank on are what a row is read for: text columns are shortened before they go.
    static var essential: Int { 85 }

    init(_ header: String, _ alignment: Alignment = .right, rank: Int, shortest: Int? = nil,
         ellipsis: Ellipsis = .middle, cell: @escaping (Row) -> String) {
        self.header = header
        self.alignment = alignment
        self.rank = rank
        self.shortest = shortest
        self.ellipsis = ellipsis
        self.cell = cell
    }
}

/// Cells laid out in aligned columns (two spaces apart, numbers right-aligned), fitted to a width by
/// hiding the least important columns and then shortening text columns.
struct TextTable<Row> {
    let columns: [TableColumn<Row>]
    let cells: [[String]]

    init(columns: [TableColumn<Row>], rows: [Row]) {
        self.columns = columns
        cells = rows.map { row in columns.map { $0.cell(row) } }
    }

    static var separator: String { "  " }

    /// The table as lines of at most `width` characters where that is possible (`nil`: no limit), and
    /// the headers of the columns hidden to get there.
    func render(width: Int?) -> (text: String, hidden: [String]) {
        var widths = columns.indices.map { index in
            cells.reduce(columns[index].header.count) { max($0, $1[index].count) }
        }
        var visible = Array(columns.indices)
        func total() -> Int { visible.reduce(0) { $0 + widths[$1] } + Self.separator.count * max(visible.count - 1, 0) }

        /// Shortens text columns, the widest first, one character at a time, until the table fits.
        func shorten(to width: Int) {
            while total() > width {
                let candidates = visible.filter { index in
                    columns[index].shortest.map { widths[index] > max($0, columns[index].header.count) } ?? false
                }
                guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { return }
                widths[widest] -= 1
            }
        }
        if let width {
            // Hide from the lowest rank; among equals, the rightmost first (the table reads left to right).
            // Before an essential column goes, long text (paths, addresses) is shortened instead.
            let hideOrder = columns.indices.filter { columns[$0].rank < TableColumn<Row>.kept }
                .sorted { (columns[$0].rank, -$0) < (columns[$1].rank, -$1) }
            for index in hideOrder where total() > width {
                if columns[index].rank >= TableColumn<Row>.essential {
                    shorten(to: width)
                    if total() <= width { break }
                }
                visible.removeAll { $0 == index }
            }
            shorten(to: width)
        }

        func line(_ row: [String]) -> String {
            var text = visible.map { index -> String in
                let cell = Self.shortened(row[index], to: widths[index], columns[index].ellipsis)
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return columns[index].alignment == .left ? cell + pad : pad + cell
            }.joined(separator: Self.separator)
            while text.last == " " { text.removeLast() }
            return text
        }
        let text = ([line(columns.map(\.header))] + cells.map(line)).joined(separator: "\n") + "\n"
        let hidden = columns.indices.filter { !visible.contains($0) }.map { columns[$0].header }
        return (text, hidden)
    }

    /// `text` cut to `width` characters with "…" in the middle (both ends stay readable) or at the start.
    static func shortened(_ text: String, to width: Int, _ ellipsis: TableColumn<Row>.Ellipsis = .middle) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return String(text.prefix(width)) }
        if ellipsis == .leading { return "…" + String(text.suffix(width - 1)) }
        let tail = (width - 1) / 2
        return String(text.prefix(width - 1 - tail)) + "…" + String(text.suffix(tail))
    }
}
