//! PDF rendering of a [`Doc`]: A4, the committed DejaVu Serif Condensed font (subset and
//! embedded, so every machine prints the same and the text can be extracted), tables that split
//! across pages with their header repeated, page numbers.
//!
//! Layout is done here (greedy line breaking on glyph advances) into a list of drawing
//! operations per page; krilla then writes them. Laying out first is what lets the footer say
//! "page N of M".

use std::sync::{Arc, LazyLock};

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use super::model::{Align, Block, Cell, Doc, Para, Table};

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSerifCondensed.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSerifCondensed-Bold.ttf");

/// The fonts as krilla objects, parsed once per process.
static FONTS: LazyLock<Option<(Font, Font)>> = LazyLock::new(|| {
    Some((
        Font::new(Arc::new(REGULAR.to_vec()).into(), 0)?,
        Font::new(Arc::new(BOLD.to_vec()).into(), 0)?,
    ))
});

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
/// Margins after the usual Russian office layout (ГОСТ Р 7.0.97): 30 mm left, 15 mm right,
/// 20 mm top and bottom.
const LEFT: f32 = 85.0;
const RIGHT: f32 = 42.5;
const TOP: f32 = 56.7;
const BOTTOM: f32 = 56.7;
const CONTENT_W: f32 = PAGE_W - LEFT - RIGHT;
const LEADING: f32 = 1.25;
const PAD: f32 = 3.0;
const LINE_W: f32 = 0.6;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font cannot be read")]
    Font,
    #[error("PDF writing failed: {0}")]
    Write(String),
}

/// Glyph advances of one font, for line breaking.
struct Measure<'a> {
    font: FontRef<'a>,
    metrics: GlyphMetrics<'a>,
}

impl<'a> Measure<'a> {
    fn new(data: &'a [u8]) -> Result<Self, PdfError> {
        let font = FontRef::new(data).map_err(|_| PdfError::Font)?;
        let metrics = font.glyph_metrics(Size::new(1.0), LocationRef::default());
        Ok(Self { font, metrics })
    }

    /// Width of `text` at 1 pt (kerning ignored: lines come out a little short, never long).
    fn width(&self, text: &str) -> f32 {
        let charmap = self.font.charmap();
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| self.metrics.advance_width(g))
                    .unwrap_or(0.5)
            })
            .sum()
    }
}

struct Measures<'a> {
    regular: Measure<'a>,
    bold: Measure<'a>,
}

impl Measures<'_> {
    fn width(&self, text: &str, bold: bool, size: f32) -> f32 {
        let m = if bold { &self.bold } else { &self.regular };
        m.width(text) * size
    }

    /// Breaks `text` into lines no wider than `max` (words longer than a line are cut).
    fn wrap(&self, text: &str, bold: bool, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, bold, size) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if self.width(word, bold, size) <= max {
                    line = word.to_owned();
                    continue;
                }
                // A word wider than the column: hyphenate where Russian allows, else cut.
                let mut rest: Vec<char> = word.chars().collect();
                while self.width(&rest.iter().collect::<String>(), bold, size) > max {
                    let at = (2..rest.len().saturating_sub(1))
                        .rev()
                        .filter(|&i| hyphen_ok(&rest, i))
                        .find(|&i| {
                            let head: String = rest[..i].iter().chain(['-'].iter()).collect();
                            self.width(&head, bold, size) <= max
                        });
                    let at = match at {
                        Some(i) => i,
                        None => {
                            // No syllable break fits: cut at the last character that fits.
                            let mut i = 1;
                            while i < rest.len()
                                && self.width(&rest[..=i].iter().collect::<String>(), bold, size)
                                    <= max
                            {
                                i += 1;
                            }
                            lines.push(rest[..i].iter().collect());
                            rest.drain(..i);
                            continue;
                        }
                    };
                    let mut head: String = rest[..at].iter().collect();
                    head.push('-');
                    lines.push(head);
                    rest.drain(..at);
                }
                line = rest.into_iter().collect();
            }
            lines.push(line);
        }
        lines
    }
}

fn is_vowel(c: char) -> bool {
    "аеёиоуыэюяaeiouy".contains(c.to_lowercase().next().unwrap_or(c))
}

