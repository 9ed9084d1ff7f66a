//! Demo e-mail: a mailbox, disabled until someone connects a real one (so no demo reply leaves
//! the machine: a reply on an e-mail case says at once that it was not sent), and a morning's
//! mail handed in through the path a mailbox reader uses (`Desk::receive_mail`): new cases in
//! GBK, GB18030, Big5 and UTF-8, an answer joining its case, an auto-reply and a bounce that open
//! nothing, and a mail that cannot be read, kept raw for a person.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kefu_desk::Desk;
use kefu_model::channels::EmailAccountDraft;
use kefu_model::{Actor, DomainError, FixedClock, StoreError};

/// Real-world-looking mails of kefu-mail's test corpus, and how many minutes ago each came.
const MAILS: &[(&[u8], i64)] = &[
    (
        include_bytes!("../../kefu-mail/corpus/01_foxmail_gbk_8bit_damaged.eml"),
        175,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/02_foxmail_gb2312_base64_lost.eml"),
        160,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/05_gb18030_rare_character_address_change.eml"),
        150,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/06_big5_taiwan_quoted_printable_chase.eml"),
        140,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/03_outlook_gbk_html_only_invoice.eml"),
        125,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/10_gmail_chinese_yu_xiedao_pickup.eml"),
        110,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/40_outlook_inline_logo_and_pdf_receipt.eml"),
        95,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/21_auto_submitted_header_only.eml"),
        80,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/44_english_ascii_claim.eml"),
        60,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/27_postfix_dsn_bounce.eml"),
        45,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/39_unparsed_no_sender_address.eml"),
        30,
    ),
    (
        include_bytes!("../../kefu-mail/corpus/43_raw_8bit_gbk_no_charset.eml"),
        15,
    ),
];

/// Adds the demo mailbox and hands its mail in; returns how many mails were taken in.
pub async fn seed(desk: &Desk, now: Timestamp) -> Result<usize, DomainError> {
    let admin = desk
        .store()
        .user_by_username("admin")
        .await?
        .ok_or_else(|| DomainError::Store(StoreError::NotFound("admin".into())))?;
    let admin = Actor::of(&admin);
    let at = |minutes_ago: i64| {
        now.checked_sub(SignedDuration::from_mins(minutes_ago))
            .unwrap_or(now)
    };
    let clock = Arc::new(FixedClock::new(at(180)));
    let played = desk.clone().with_clock(clock.clone());
    let account = played
        .create_email_account(
            &admin,
            EmailAccountDraft {
                name: "客服邮箱（演示，未连接）".into(),
                enabled: false,
                address: "kefu@yunlu.example".into(),
                display_name: "云路快递客服".into(),
                imap_host: "imap.yunlu.example".into(),
                imap_username: "kefu@yunlu.example".into(),
                imap_password: Some("demo-not-a-real-password".into()),
                smtp_host: "smtp.yunlu.example".into(),
                smtp_username: Some("kefu@yunlu.example".into()),
                smtp_password: Some("demo-not-a-real-password".into()),
                signature: "云路快递客服中心 · 热线 95000 · 每天 8:00–22:00".into(),
                ..EmailAccountDraft::default()
            },
        )
        .await?;
    let mut taken = 0;
    for (raw, minutes_ago) in MAILS {
        clock.set(at(*minutes_ago));
        played.receive_mail(&account.account.id, raw).await?;
        taken += 1;
    }
    Ok(taken)
}
