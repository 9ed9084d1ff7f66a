//! CSV downloads: UTF-8 with a byte-order mark so spreadsheet programs read the Chinese names,
//! CRLF line ends, and fields a spreadsheet cannot mistake for formulas.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A CSV field: quoted when it holds a comma, a quote or a line break; a leading `=`, `+`,
/// `-` or `@` is prefixed with `'` so a spreadsheet does not take it for a formula.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The document: a byte-order mark, then each line's fields (escaped here) joined by commas.
pub fn document<L, F>(lines: impl IntoIterator<Item = L>) -> String
where
    L: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let mut out = String::from("\u{feff}");
    for line in lines {
        let fields: Vec<String> = line.into_iter().map(|f| field(f.as_ref())).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The media type of a CSV download.
pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// A download of `body` named `file_name`.
pub fn download(body: String, file_name: &str) -> Response {
    attachment(body.into_bytes(), CONTENT_TYPE, file_name)
}

/// A download of `bytes` of `content_type` named `file_name` (CSV, XLSX).
pub fn attachment(bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