/// Whether a word may be hyphenated before `chars[i]`, by simple Russian rules: both parts
/// keep a vowel, never before ь, ъ or й, and after a vowel or between two consonants.
fn hyphen_ok(chars: &[char], i: usize) -> bool {
    if i < 2 || i + 2 > chars.len() {
        return false;
    }
    let (prev, next) = (chars[i - 1], chars[i]);
    if !prev.is_alphabetic() || !next.is_alphabetic() || "ьъйЬЪЙ".contains(next) {
        return false;
    }
    if !chars[..i].iter().any(|c| is_vowel(*c)) || !chars[i..].iter().any(|c| is_vowel(*c)) {
        return false;
    }
    is_vowel(prev) || !is_vowel(next)
}

/// One drawing operation, in points from the top left of the page.
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        lightness: u8,
    },
}

struct Layout<'a> {
    m: Measures<'a>,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn room(&self) -> f32 {
        PAGE_H - BOTTOM - self.y
    }

    fn text_line(&mut self, x: f32, w: f32, align: Align, line: String, bold: bool, size: f32) {
        let tw = self.m.width(&line, bold, size);
        let x = match align {
            Align::Left => x,
            Align::Center => x + (w - tw).max(0.0) / 2.0,
            Align::Right => x + (w - tw).max(0.0),
        };
        let baseline = self.y + size;
        if !line.is_empty() {
            self.ops().push(Op::Text {
                x,
                baseline,
                size,
                bold,
                text: line,
            });
        }
    }

    /// A paragraph; a heading keeps `next` (the height of what must follow it on the same page:
    /// a table's header and first row) or else three more lines below it.
    fn para(&mut self, p: &Para, next: Option<f32>) {
        let lines = self.m.wrap(&p.text, p.bold, p.size, CONTENT_W);
        let lh = p.size * LEADING;
        let needed = if p.keep_with_next {
            (lh * lines.len() as f32 + next.unwrap_or(0.0)).max(lh * 4.0)
        } else {
            lh
        };
        if self.y > TOP {
            self.y += p.space_before;
        }
        if self.room() < needed {
            self.new_page();
        }
        for line in lines {
            if self.room() < lh {
                self.new_page();
            }
            self.text_line(LEFT, CONTENT_W, p.align, line, p.bold, p.size);
            self.y += lh;
        }
    }

    /// The x and width of each cell of a row.
    fn cell_boxes(widths: &[f32], row: &[Cell]) -> Vec<(f32, f32)> {
        let total: f32 = widths.iter().sum::<f32>().max(f32::EPSILON);
        let mut col = 0;
        let mut x = LEFT;
        row.iter()
            .map(|c| {
                let end = (col + c.span).min(widths.len());
                let w: f32 =
                    widths[col.min(widths.len())..end].iter().sum::<f32>() / total * CONTENT_W;
                col = end;
                let b = (x, w);
                x += w;
                b
            })
            .collect()
    }

    /// The cell lines of every row of `t`.
    fn wrap_rows(&self, t: &Table) -> Vec<Vec<Vec<String>>> {
        t.rows
            .iter()
            .map(|row| {
                Self::cell_boxes(&t.widths, row)
                    .iter()
                    .zip(row)
                    .map(|((_, w), c)| self.m.wrap(&c.text, c.bold, t.size, w - 2.0 * PAD))
                    .collect()
            })
            .collect()
    }

    /// What must stand together at the top of `t`: its header rows and its first body row (or
    /// that row's first line, when the row is taller than a page).
    fn table_lead(wrapped: &[Vec<Vec<String>>], header_rows: usize, lh: f32) -> f32 {
        let header_h: f32 = wrapped[..header_rows.min(wrapped.len())]
            .iter()
            .map(|r| Self::row_height(r, lh))
            .sum();
        let full = PAGE_H - TOP - BOTTOM - header_h;
        let first = wrapped
            .get(header_rows)
            .map(|r| Self::row_height(r, lh))
            .filter(|h| *h <= full)
            .unwrap_or(lh + 2.0 * PAD);
        4.0 + header_h + first
    }

    fn table(&mut self, t: &Table) {
        let lh = t.size * LEADING;
        self.y += 4.0;
        let wrapped = self.wrap_rows(t);
        let header_h: f32 = wrapped[..t.header_rows]
            .iter()
            .map(|r| Self::row_height(r, lh))
            .sum();
        let lead = Self::table_lead(&wrapped, t.header_rows, lh);
        for i in 0..t.rows.len() {
            let is_header = i < t.header_rows;
            let lines = &wrapped[i];
            let h = Self::row_height(lines, lh);
            // Headers stay with the first body row; a body row moves to the next page when it
            // fits there whole, and is split across pages only when taller than a page.
            let full = PAGE_H - TOP - BOTTOM - header_h;
            let needs_break = if is_header {
                i == 0 && self.y > TOP && self.room() < lead - 4.0
            } else if h <= self.room() {
                false
            } else if h <= full {
                true
            } else {
                self.room() < lh + 2.0 * PAD
            };
            if needs_break {
                self.new_page();
                if !is_header {
                    self.repeat_header(t, &wrapped, lh);
                }
            }
            let mut start = 0;
            let max_lines = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
            loop {
                let fit = ((self.room() - 2.0 * PAD) / lh).floor().max(0.0) as usize;
                let take = fit.min(max_lines - start);
                if take == 0 {
                    self.new_page();
                    self.repeat_header(t, &wrapped, lh);
                    continue;
                }
                self.draw_row(t, i, lines, start, take, lh, is_header);
                start += take;
                if start >= max_lines {
                    break;
                }
                self.new_page();
                self.repeat_header(t, &wrapped, lh);
            }
        }
        self.y += 4.0;
    }

    fn row_height(lines: &[Vec<String>], lh: f32) -> f32 {
        lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * lh + 2.0 * PAD
    }

    fn repeat_header(&mut self, t: &Table, wrapped: &[Vec<Vec<String>>], lh: f32) {
        for (i, lines) in wrapped.iter().enumerate().take(t.header_rows) {
            let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
            self.draw_row(t, i, lines, 0, n, lh, true);
        }
    }

    #[expect(clippy::too_many_arguments, reason = "one row slice of one table")]
    fn draw_row(
        &mut self,
        t: &Table,
        r: usize,
        lines: &[Vec<String>],
        start: usize,
        take: usize,
        lh: f32,
        is_header: bool,
    ) {
        let h = take as f32 * lh + 2.0 * PAD;
        let top = self.y;
        let row = &t.rows[r];
        let boxes = Self::cell_boxes(&t.widths, row);
        for (c, ((x, w), (cell, cell_lines))) in boxes.iter().zip(row.iter().zip(lines)).enumerate()
        {
            let open_top = t.merged_from_above(r, c);
            let open_bottom = t.merged_down(r, c);
            if t.borders {
                if is_header {
                    self.ops().push(Op::Fill {
                        x: *x,
                        y: top,
                        w: *w,
                        h,
                        lightness: 232,
                    });
                }
                let (x, w) = (*x, *w);
                let ops = self.ops();
                if !open_top {
                    ops.push(Op::Line {
                        x1: x,
                        y1: top,
                        x2: x + w,
                        y2: top,
                    });
                }
                if !open_bottom {
                    ops.push(Op::Line {
                        x1: x,
                        y1: top + h,
                        x2: x + w,
                        y2: top + h,
                    });
                }
                ops.push(Op::Line {
                    x1: x,
                    y1: top,
                    x2: x,
                    y2: top + h,
                });
                ops.push(Op::Line {
                    x1: x + w,
                    y1: top,
                    x2: x + w,
                    y2: top + h,
                });
            }
            self.y = top + PAD;
            for line in cell_lines.iter().skip(start).take(take) {
                self.text_line(
                    x + PAD,
                    w - 2.0 * PAD,
                    cell.align,
                    line.clone(),
                    cell.bold,
                    t.size,
                );
                self.y += lh;
            }
        }
        self.y = top + h;
    }

    fn qr(&mut self, data: &str, size: f32, caption: &[String]) {
        let Ok(code) = qrcode::QrCode::new(data.as_bytes()) else {
            return;
        };
        // A quiet zone of four modules on every side, as scanners expect.
        let n = code.width();
        let module = size / (n + 8) as f32;
        if self.room() < size {
            self.new_page();
        }
        let (x0, y0) = (LEFT, self.y);
        for (i, c) in code.to_colors().iter().enumerate() {
            if *c == qrcode::Color::Dark {
                let (col, row) = (i % n, i / n);
                self.ops().push(Op::Fill {
                    x: x0 + (col + 4) as f32 * module,
                    y: y0 + (row + 4) as f32 * module,
                    w: module,
                    h: module,
                    lightness: 0,
                });
            }
        }
        let mut y = y0 + module * 4.0;
        for line in caption {
            self.y = y;
            let lines = self
                .m
                .wrap(line, false, super::model::SMALL, CONTENT_W - size - 10.0);
            for l in lines {
                self.y = y;
                self.text_line(
                    x0 + size + 10.0,
                    CONTENT_W - size - 10.0,
                    Align::Left,
                    l,
                    false,
                    super::model::SMALL,
                );
                y += super::model::SMALL * LEADING;
            }
        }
        self.y = (y0 + size).max(y);
    }
}

