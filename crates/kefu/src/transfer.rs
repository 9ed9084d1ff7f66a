//! `kefu export` / `kefu import`: the portable JSON-lines dump, to and from files.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use kefu_desk::Store;
use kefu_model::export;

/// Writes the whole store to `out` (a file, or standard output when `None`).
pub async fn export_to(store: &dyn Store, out: Option<&Path>) -> Result<u64, String> {
    let writer: Box<dyn Write + Send> = match out {
        Some(path) => {
            Box::new(std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        None => Box::new(std::io::stdout()),
    };
    let mut writer = BufWriter::new(writer);
    let count = kefu_desk::export::export_all(store, &mut |line| {
        writer
            .write_all(line.as_bytes())
            .map_err(|e| e.to_string())?;
        writer.write_all(b"\n").map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?;
    writer.flush().map_err(|e| e.to_string())?;
    // Make the file durable before saying it is done.
    if let Some(path) = out {
        std::fs::File::open(path)
            .and_then(|f| f.sync_all())
            .map_err(|e| e.to_string())?;
    }
    Ok(count)
}

/// Reads a dump into an empty store. The file is checked completely first, so a bad line
/// is reported before anything is written.
pub async fn import_from(store: &dyn Store, path: &Path) -> Result<u64, String> {
    let open = || {
        std::fs::File::open(path)
            .map(BufReader::new)
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let mut lines = open()?.lines();
    let header = lines
        .next()
        .ok_or("the file is empty")?
        .map_err(|e| e.to_string())?;
    export::parse_header(&header).map_err(|e| e.to_string())?;
    for (i, line) in lines.enumerate() {
        let line = line.map_err(|e| e.to_string())?;
        export::parse_record(i + 2, &line).map_err(|e| e.to_string())?;
    }
    let records = open()?
        .lines()
        .enumerate()
        .skip(1)
        .map(|(i, line)| match line {
            Ok(l) => export::parse_record(i + 1, &l),
            Err(e) => Err(kefu_model::DomainError::invalid(
                format!("line {}", i + 1),
                e.to_string(),
            )),
        });
    kefu_desk::export::import_records(store, records)
        .await
        .map_err(|e| e.to_string())
}
