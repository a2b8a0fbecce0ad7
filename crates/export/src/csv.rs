//! Tables as CSV files that Excel in Japan opens as they are: UTF-8 with a byte-order mark, or
//! CP932 (Windows' Shift_JIS). Lines end with CRLF; cells are quoted when they need it.
//!
//! **Formula injection.** A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
//! (or their full-width forms `＝`, `＋`, `－`, `＠`, which Japanese spreadsheets may also read as
//! formulas) is written with a leading apostrophe `'`: Excel and LibreOffice then show the cell
//! as text, and every other reader sees the original text after one visible `'`. This is
//! OWASP's recommendation; the same choice as the audit log's CSV. It applies to every cell,
//! headers and labels included. The numbers the exports write (counts, shares) are never
//! negative, so no number gets the apostrophe.
//!
//! **CP932.** A character CP932 cannot encode (a rare kanji such as 𠮷, an emoji) is replaced
//! by 〓 (the geta mark, the customary sign for a missing character in Japanese print) and
//! reported in [`CsvFile::replaced`] with its line and column, so that the caller can tell the
//! user; UTF-8 loses nothing.

use encoding_rs::SHIFT_JIS;
use std::borrow::Cow;

/// The sign written in place of a character CP932 cannot encode.
pub const REPLACEMENT: char = '〓';

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark (Excel needs the mark to read UTF-8).
    #[default]
    Utf8Bom,
    /// CP932 (Windows-31J), as older Japanese systems expect.
    Cp932,
}

impl CsvEncoding {
    /// Reads `utf8`, `utf-8`, `utf8bom`, `bom`, `sjis`, `shift_jis`, `cp932`, `windows-31j`.
    pub fn parse(name: &str) -> Option<CsvEncoding> {
        let key: String = name.trim().chars().filter(|c| !matches!(c, '-' | '_' | ' ')).flat_map(char::to_lowercase).collect();
        match key.as_str() {
            "utf8" | "utf8bom" | "bom" => Some(CsvEncoding::Utf8Bom),
            "sjis" | "shiftjis" | "cp932" | "windows31j" | "ms932" => Some(CsvEncoding::Cp932),
            _ => None,
        }
    }

    /// The `charset` of the HTTP `Content-Type`.
    pub fn charset(self) -> &'static str {
        match self {
            CsvEncoding::Utf8Bom => "utf-8",
            CsvEncoding::Cp932 => "Shift_JIS",
        }
    }
}

/// A character that CP932 cannot encode, replaced by [`REPLACEMENT`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replaced {
    /// 1-based line of the file (the header is line 1).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    pub character: char,
}

/// A CSV file's bytes and what could not be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvFile {
    pub bytes: Vec<u8>,
    pub encoding: CsvEncoding,
    /// Empty for UTF-8.
    pub replaced: Vec<Replaced>,
}

#[derive(Debug, thiserror::Error)]
#[error("CSV を書けませんでした / the CSV could not be written: {0}")]
pub struct CsvError(String);

/// Neutralizes a cell that a spreadsheet would run as a formula (see the module's text).
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Writes a header row and data rows.
pub fn write(header: &[String], rows: &[Vec<String>], encoding: CsvEncoding) -> Result<CsvFile, CsvError> {
    let mut replaced = Vec::new();
    let mut writer = ::csv::WriterBuilder::new().flexible(true).terminator(::csv::Terminator::CRLF).from_writer(Vec::new());
    for (i, row) in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)).enumerate() {
        let cells = row.iter().enumerate().map(|(j, cell)| {
            let safe = formula_safe(cell);
            match encoding {
                CsvEncoding::Utf8Bom => safe.into_owned(),
                CsvEncoding::Cp932 => cp932_safe(&safe, i + 1, j + 1, &mut replaced),
            }
        });
        let cells: Vec<String> = cells.collect();
        writer.write_record(&cells).map_err(|e| CsvError(e.to_string()))?;
    }
    let text = writer.into_inner().map_err(|e| CsvError(e.to_string()))?;
    let bytes = match encoding {
        CsvEncoding::Utf8Bom => [BOM, &text].concat(),
        CsvEncoding::Cp932 => {
            let text = String::from_utf8(text).map_err(|e| CsvError(e.to_string()))?;
            let (bytes, _, _) = SHIFT_JIS.encode(&text);
            bytes.into_owned()
        }
    };
    Ok(CsvFile { bytes, encoding, replaced })
}

/// The cell with every character CP932 cannot encode replaced and recorded.
fn cp932_safe(cell: &str, line: usize, column: usize, replaced: &mut Vec<Replaced>) -> String {
    let (_, _, unmappable) = SHIFT_JIS.encode(cell);
    if !unmappable {
        return cell.to_string();
    }
    let mut buf = [0u8; 4];
    cell.chars()
        .map(|c| {
            let (_, _, bad) = SHIFT_JIS.encode(c.encode_utf8(&mut buf));
            if bad {
                replaced.push(Replaced { line, column, character: c });
                REPLACEMENT
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_names() {
        assert_eq!(CsvEncoding::parse("UTF-8"), Some(CsvEncoding::Utf8Bom));
        assert_eq!(CsvEncoding::parse("Shift_JIS"), Some(CsvEncoding::Cp932));
        assert_eq!(CsvEncoding::parse("cp932"), Some(CsvEncoding::Cp932));
        assert_eq!(CsvEncoding::parse("latin1"), None);
    }

    #[test]
    fn the_replacement_sign_is_cp932() {
        let (_, _, bad) = SHIFT_JIS.encode("〓");
        assert!(!bad);
    }
}