/// Lays `doc` out and writes it as PDF.
pub fn render(doc: &Doc) -> Result<Vec<u8>, PdfError> {
    let m = Measures {
        regular: Measure::new(REGULAR)?,
        bold: Measure::new(BOLD)?,
    };
    let mut l = Layout {
        m,
        pages: vec![Vec::new()],
        y: TOP,
    };
    for (i, b) in doc.blocks.iter().enumerate() {
        match b {
            Block::Para(p) => {
                let next = match doc.blocks.get(i + 1) {
                    Some(Block::Table(t)) if p.keep_with_next && t.header_rows > 0 => Some(
                        Layout::table_lead(&l.wrap_rows(t), t.header_rows, t.size * LEADING),
                    ),
                    _ => None,
                };
                l.para(p, next)
            }
            Block::Table(t) => l.table(t),
            Block::PageBreak => l.new_page(),
            Block::Qr {
                data,
                size,
                caption,
            } => l.qr(data, *size, caption),
        }
    }
    let total = l.pages.len();
    if doc.number_pages {
        for (i, page) in l.pages.iter_mut().enumerate().skip(1) {
            let text = format!("Страница {} из {}", i + 1, total);
            let w = l.m.width(&text, false, 8.0);
            page.push(Op::Text {
                x: LEFT + (CONTENT_W - w) / 2.0,
                baseline: PAGE_H - BOTTOM / 2.0,
                size: 8.0,
                bold: false,
                text,
            });
        }
    }
    write(doc, &l.pages)
}

