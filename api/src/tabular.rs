//! Reading the tables people actually have: CSV (UTF-8 or Windows-1251, `;`, `,` or tab) and
//! Excel workbooks (XLSX), into a header row and text cells.
//!
//! A file is a stranger's input: a workbook is a zip archive that may unpack to gigabytes, and a
//! sheet may name a cell a million rows down. Reading is bounded — the unpacked size, rows,
//! columns and cells — and runs off the async threads ([`read_off_thread`]).

use std::io::{Cursor, Read};

use calamine::{DataRef, DataType, Reader, Xlsx};

use crate::error::{AppError, AppResult};

/// The most a workbook may unpack to, all its parts together.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;
/// Rows of a sheet or a CSV file, the header included.
pub const MAX_ROWS: usize = 500_000;
/// Columns of a row.
pub const MAX_COLUMNS: usize = 1_000;
/// Cells kept, counting every row's width.
pub const MAX_CELLS: usize = 2_000_000;

/// A table: the header and the data rows, every cell as trimmed text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    /// Rows after the header; blank rows are skipped but keep their numbers.
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// The index of the first column whose header means one of `names` (see [`header_key`]).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        let wanted: Vec<String> = names.iter().map(|n| header_key(n)).collect();
        self.headers
            .iter()
            .position(|h| wanted.contains(&header_key(h)))
    }
}

/// A header reduced to letters and digits in lower case, «ё» as «е»: «Эл. почта» → «эл почта».
pub fn header_key(header: &str) -> String {
    let mut out = String::new();
    for c in header.trim().chars().flat_map(char::to_lowercase) {
        let c = if c == 'ё' { 'е' } else { c };
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    out.trim_end().to_owned()
}

/// [`read`] on a blocking thread (parsing a large file must not stall the server's async
/// threads); a problem with the file is a 422 on the field `file`.
pub async fn read_off_thread(bytes: &[u8]) -> AppResult<Table> {
    let owned = bytes.to_vec();
    tokio::task::spawn_blocking(move || read(&owned))
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?
        .map_err(|m| AppError::invalid("file", m))
}

/// Reads a CSV or a workbook. Errors are in Russian, for the person who uploaded the file.
pub fn read(bytes: &[u8]) -> Result<Table, String> {
    if bytes.is_empty() {
        return Err("Файл пуст.".into());
    }
    if bytes.starts_with(b"PK\x03\x04") {
        read_workbook(bytes)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Err(NOT_XLSX.into())
    } else {
        read_csv(bytes)
    }
}

const NOT_XLSX: &str = "Поддерживаются файлы CSV и XLSX. Сохраните файл в Excel как «Книга Excel (*.xlsx)» \
     или как «CSV (разделители — точка с запятой)».";

fn too_big() -> String {
    format!(
        "Файл слишком большой для загрузки: не более {MAX_ROWS} строк, {MAX_COLUMNS} столбцов \
         и {MAX_CELLS} ячеек (а книга Excel — не более {} МБ в распакованном виде). \
         Разделите его на несколько файлов.",
        MAX_UNPACKED_BYTES / 1024 / 1024
    )
}

/// Refuses an archive that unpacks to more than [`MAX_UNPACKED_BYTES`]: first by the sizes it
/// declares (a zip bomb is refused at once), then by actually unpacking it into nothing,
/// counting, since the declared sizes may lie.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), String> {
    let broken = || "Файл не читается как книга Excel (XLSX): возможно, он повреждён.".to_owned();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| broken())?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| broken())?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > MAX_UNPACKED_BYTES {
        return Err(too_big());
    }
    let mut left = MAX_UNPACKED_BYTES;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| broken())?;
        let copied =
            std::io::copy(&mut entry.take(left + 1), &mut std::io::sink()).map_err(|_| broken())?;
        if copied > left {
            return Err(too_big());
        }
        left -= copied;
    }
    Ok(())
}

fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty | DataRef::Error(_) => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            s.trim().to_owned()
        }
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "да" } else { "нет" }.to_owned(),
        DataRef::DateTime(_) => cell
            .as_date()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    }
}

fn read_workbook(bytes: &[u8]) -> Result<Table, String> {
    check_unpacked_size(bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|_| NOT_XLSX.to_owned())?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| "В книге нет листов.".to_owned())?;
    let unreadable = || "Первый лист книги не читается: возможно, файл повреждён.".to_owned();
    let mut reader = book
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable())?;
    // Non-empty cells as (row, column, text), bounded before anything is laid out densely.
    let mut cells: Vec<(usize, usize, String)> = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(|_| unreadable())? {
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if cells.len() >= MAX_CELLS {
            return Err(too_big());
        }
        let (row, col) = cell.get_position();
        cells.push((row as usize, col as usize, text));
    }
    let (Some(top), Some(left)) = (
        cells.iter().map(|c| c.0).min(),
        cells.iter().map(|c| c.1).min(),
    ) else {
        return Err("Лист пуст.".into());
    };
    cells.sort_by_key(|c| (c.0, c.1));
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut kept = 0usize;
    for (row, col, text) in cells {
        let (row, col) = (row - top, col - left);
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(too_big());
        }
        if rows.last().is_none_or(|(r, _)| *r != row) {
            rows.push((row, Vec::new()));
        }
        if let Some((_, cells)) = rows.last_mut() {
            if cells.len() <= col {
                kept += col + 1 - cells.len();
                if kept > MAX_CELLS {
                    return Err(too_big());
                }
                cells.resize(col + 1, String::new());
            }
            cells[col] = text;
        }
    }
    let mut rows = rows.into_iter().peekable();
    let headers = match rows.peek() {
        Some((0, _)) => rows.next().map(|(_, h)| h).unwrap_or_default(),
        _ => Vec::new(),
    };
    // Row numbers as a spreadsheet shows them from the header: the header is row 1.
    let rows = rows.map(|(i, r)| (i + 1, r)).collect();
    finish_numbered(headers, rows)
}

