//! Spreadsheets (XLSX, the Office Open XML workbook) beside the CSV downloads: a workbook of
//! named sheets, each a header row and typed cells — counts and rates as numbers a spreadsheet
//! can sum and chart, names and codes as text (a province code stays "44", not 44).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The media type of an XLSX workbook.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    /// A figure as the CSV writes it: empty stays empty, a number becomes a number, anything
    /// else is text.
    pub fn figure(text: &str) -> Cell {
        if text.is_empty() {
            Cell::Empty
        } else {
            text.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map_or_else(|| Cell::Text(text.to_string()), Cell::Number)
        }
    }
}

/// A sheet: its tab's name, the header row, the rows.
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The workbook's bytes: each sheet with its header in bold and frozen above the rows.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for sheet in sheets {
        let out = book.add_worksheet();
        out.set_name(&sheet.name)?;
        for (col, head) in (0u16..).zip(&sheet.header) {
            out.write_string_with_format(0, col, head, &bold)?;
        }
        out.set_freeze_panes(1, 0)?;
        for (row, cells) in (1u32..).zip(&sheet.rows) {
            for (col, cell) in (0u16..).zip(cells) {
                match cell {
                    Cell::Text(t) => {
                        out.write_string(row, col, t)?;
                    }
                    Cell::Number(n) => {
                        out.write_number(row, col, *n)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_numbers_and_the_rest_text() {
        assert_eq!(Cell::figure("12"), Cell::Number(12.0));
        assert_eq!(Cell::figure("66.7"), Cell::Number(66.7));
        assert_eq!(Cell::figure(""), Cell::Empty);
        assert_eq!(Cell::figure("合计"), Cell::Text("合计".into()));
        assert_eq!(Cell::figure("NaN"), Cell::Text("NaN".into()));
    }

    #[test]
    fn a_workbook_is_a_zip_archive() {
        let bytes = workbook(&[Sheet {
            name: "指标".into(),
            header: vec!["name".into(), "cases".into()],
            rows: vec![vec![Cell::Text("电话".into()), Cell::Number(3.0)]],
        }])
        .unwrap_or_default();
        assert!(bytes.starts_with(b"PK\x03\x04"), "a zip's local header");
    }
}
