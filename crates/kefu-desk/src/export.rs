//! Export and import through the [`TransferStore`]: every table, in key order, one JSON object a
//! line; the format itself is `kefu_model::export`.

use kefu_model::error::DomainError;
use kefu_model::export::{
    CHUNK, ExportHeader, ExportRecord, ExportTable, FORMAT, FORMAT_VERSION, to_line,
};

use crate::store::TransferStore;

/// An import chunk is written once it holds this many attachment bytes, whatever its length,
/// so importing many images does not gather gigabytes into one transaction.
const IMPORT_CHUNK_BYTES: usize = 32 * 1024 * 1024;

/// Writes the header and every record, table by table in key order, one JSON object a line.
pub async fn export_all(
    store: &dyn TransferStore,
    sink: &mut (dyn FnMut(String) -> Result<(), String> + Send),
) -> Result<u64, DomainError> {
    let io = |e: String| {
        DomainError::Store(kefu_model::error::StoreError::Backend(format!(
            "write: {e}"
        )))
    };
    let header = ExportHeader {
        format: FORMAT.to_string(),
        version: FORMAT_VERSION,
    };
    sink(to_line(&header)?).map_err(io)?;
    let mut count = 0;
    for table in ExportTable::ALL {
        let limit = table.chunk_size();
        let mut after = None;
        loop {
            let chunk = store.export_chunk(table, after.clone(), limit).await?;
            let Some(last) = chunk.last() else { break };
            after = Some(last.key());
            let full = chunk.len() == limit as usize;
            for record in &chunk {
                sink(to_line(record)?).map_err(io)?;
                count += 1;
            }
            if !full {
                break;
            }
        }
    }
    Ok(count)
}

/// Imports records into an empty store, in chunks, then lets numbering continue after them.
pub async fn import_records(
    store: &dyn TransferStore,
    records: impl IntoIterator<Item = Result<ExportRecord, DomainError>>,
) -> Result<u64, DomainError> {
    if !store.is_empty().await? {
        return Err(DomainError::Store(kefu_model::error::StoreError::NotEmpty));
    }
    let mut chunk = Vec::with_capacity(CHUNK as usize);
    let mut bytes = 0;
    let mut count = 0;
    for record in records {
        let record = record?;
        if let ExportRecord::Attachment(a) = &record {
            bytes += a.data.len();
        }
        chunk.push(record);
        count += 1;
        if chunk.len() == CHUNK as usize || bytes >= IMPORT_CHUNK_BYTES {
            store.import_chunk(std::mem::take(&mut chunk)).await?;
            bytes = 0;
        }
    }
    if !chunk.is_empty() {
        store.import_chunk(chunk).await?;
    }
    store.finish_import().await?;
    Ok(count)
}