fn read_csv(bytes: &[u8]) -> Result<Table, String> {
    let text = decode(bytes)?;
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut all = Vec::new();
    let mut kept = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| format!("Файл CSV повреждён: {e}"))?;
        kept += record.len();
        if all.len() >= MAX_ROWS || record.len() > MAX_COLUMNS || kept > MAX_CELLS {
            return Err(too_big());
        }
        all.push(
            record
                .iter()
                .map(|c| c.trim().to_owned())
                .collect::<Vec<_>>(),
        );
    }
    let mut rows = all.into_iter();
    let headers = rows.next().ok_or_else(|| "Файл пуст.".to_owned())?;
    finish(headers, rows.collect())
}

/// UTF-8 (with or without a byte-order mark), else Windows-1251 as Russian Excel saves CSV.
fn decode(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::WINDOWS_1251.decode(bytes);
    if had_errors || text.contains('\u{0}') {
        return Err(
            "Не удалось определить кодировку файла: сохраните его в UTF-8 или Windows-1251.".into(),
        );
    }
    Ok(text.into_owned())
}

fn finish(headers: Vec<String>, rows: Vec<Vec<String>>) -> Result<Table, String> {
    let rows = rows
        .into_iter()
        .enumerate()
        // Row numbers as a spreadsheet shows them: the header is row 1.
        .map(|(i, r)| (i + 2, r))
        .collect();
    finish_numbered(headers, rows)
}

fn finish_numbered(headers: Vec<String>, rows: Vec<(usize, Vec<String>)>) -> Result<Table, String> {
    if headers.iter().all(|h| h.is_empty()) {
        return Err("В первой строке должны быть заголовки столбцов.".into());
    }
    let rows = rows
        .into_iter()
        .filter(|(_, r)| r.iter().any(|c| !c.is_empty()))
        .collect();
    Ok(Table { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_matched_loosely() {
        assert_eq!(header_key(" Эл. почта "), "эл почта");
        assert_eq!(
            header_key("Стаж работы (педагогический)"),
            "стаж работы педагогический"
        );
        assert_eq!(header_key("ОТЧЁТ"), "отчет");
    }

    #[test]
    fn semicolon_csv_in_utf8_with_bom_is_read() {
        let bytes =
            "\u{feff}Фамилия;Имя;Email\nИванова;Мария;m@x.ru\n;;\nПетров;Пётр;p@x.ru\n".as_bytes();
        let t = read(bytes).unwrap();
        assert_eq!(t.headers, ["Фамилия", "Имя", "Email"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].0, 4, "the blank row keeps its number");
        assert_eq!(t.column(&["e-mail", "email"]), Some(2));
    }

    #[test]
    fn windows_1251_csv_is_decoded() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("Фамилия,Имя\nСмирнова,Ольга\n");
        let t = read(&bytes).unwrap();
        assert_eq!(t.rows[0].1, ["Смирнова", "Ольга"]);
    }

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, c, v) in cells {
            sheet.write_string(*r, *c, *v).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn an_xlsx_sheet_is_read_from_its_first_used_cell_with_spreadsheet_row_numbers() {
        let bytes = workbook(&[
            (2, 1, "Фамилия"),
            (2, 2, "Email"),
            (3, 1, "Иванова"),
            (3, 2, "m@x.ru"),
            (5, 2, "p@x.ru"),
        ]);
        let t = read(&bytes).unwrap();
        assert_eq!(t.headers, ["Фамилия", "Email"]);
        assert_eq!(
            t.rows[0],
            (2, vec!["Иванова".to_owned(), "m@x.ru".to_owned()])
        );
        assert_eq!(t.rows[1], (4, vec![String::new(), "p@x.ru".to_owned()]));
    }

    #[test]
    fn a_cell_far_down_or_far_right_is_refused_before_anything_is_laid_out() {
        for far in [(1_000_000, 0), (1, 16_000)] {
            let bytes = workbook(&[(0, 0, "Email"), (far.0, far.1, "x")]);
            let err = read(&bytes).unwrap_err();
            assert!(err.contains("слишком большой"), "{err}");
        }
    }

    #[test]
    fn a_csv_with_too_many_columns_or_cells_is_refused() {
        let wide = format!("{}\n", vec!["a"; MAX_COLUMNS + 1].join(";"));
        assert!(
            read(wide.as_bytes())
                .unwrap_err()
                .contains("слишком большой")
        );
        let line = format!("{}\n", vec!["1"; MAX_COLUMNS].join(";"));
        let many = line.repeat(MAX_CELLS / MAX_COLUMNS + 1);
        assert!(
            read(many.as_bytes())
                .unwrap_err()
                .contains("слишком большой")
        );
    }

    #[test]
    fn old_excel_files_are_refused_with_a_way_out() {
        let err = read(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]).unwrap_err();
        assert!(err.contains("XLSX"), "{err}");
    }

    #[test]
    fn a_broken_workbook_is_a_clear_error() {
        let err = read(b"PK\x03\x04garbage").unwrap_err();
        assert!(err.contains("повреждён"));
        assert!(read(b"").is_err());
    }
}
