//! Settings from flags, environment (`KEFU_*`) and an optional TOML file, in that order of
//! precedence; and opening the store they name.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kefu_desk::{Desk, Store};
use kefu_model::SystemClock;
use serde::Deserialize;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The optional config file; every key is also a flag and an environment variable.
/// Also what the flags and environment give, merged over the file's (`Settings::merge`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub time_zone: Option<String>,
    pub channel_workers: Option<bool>,
    pub public_url: Option<String>,
    pub speech_url: Option<String>,
    pub smtp_listen: Option<String>,
    pub smtp_allowed_clients: Option<String>,
}

impl FileSettings {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Settings after merging.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub time_zone: String,
    /// Whether this node reads the mailboxes and sends replies (on by default; off for a node
    /// that must not reach out, such as a fuzzing target).
    pub channel_workers: bool,
    /// Where customers reach this kefu (links in notices); `http://{listen}` by default.
    pub public_url: String,
    /// A speech-to-text service (`POST {"recording_url"}` → `{"text"}`): call recordings are
    /// transcribed into internal notes when set.
    pub speech_url: Option<String>,
    /// Where `kefu serve` takes mail from a mail gateway by SMTP (e.g. 127.0.0.1:2525); none
    /// by default. Plain SMTP without login: a gateway on a trusted network only.
    pub smtp_listen: Option<String>,
    /// The gateway's addresses, comma-separated; others are refused at connect (empty: any).
    pub smtp_allowed_clients: String,
}

impl Settings {
    /// What the flags (and environment) say, over what the file says, over the defaults.
    pub fn merge(file: FileSettings, flags: FileSettings) -> Settings {
        let FileSettings {
            listen,
            data_dir,
            database_url,
            time_zone,
            channel_workers,
            public_url,
            speech_url,
            smtp_listen,
            smtp_allowed_clients,
        } = flags;
        let listen = listen
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        Settings {
            public_url: public_url
                .or(file.public_url)
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| format!("http://{listen}")),
            listen,
            data_dir: data_dir
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from("kefu-data")),
            database_url: database_url
                .or(file.database_url)
                .filter(|u| !u.trim().is_empty()),
            time_zone: time_zone
                .or(file.time_zone)
                .unwrap_or_else(|| kefu_model::DEFAULT_TIME_ZONE.to_string()),
            channel_workers: channel_workers.or(file.channel_workers).unwrap_or(true),
            speech_url: speech_url
                .or(file.speech_url)
                .filter(|u| !u.trim().is_empty()),
            smtp_listen: smtp_listen
                .or(file.smtp_listen)
                .filter(|a| !a.trim().is_empty()),
            smtp_allowed_clients: smtp_allowed_clients
                .or(file.smtp_allowed_clients)
                .unwrap_or_default(),
        }
    }

    /// A short description of where data lives, without any password in the URL.
    pub fn describe_store(&self) -> String {
        match &self.database_url {
            Some(url) if is_postgres(url) => match url.split_once('@') {
                Some((_, host)) => format!("PostgreSQL at {host}"),
                None => "PostgreSQL".to_string(),
            },
            Some(url) => format!("SQLite at {url}"),
            None => format!("SQLite at {}", self.data_dir.join("kefu.db").display()),
        }
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens (and migrates) the store the settings name.
pub async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>, String> {
    match &settings.database_url {
        Some(url) if is_postgres(url) => Ok(Arc::new(
            kefu_store_postgres::open(url)
                .await
                .map_err(|e| format!("PostgreSQL: {e}"))?,
        )),
        Some(url) if url.starts_with("sqlite:") => Ok(Arc::new(
            kefu_store_sqlite::open_url(url)
                .await
                .map_err(|e| format!("SQLite: {e}"))?,
        )),
        Some(url) => Err(format!(
            "unsupported database URL '{url}': use postgres://… or sqlite:…"
        )),
        None => {
            std::fs::create_dir_all(&settings.data_dir)
                .map_err(|e| format!("cannot create {}: {e}", settings.data_dir.display()))?;
            Ok(Arc::new(
                kefu_store_sqlite::open(&settings.data_dir.join("kefu.db"))
                    .await
                    .map_err(|e| format!("SQLite: {e}"))?,
            ))
        }
    }
}

pub fn desk(store: Arc<dyn Store>, settings: &Settings) -> Result<Desk, String> {
    let zone = &settings.time_zone;
    let time_zone =
        jiff::tz::TimeZone::get(zone).map_err(|e| format!("unknown time zone '{zone}': {e}"))?;
    Ok(Desk::new(store, Arc::new(SystemClock))
        .with_nlu(Arc::new(kefu_nlu::SharedNlu))
        .with_time_zone(time_zone)
        .with_public_url(settings.public_url.clone()))
}
