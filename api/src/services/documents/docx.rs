//! DOCX rendering of a [`Doc`]: the editable form schools print and sign. A4 with the usual
//! Russian office margins, Times New Roman (what Word has everywhere; LibreOffice maps it to the
//! metric-compatible Liberation Serif), fixed-width tables, page numbers in the footer from the
//! second page on.

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, LineSpacing, NumPages, PageMargin, PageNum, Paragraph,
    Pic, Run, RunFonts, Shading, Table as DTable, TableBorders, TableCell, TableLayoutType,
    TableRow, VMergeType, WidthType,
};

use super::model::{Align, Block, Cell, Doc, Para, Table};

/// A4 in twentieths of a point.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const LEFT: i32 = 1701;
const RIGHT: i32 = 850;
const CONTENT_W: usize = (PAGE_W as i32 - LEFT - RIGHT) as usize;
const FONT: &str = "Times New Roman";

#[derive(Debug, thiserror::Error)]
#[error("DOCX writing failed: {0}")]
pub struct DocxError(String);

fn align(a: Align) -> AlignmentType {
    match a {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
    }
}

/// Points to half-points (the unit of `w:sz`).
fn half_points(size: f32) -> usize {
    (size * 2.0).round() as usize
}

/// A paragraph whose `\n` become line breaks.
fn paragraph(text: &str, bold: bool, size: f32, a: Align) -> Paragraph {
    let mut run = Run::new().size(half_points(size));
    if bold {
        run = run.bold();
    }
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    Paragraph::new().add_run(run).align(align(a))
}

fn para(p: &Para) -> Paragraph {
    let twips = (p.space_before * 20.0).round() as u32;
    paragraph(&p.text, p.bold, p.size, p.align)
        .line_spacing(LineSpacing::new().before(twips).after(0))
        .keep_next(p.keep_with_next)
}

fn table(t: &Table) -> DTable {
    let total: f32 = t.widths.iter().sum::<f32>().max(f32::EPSILON);
    let grid: Vec<usize> = t
        .widths
        .iter()
        .map(|w| (w / total * CONTENT_W as f32).round() as usize)
        .collect();
    let rows: Vec<TableRow> = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut col = 0;
            let cells = row
                .iter()
                .enumerate()
                .map(|(ci, c): (usize, &Cell)| {
                    let end = (col + c.span).min(grid.len());
                    let width: usize = grid[col.min(grid.len())..end].iter().sum();
                    col = end;
                    let mut cell = TableCell::new()
                        .add_paragraph(
                            paragraph(&c.text, c.bold, t.size, c.align)
                                .line_spacing(LineSpacing::new().before(0).after(0)),
                        )
                        .width(width, WidthType::Dxa);
                    if c.span > 1 {
                        cell = cell.grid_span(c.span);
                    }
                    if t.merged_from_above(i, ci) {
                        cell = cell.vertical_merge(VMergeType::Continue);
                    } else if t.merged_down(i, ci) {
                        cell = cell.vertical_merge(VMergeType::Restart);
                    }
                    if t.borders && i < t.header_rows {
                        cell = cell.shading(Shading::new().fill("E8E8E8"));
                    }
                    cell
                })
                .collect();
            let row = TableRow::new(cells);
            // Header rows do not split, and repeat on every page (see `mark_header_rows`).
            if i < t.header_rows {
                row.cant_split()
            } else {
                row
            }
        })
        .collect();
    let mut out = DTable::new(rows)
        .set_grid(grid)
        .width(CONTENT_W, WidthType::Dxa)
        .layout(TableLayoutType::Fixed);
    if !t.borders {
        out = out.set_borders(TableBorders::with_empty());
    }
    out
}