fn write(doc: &Doc, pages: &[Vec<Op>]) -> Result<Vec<u8>, PdfError> {
    let (regular, bold) = FONTS.as_ref().ok_or(PdfError::Font)?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .language("ru".into())
            .creator("ИОМ".into()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PdfError::Font)?;
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        // Fills first (header shading, QR modules), then lines, then text on top.
        for op in ops {
            if let Op::Fill {
                x,
                y,
                w,
                h,
                lightness,
            } = op
                && let Some(rect) = Rect::from_xywh(*x, *y, *w, *h)
            {
                let mut pb = PathBuilder::new();
                pb.push_rect(rect);
                if let Some(path) = pb.finish() {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: luma::Color::new(*lightness).into(),
                        ..Default::default()
                    }));
                    surface.draw_path(&path);
                }
            }
        }
        let mut pb = PathBuilder::new();
        let mut any = false;
        for op in ops {
            if let Op::Line { x1, y1, x2, y2 } = op {
                pb.move_to(*x1, *y1);
                pb.line_to(*x2, *y2);
                any = true;
            }
        }
        if any && let Some(path) = pb.finish() {
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                width: LINE_W,
                ..Default::default()
            }));
            surface.draw_path(&path);
            surface.set_stroke(None);
        }
        surface.set_fill(Some(Fill::default()));
        for op in ops {
            if let Op::Text {
                x,
                baseline,
                size,
                bold: b,
                text,
            } = op
            {
                surface.draw_text(
                    Point::from_xy(*x, *baseline),
                    if *b { bold.clone() } else { regular.clone() },
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::documents::model::{Cell, Para, Table};

    #[test]
    fn long_words_and_long_cells_wrap_and_split_across_pages() {
        let mut doc = Doc {
            title: "Проверка".into(),
            number_pages: true,
            ..Default::default()
        };
        doc.push(Para::heading("Заголовок"));
        doc.push(Para::text("Слово".repeat(200)));
        let mut t = Table::new(&[1.0, 3.0]).header(vec![Cell::head("А"), Cell::head("Б")]);
        t.row(vec![
            Cell::new("x"),
            Cell::new("очень длинный текст ".repeat(800)),
        ]);
        doc.table(t);
        let pdf = render(&doc).expect("renders");
        assert!(pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn wrapping_keeps_lines_within_the_width() {
        let m = Measures {
            regular: Measure::new(REGULAR).expect("font"),
            bold: Measure::new(BOLD).expect("font"),
        };
        let lines = m.wrap(
            &"Педагогическая компетентность ".repeat(20),
            false,
            10.0,
            200.0,
        );
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| m.width(l, false, 10.0) <= 200.0));
    }
}
