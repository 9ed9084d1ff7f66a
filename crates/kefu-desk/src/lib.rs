//! kefu's use cases: [`Desk`] and the store traits it works through. Each use case takes an
//! `Actor`, checks what the actor may do, validates the input, plans the events with
//! `kefu-model`'s pure rules and hands them to the [`Store`] in one append; reads go through
//! read models that decide who may see what.
//!
//! Invariant: no I/O except through the [`Store`] traits (and the search engine and
//! understanding `kefu-model` defines as traits); time comes from the desk's `Clock`. `Desk`'s
//! parts are private: callers reach data only through its use cases.
//!
//! Modules: `desk` (the struct, its builder, shared helpers), `store` (the store traits), and
//! one module of `impl Desk` per area. Layers, bottom to top (checked by the `layering` test):
//! `store` → `desk` → `cases`, `users`, `sla`, `search`, … → `chat` → `routing`, `channels`, … → `wechat`

pub mod cases;
pub mod causes;
pub mod channels;
pub mod chat;
pub mod corrections;
pub mod desk;
pub mod export;
pub mod figures;
pub mod key_accounts;
pub mod knowledge;
pub mod lookup;
pub mod network;
pub mod notices;
pub mod parcels;
pub mod pickups;
pub mod portal;
pub mod quality;
pub mod queues;
pub mod replies;
pub mod reports;
pub mod routing;
pub mod search;
pub mod sla;
pub mod staffing;
pub mod stats;
pub mod store;
pub mod survey;
pub mod telephony;
pub mod users;
pub mod views;
pub mod wechat;

pub use desk::{Desk, DeskResult};
pub use store::{
    AuditStore, CallStore, CaseStore, ChannelStore, ChatStore, ConfigStore, DirectoryStore,
    KnowledgeStore, OutboxStore, ParcelStore, QualityStore, Signals, StaffingStore, Store,
    SurveyStore, TransferStore,
};

#[cfg(test)]
mod layering_check {
    #[test]
    fn no_module_imports_from_itself_through_others() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        match kefu_model::layering::check_sources(&src) {
            Ok(files) => assert!(files > 15, "read {files} files"),
            Err(problem) => panic!("kefu-desk's modules: {problem}"),
        }
    }
}