/// Writes `doc` as a DOCX package.
pub fn render(doc: &Doc) -> Result<Vec<u8>, DocxError> {
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let mut d = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(
            PageMargin::new()
                .top(1134)
                .bottom(1134)
                .left(LEFT)
                .right(RIGHT)
                .header(708)
                .footer(567),
        )
        .default_fonts(fonts)
        .default_size(half_points(super::model::BODY));
    if doc.number_pages {
        let size = half_points(9.0);
        d = d
            .footer(
                Footer::new().add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().size(size).add_text("Страница "))
                        .add_page_num(PageNum::new())
                        .add_run(Run::new().size(size).add_text(" из "))
                        .add_num_pages(NumPages::new()),
                ),
            )
            .first_footer(Footer::new())
            .title_pg();
    }
    for b in &doc.blocks {
        d = match b {
            Block::Para(p) => d.add_paragraph(para(p)),
            Block::Table(t) => d
                .add_table(table(t))
                // Word joins adjacent tables; an empty paragraph keeps them apart.
                .add_paragraph(Paragraph::new().size(half_points(4.0))),
            Block::PageBreak => {
                d.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
            }
            Block::Qr {
                data,
                size,
                caption,
            } => {
                if let Some((png, px)) = qr_png(data) {
                    // Points to EMU (914400 per inch, 72 points per inch).
                    let emu = (size * 12700.0).round() as u32;
                    let pic = Pic::new_with_dimensions(png, px, px).size(emu, emu);
                    d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_image(pic)));
                }
                d.add_paragraph(paragraph(&caption.join("\n"), false, 9.0, Align::Left))
            }
        };
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .map_err(|e| DocxError(e.to_string()))?;
    mark_header_rows(&out.into_inner())
}

/// Pixels per QR module in the picture.
const QR_SCALE: usize = 4;

/// A QR code of `data` as a PNG (8-bit greyscale, a quiet zone of four modules) and its side
/// in pixels; `None` when the data does not fit a QR code.
pub fn qr_png(data: &str) -> Option<(Vec<u8>, u32)> {
    use std::io::Write;
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    let n = code.width();
    let colors = code.to_colors();
    let side = (n + 8) * QR_SCALE;
    let mut raw = Vec::with_capacity((side + 1) * side);
    for y in 0..side {
        raw.push(0); // filter: none
        for x in 0..side {
            let (col, row) = (
                (x / QR_SCALE).wrapping_sub(4),
                (y / QR_SCALE).wrapping_sub(4),
            );
            let dark = col < n && row < n && colors[row * n + col] == qrcode::Color::Dark;
            raw.push(if dark { 0 } else { 255 });
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).ok()?;
    let idat = z.finish().ok()?;
    let side32 = u32::try_from(side).ok()?;
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&side32.to_be_bytes());
    ihdr.extend_from_slice(&side32.to_be_bytes());
    // Bit depth 8, greyscale, deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, body) in [(b"IHDR", &ihdr), (b"IDAT", &idat), (b"IEND", &Vec::new())] {
        png.extend_from_slice(&u32::try_from(body.len()).ok()?.to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(body);
        png.extend_from_slice(kind);
        png.extend_from_slice(body);
        png.extend_from_slice(&crc.sum().to_be_bytes());
    }
    Some((png, side32))
}

/// What docx-rs writes for a row marked `cant_split` (only header rows are).
const CANT_SPLIT: &str = "<w:cantSplit />";
/// The same row also repeated at the top of every page the table continues on.
const REPEATED_HEADER: &str = "<w:cantSplit /><w:tblHeader />";

/// docx-rs (0.4) has no API for `w:tblHeader`, the row property that makes Word and
/// LibreOffice repeat a table's header rows on every page. The header rows are the only ones
/// written with `w:cantSplit`, so the flag is added beside it in `word/document.xml`; every
/// other part of the package is copied as it is.
fn mark_header_rows(package: &[u8]) -> Result<Vec<u8>, DocxError> {
    use std::io::{Read, Write};
    let failed = |e: &dyn std::fmt::Display| DocxError(e.to_string());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(package)).map_err(|e| failed(&e))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(package.len())));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| failed(&e))?;
        if entry.name() != "word/document.xml" {
            out.raw_copy_file(entry).map_err(|e| failed(&e))?;
            continue;
        }
        let mut xml = String::new();
        entry.read_to_string(&mut xml).map_err(|e| failed(&e))?;
        let name = entry.name().to_owned();
        drop(entry);
        out.start_file(
            name,
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated),
        )
        .map_err(|e| failed(&e))?;
        out.write_all(xml.replace(CANT_SPLIT, REPEATED_HEADER).as_bytes())
            .map_err(|e| failed(&e))?;
    }
    Ok(out.finish().map_err(|e| failed(&e))?.into_inner())
}
