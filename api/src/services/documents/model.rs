//! A small document model that both renderers (DOCX and PDF) take: paragraphs, tables with
//! spanned header cells, page breaks and a QR code. What goes into a document is decided once,
//! here and in [`super::card`]; the renderers only lay it out.

/// Horizontal alignment of a paragraph or a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// A paragraph: one run of text in one style. `\n` starts a new line.
#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    pub text: String,
    pub bold: bool,
    /// Points.
    pub size: f32,
    pub align: Align,
    /// Space above, in points.
    pub space_before: f32,
    /// A heading: never left alone at the bottom of a page.
    pub keep_with_next: bool,
}

impl Para {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: false,
            size: BODY,
            align: Align::Left,
            space_before: 0.0,
            keep_with_next: false,
        }
    }

    /// A section heading.
    pub fn heading(text: impl Into<String>) -> Self {
        Self {
            bold: true,
            space_before: 10.0,
            keep_with_next: true,
            ..Self::text(text)
        }
    }

    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    pub fn size(mut self, size: f32) -> Self {
        self.size = size;
        self
    }

    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }

    pub fn before(mut self, space: f32) -> Self {
        self.space_before = space;
        self
    }
}

/// A table cell; `span` columns wide.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub bold: bool,
    pub span: usize,
    pub align: Align,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: false,
            span: 1,
            align: Align::Left,
        }
    }

    pub fn head(text: impl Into<String>) -> Self {
        Self {
            bold: true,
            align: Align::Center,
            ..Self::new(text)
        }
    }

    pub fn span(mut self, span: usize) -> Self {
        self.span = span.max(1);
        self
    }

    pub fn center(mut self) -> Self {
        self.align = Align::Center;
        self
    }

    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
}

/// A table. Column widths are relative; the first `header_rows` rows repeat on every page.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub widths: Vec<f32>,
    pub header_rows: usize,
    pub rows: Vec<Vec<Cell>>,
    pub borders: bool,
    pub size: f32,
}

impl Table {
    pub fn new(widths: &[f32]) -> Self {
        Self {
            widths: widths.to_vec(),
            header_rows: 0,
            rows: Vec::new(),
            borders: true,
            size: SMALL,
        }
    }

    /// A table without lines, for laying out a title page or signatures.
    pub fn plain(widths: &[f32]) -> Self {
        Self {
            borders: false,
            size: BODY,
            ..Self::new(widths)
        }
    }

    pub fn header(mut self, row: Vec<Cell>) -> Self {
        self.rows.insert(self.header_rows, row);
        self.header_rows += 1;
        self
    }

    pub fn row(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// The first grid column of each cell of row `r`.
    pub fn starts(&self, r: usize) -> Vec<usize> {
        let mut col = 0;
        self.rows[r]
            .iter()
            .map(|c| {
                let start = col;
                col += c.span;
                start
            })
            .collect()
    }

    /// Whether header cell `c` of row `r` is an empty continuation of the cell above it (the
    /// two read as one cell spanning both header rows).
    pub fn merged_from_above(&self, r: usize, c: usize) -> bool {
        if r == 0 || r >= self.header_rows || !self.rows[r][c].text.is_empty() {
            return false;
        }
        let start = self.starts(r)[c];
        self.starts(r - 1).contains(&start)
    }

    /// Whether header cell `c` of row `r` continues into the row below.
    pub fn merged_down(&self, r: usize, c: usize) -> bool {
        if r + 1 >= self.header_rows {
            return false;
        }
        let start = self.starts(r)[c];
        self.starts(r + 1)
            .iter()
            .position(|s| *s == start)
            .is_some_and(|below| self.merged_from_above(r + 1, below))
    }

    /// Rows below the header.
    pub fn body(&self) -> &[Vec<Cell>] {
        &self.rows[self.header_rows..]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(Para),
    Table(Table),
    PageBreak,
    /// A QR code of `data`, `size` points square, with a caption to its right.
    Qr {
        data: String,
        size: f32,
        caption: Vec<String>,
    },
}

/// A whole document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Doc {
    pub title: String,
    pub blocks: Vec<Block>,
    /// Number pages from the second one (the title page carries no number).
    pub number_pages: bool,
}

impl Doc {
    pub fn push(&mut self, p: Para) {
        self.blocks.push(Block::Para(p));
    }

    pub fn table(&mut self, t: Table) {
        self.blocks.push(Block::Table(t));
    }

    /// All the text in reading order (what a text extraction should find).
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            match b {
                Block::Para(p) => {
                    out.push_str(&p.text);
                    out.push('\n');
                }
                Block::Table(t) => {
                    for row in &t.rows {
                        let cells: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
                        out.push_str(&cells.join(" | "));
                        out.push('\n');
                    }
                }
                Block::Qr { caption, .. } => {
                    out.push_str(&caption.join("\n"));
                    out.push('\n');
                }
                Block::PageBreak => {}
            }
        }
        out
    }
}

/// Body text size, points.
pub const BODY: f32 = 11.0;
/// Table text size, points.
pub const SMALL: f32 = 9.0;
