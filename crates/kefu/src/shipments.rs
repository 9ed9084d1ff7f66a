//! `kefu shipments import`: loads shipments and scans from the ops system's CSV or JSON-lines
//! exports. Rows are checked one by one; a bad row is written to the report with its line
//! number and reason and never stops or spoils the rest. Good rows are written in batches.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use kefu_desk::Desk;
use kefu_model::parcels::ImportRow;
use kefu_model::shipment::{PartyDraft, ScanDraft, ShipmentDraft};
use kefu_model::{Actor, DomainError, Role, UserId};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// Rows per write.
const BATCH: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::JsonLines),
            _ => None,
        }
    }

    /// From the file name: `.csv` is CSV, anything else JSON lines.
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::JsonLines,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: u64,
    pub written: u64,
    pub rejected: u64,
}

/// The account imports run as: an admin that exists only in the events it writes.
fn importer() -> Actor {
    Actor {
        user_id: UserId::from_stored("import".into()),
        username: "import".into(),
        role: Role::Admin,
        department_id: None,
    }
}

/// One input row: where it was, and what it became (or why not).
type Parsed = (u64, String, Result<ImportRow, String>);

/// Imports `path`, writing rejected rows to `report` (one JSON object per line with `line`,
/// `error` and the `row` as read) and progress to `progress` about once a second.
pub async fn import(
    desk: &Desk,
    path: &Path,
    format: Format,
    report: &mut dyn Write,
    progress: &mut dyn Write,
) -> Result<ImportReport, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let reader = BufReader::new(file);
    let actor = importer();
    let mut totals = ImportReport::default();
    let mut batch: Vec<Parsed> = Vec::with_capacity(BATCH);
    let started = Instant::now();
    let mut last_progress = Instant::now();
    let mut header: Option<Vec<String>> = None;
    for (index, line) in reader.lines().enumerate() {
        let line_no = index as u64 + 1;
        let line = line.map_err(|e| format!("read error at line {line_no}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = match format {
            Format::JsonLines => parse_json_row(&line),
            Format::Csv => match &header {
                None => {
                    header = Some(
                        split_csv(&line)
                            .map_err(|e| format!("header: {e}"))?
                            .into_iter()
                            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
                            .collect(),
                    );
                    continue;
                }
                Some(h) => parse_csv_row(h, &line),
            },
        };
        batch.push((line_no, line, parsed));
        if batch.len() >= BATCH {
            flush(desk, &actor, &mut batch, &mut totals, report).await?;
        }
        if last_progress.elapsed() >= Duration::from_secs(1) {
            last_progress = Instant::now();
            let rate = totals.rows as f64 / started.elapsed().as_secs_f64().max(0.001);
            let _ = writeln!(
                progress,
                "{} rows: {} written, {} rejected ({rate:.0} rows/s)",
                totals.rows, totals.written, totals.rejected
            );
        }
    }
    flush(desk, &actor, &mut batch, &mut totals, report).await?;
    Ok(totals)
}

async fn flush(
    desk: &Desk,
    actor: &Actor,
    batch: &mut Vec<Parsed>,
    totals: &mut ImportReport,
    report: &mut dyn Write,
) -> Result<(), String> {
    let mut rows = Vec::with_capacity(batch.len());
    let mut positions = Vec::with_capacity(batch.len());
    for (line_no, line, parsed) in batch.drain(..) {
        totals.rows += 1;
        match parsed {
            Ok(row) => {
                rows.push(row);
                positions.push((line_no, line));
            }
            Err(error) => reject(report, totals, line_no, &line, &error)?,
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    let results = desk
        .import_shipments(actor, rows)
        .await
        .map_err(|e| format!("write failed: {e}"))?;
    for ((line_no, line), result) in positions.into_iter().zip(results) {
        match result {
            None => totals.written += 1,
            Some(e) => reject(report, totals, line_no, &line, &describe(&e))?,
        }
    }
    Ok(())
}

fn reject(
    report: &mut dyn Write,
    totals: &mut ImportReport,
    line_no: u64,
    line: &str,
    error: &str,
) -> Result<(), String> {
    totals.rejected += 1;
    writeln!(
        report,
        "{}",
        json!({"line": line_no, "error": error, "row": line})
    )
    .map_err(|e| format!("cannot write the report: {e}"))
}

fn describe(e: &DomainError) -> String {
    match e {
        DomainError::Invalid { field, message } => format!("{field}: {message}"),
        other => other.to_string(),
    }
}

/// A JSON line is a shipment (it has a `sender`) or scans for one (`waybill_no` + `events`).
fn parse_json_row(line: &str) -> Result<ImportRow, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    if value.get("sender").is_some() {
        serde_path_to_error::deserialize::<_, ShipmentDraft>(value)
            .map(|d| ImportRow::Shipment(Box::new(d)))
            .map_err(|e| format!("{}: {}", e.path(), e.inner()))
    } else {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ScanRow {
            waybill_no: String,
            events: Vec<ScanDraft>,
        }
        serde_path_to_error::deserialize::<_, ScanRow>(value)
            .map(|r| ImportRow::Scans {
                waybill_no: r.waybill_no,
                scans: r.events,
            })
            .map_err(|e| format!("{}: {}", e.path(), e.inner()))
    }
}

/// Splits one CSV record (RFC 4180 quoting; records do not span lines in these exports).
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') if at_start => {
                quoted = true;
                at_start = false;
            }
            (true, '"') => {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            }
            (false, ',') => {
                fields.push(std::mem::take(&mut field));
                at_start = true;
            }
            (_, c) => {
                field.push(c);
                at_start = false;
            }
        }
    }
    if quoted {
        return Err("unterminated quote".into());
    }
    fields.push(field);
    Ok(fields)
}

