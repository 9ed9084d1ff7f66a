//! What a node does before it serves, shared by `kefu serve`/`demo` and the benches that run
//! the product as it runs: the shipped configuration and content, then the background work
//! (timers, the search indexer) around the web state.

use std::sync::Arc;

use kefu_desk::Desk;

/// Installs what kefu ships and the store lacks: built-in calendars and SLA policies, the
/// canned replies and the knowledge-base articles (existing ones, maybe edited, are kept).
pub async fn install_shipped(desk: &Desk) -> Result<(), String> {
    desk.install_builtin_calendars()
        .await
        .map_err(|e| format!("calendars: {e}"))?;
    desk.install_default_policies()
        .await
        .map_err(|e| format!("SLA policies: {e}"))?;
    desk.install_seed_replies()
        .await
        .map_err(|e| format!("canned replies: {e}"))?;
    desk.install_seed_articles()
        .await
        .map_err(|e| format!("articles: {e}"))?;
    // The retired `outlets` setting becomes the network's outlets, once.
    let (imported, refused) = desk
        .import_legacy_outlets()
        .await
        .map_err(|e| format!("outlets: {e}"))?;
    if !imported.is_empty() {
        tracing::info!(outlets = ?imported, "outlets setting imported into the network");
    }
    for (key, why) in refused {
        tracing::warn!(outlet = %key, reason = %why, "outlet of the outlets setting not imported");
    }
    Ok(())
}

/// Starts the node's background work on the current runtime and returns the web state: the
/// bot's model is trained now (the first chat message does not wait for it), the timers run,
/// the index follows the store's outbox, mailboxes are read and replies sent.
/// Without `channel_workers` the node serves but reaches no mail server.
pub fn start(
    desk: Desk,
    index: kefu_search::SearchIndex,
    channel_workers: bool,
) -> kefu_web::AppState {
    let _ = kefu_nlu::Nlu::shared();
    tokio::spawn(crate::timers::run(desk.clone()));
    // After an upgrade that added a figure, every case's figures once more, while serving.
    let figures = desk.clone();
    tokio::spawn(async move {
        match figures.rebuild_stale_figures().await {
            Ok(Some(cases)) => tracing::info!(cases, "key figures computed again after an upgrade"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "key figures not computed again"),
        }
    });
    if channel_workers {
        tokio::spawn(crate::channels::run_mail_readers(desk.clone()));
        let wechat = crate::channels::WeChatClients::default();
        tokio::spawn(crate::channels::run_sender(desk.clone(), wechat.clone()));
        tokio::spawn(crate::channels::run_media_fetcher(desk.clone(), wechat));
        tokio::spawn(crate::channels::run_report_sender(desk.clone()));
    }
    let index = Arc::new(index);
    tokio::spawn(kefu_search::desk::run_indexer(
        index.clone(),
        desk.store().clone(),
        desk.clock().clone(),
    ));
    kefu_web::AppState::new(desk).with_search(index)
}
