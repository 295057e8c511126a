//! Reading the tables people actually have: CSV (UTF-8 or Windows-1251, `;`, `,` or tab) and
//! Excel workbooks (XLSX, XLS, ODS), into a header row and text cells.

use std::io::Cursor;

use calamine::{Data, DataType, Reader};

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

/// Reads a CSV or a workbook. Errors are in Russian, for the person who uploaded the file.
pub fn read(bytes: &[u8]) -> Result<Table, String> {
    if bytes.is_empty() {
        return Err("Файл пуст.".into());
    }
    // Workbooks are zip archives (XLSX, ODS) or OLE files (XLS).
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        read_workbook(bytes)
    } else {
        read_csv(bytes)
    }
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "да" } else { "нет" }.to_owned(),
        Data::DateTime(_) => cell
            .as_date()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    }
}

fn read_workbook(bytes: &[u8]) -> Result<Table, String> {
    let mut book =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| {
            "Файл не читается как книга Excel (XLSX): возможно, он повреждён.".to_owned()
        })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "В книге нет листов.".to_owned())?
        .map_err(|_| "Первый лист книги не читается: возможно, файл повреждён.".to_owned())?;
    let mut rows = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect::<Vec<_>>());
    let headers = rows.next().ok_or_else(|| "Лист пуст.".to_owned())?;
    finish(headers, rows.collect())
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
    for record in reader.records() {
        let record = record.map_err(|e| format!("Файл CSV повреждён: {e}"))?;
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
    if headers.iter().all(|h| h.is_empty()) {
        return Err("В первой строке должны быть заголовки столбцов.".into());
    }
    let rows = rows
        .into_iter()
        .enumerate()
        // Row numbers as a spreadsheet shows them: the header is row 1.
        .map(|(i, r)| (i + 2, r))
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

    #[test]
    fn a_broken_workbook_is_a_clear_error() {
        let err = read(b"PK\x03\x04garbage").unwrap_err();
        assert!(err.contains("повреждён"));
        assert!(read(b"").is_err());
    }
}
