//! Mail handed to kefu by the company's mail gateway over SMTP (`--smtp-listen`), instead of
//! or next to the IMAP readers: the listener (`kefu_mailbox::smtp_server`) asks this sink
//! whether a recipient is one of the enabled mailboxes, and hands each mail to
//! [`Desk::receive_mail`] of every mailbox it is addressed to. The desk's commit comes before
//! the gateway's 250, so an acknowledged mail survives a crash; a failure answers 451 and the
//! gateway retries, which the desk's de-duplication by Message-ID makes harmless.

use std::net::IpAddr;
use std::sync::Arc;

use kefu_desk::Desk;
use kefu_mailbox::{MailSink, ReceivedMail, SinkError, SmtpServerConfig};
use tokio::net::TcpListener;

/// Hands mail from the SMTP listener to the desk.
pub struct DeskMailSink {
    desk: Desk,
}

impl DeskMailSink {
    pub fn new(desk: Desk) -> DeskMailSink {
        DeskMailSink { desk }
    }
}

impl MailSink for DeskMailSink {
    async fn accepts_recipient(&self, address: &str) -> Result<bool, SinkError> {
        let accounts = self
            .desk
            .email_accounts_for_address(address)
            .await
            .map_err(|e| SinkError(e.to_string()))?;
        Ok(!accounts.is_empty())
    }

    async fn deliver(&self, mail: ReceivedMail) -> Result<(), SinkError> {
        let mut accounts: Vec<String> = Vec::new();
        for recipient in &mail.recipients {
            let found = self
                .desk
                .email_accounts_for_address(recipient)
                .await
                .map_err(|e| SinkError(e.to_string()))?;
            for id in found {
                if !accounts.contains(&id) {
                    accounts.push(id);
                }
            }
        }
        if accounts.is_empty() {
            // Every mailbox it was for was disabled since RCPT: the gateway keeps it and its
            // retry is refused at RCPT, which bounces it to the sender.
            return Err(SinkError("no enabled mailbox for its recipients".into()));
        }
        // Once per mailbox, as the IMAP readers of those mailboxes would; the desk takes the
        // same Message-ID in only once.
        for id in accounts {
            let receipt = self
                .desk
                .receive_mail(&id, &mail.data)
                .await
                .map_err(|e| SinkError(format!("mailbox {id}: {e}")))?;
            tracing::info!(
                mailbox = %id,
                outcome = receipt.outcome.as_str(),
                duplicate = receipt.duplicate,
                "mail taken in by SMTP"
            );
        }
        Ok(())
    }
}

/// Parses a comma-separated list of client addresses (`10.0.0.5, 10.0.0.6`).
pub fn parse_allowed_clients(list: &str) -> Result<Vec<IpAddr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            a.parse::<IpAddr>()
                .map_err(|_| format!("smtp_allowed_clients: '{a}' is not an IP address"))
        })
        .collect()
}

/// Serves SMTP on `listener` for as long as the process runs.
pub async fn run(listener: TcpListener, desk: Desk, config: SmtpServerConfig) {
    kefu_mailbox::serve_smtp(
        listener,
        config,
        Arc::new(DeskMailSink::new(desk)),
        std::future::pending(),
    )
    .await;
}