/// A CSV row: scans when the header has `at` and `code`, shipments otherwise.
fn parse_csv_row(header: &[String], line: &str) -> Result<ImportRow, String> {
    let values = split_csv(line)?;
    if values.len() != header.len() {
        return Err(format!(
            "{} fields where the header has {}",
            values.len(),
            header.len()
        ));
    }
    let get = |name: &str| -> Option<&str> {
        header
            .iter()
            .position(|h| h == name)
            .map(|i| values[i].trim())
            .filter(|v| !v.is_empty())
    };
    let need = |name: &str| get(name).ok_or_else(|| format!("{name}: missing"));
    let time = |name: &str| -> Result<Option<jiff::Timestamp>, String> {
        get(name)
            .map(|v| v.parse().map_err(|e| format!("{name}: {e}")))
            .transpose()
    };
    let decimal = |name: &str| -> Result<Option<Decimal>, String> {
        get(name)
            .map(|v| v.parse::<Decimal>().map_err(|e| format!("{name}: {e}")))
            .transpose()
    };
    if header.iter().any(|h| h == "at") && header.iter().any(|h| h == "code") {
        return Ok(ImportRow::Scans {
            waybill_no: need("waybill_no")?.to_string(),
            scans: vec![ScanDraft {
                at: time("at")?.ok_or("at: missing")?,
                code: need("code")?.to_string(),
                location: need("location")?.to_string(),
                outlet: get("outlet").unwrap_or_default().to_string(),
                description: get("description").unwrap_or_default().to_string(),
            }],
        });
    }
    let dims = match (
        decimal("length_cm")?,
        decimal("width_cm")?,
        decimal("height_cm")?,
    ) {
        (Some(l), Some(w), Some(h)) => Some([l, w, h]),
        (None, None, None) => None,
        _ => return Err("length_cm, width_cm, height_cm: give all three or none".into()),
    };
    let party = |prefix: &str| -> Result<PartyDraft, String> {
        Ok(PartyDraft {
            name: need(&format!("{prefix}_name"))?.to_string(),
            phone: need(&format!("{prefix}_phone"))?.to_string(),
            address: need(&format!("{prefix}_address"))?.to_string(),
        })
    };
    let draft = ShipmentDraft {
        waybill_no: need("waybill_no")?.to_string(),
        carrier: get("carrier").map(str::to_string),
        product: get("product").map(str::to_string),
        sender: party("sender")?,
        recipient: party("recipient")?,
        item: need("item")?.to_string(),
        weight_kg: decimal("weight_kg")?.ok_or("weight_kg: missing")?,
        dimensions_cm: dims,
        pieces: get("pieces")
            .map(|p| p.parse::<u32>().map_err(|e| format!("pieces: {e}")))
            .transpose()?,
        declared_value: decimal("declared_value")?,
        insured: matches!(get("insured"), Some("true" | "1" | "yes" | "是")),
        freight: decimal("freight")?,
        shipped_at: time("shipped_at")?.ok_or("shipped_at: missing")?,
        promised_at: time("promised_at")?,
        events: Vec::new(),
    };
    Ok(ImportRow::Shipment(Box::new(draft)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_follow_rfc4180_quoting() {
        assert_eq!(
            split_csv(r#"a,"b,c","say ""hi""",,"#).unwrap(),
            vec!["a", "b,c", "say \"hi\"", "", ""]
        );
        assert!(split_csv(r#"a,"b"#).is_err());
    }

    #[test]
    fn rows_are_told_apart() {
        let scans = parse_json_row(r#"{"waybill_no":"YL1","events":[]}"#).unwrap();
        assert!(matches!(scans, ImportRow::Scans { .. }));
        assert!(parse_json_row("{nope").unwrap_err().starts_with("not JSON"));
        let header: Vec<String> = ["waybill_no", "at", "code", "location"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let row = parse_csv_row(&header, "YL1,2026-11-20T02:00:00Z,picked_up,深圳").unwrap();
        assert!(matches!(row, ImportRow::Scans { .. }));
        assert_eq!(
            parse_csv_row(&header, "YL1,yesterday,picked_up,深圳")
                .err()
                .map(|e| e.starts_with("at:")),
            Some(true)
        );
        assert!(parse_csv_row(&header, "YL1,2026-11-20T02:00:00Z").is_err());
    }
}
