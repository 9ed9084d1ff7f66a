//! `kefu-bench-mail`: inbound mail into cases on SQLite (durable: `synchronous=FULL`).
//!
//! 1. Desk path: N mails handed to `Desk::receive_mail` by C concurrent tasks, as the mailbox
//!    readers and a gateway do: parse, de-duplicate by Message-ID, thread or open a case,
//!    record. The first two thirds open conversations (GBK and UTF-8, each naming a waybill and
//!    a mobile number, every third with a photo); the last third are replies threaded by
//!    In-Reply-To to one of them, handed in after them. Reports mails/s and per-mail latency.
//! 2. IMAP path (when Dovecot is installed): M mails dropped into a real Dovecot's maildir, then
//!    read as the node's reader reads them (`fetch_new` in batches of 500, each mail to the desk)
//!    — the rate including the IMAP round trips.
//!
//! Usage: `kefu-bench-mail [N] [C] [M]` (defaults 20,000 mails, 16 tasks, 5,000 by IMAP).

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use kefu_bench::percentile;
use kefu_model::channels::{EmailAccountDraft, InboundOutcome};

/// A 1×1 PNG: the smallest picture the attachment policy keeps.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

const SUBJECTS: [&str; 6] = [
    "快递三天没更新",
    "包裹破损要求理赔",
    "请帮我改一下收件地址",
    "投诉快递员态度差",
    "上门取件预约",
    "发票怎么开",
];

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Mail `i` of `n`: the first two thirds open conversations, the rest answer one of them.
fn mail(run: &str, i: usize, n: usize) -> Vec<u8> {
    let openers = n * 2 / 3;
    let (sender_of, threading) = if i >= openers {
        let answered = (i - openers) * 2;
        (
            answered,
            format!("In-Reply-To: <{run}-{answered}@example.cn>\r\n"),
        )
    } else {
        (i, String::new())
    };
    let sender = format!("customer{}@example.cn", sender_of % 5_000);
    let subject = SUBJECTS[i % SUBJECTS.len()];
    let text = format!(
        "您好，我的快递 SF{:013} 一直没有消息，电话 139{:08}，麻烦尽快处理。\r\n\r\n\
         > 上一封邮件的引用内容",
        1_000_000_000_000u64 + i as u64,
        i % 100_000_000
    );
    let gbk = i.is_multiple_of(2);
    let (charset, subject_word, body) = if gbk {
        (
            "GBK",
            format!("=?GBK?B?{}?=", b64(&encoding_rs::GBK.encode(subject).0)),
            b64(&encoding_rs::GBK.encode(&text).0),
        )
    } else {
        (
            "UTF-8",
            format!("=?UTF-8?B?{}?=", b64(subject.as_bytes())),
            b64(text.as_bytes()),
        )
    };
    let head = format!(
        "From: =?UTF-8?B?{}?= <{sender}>\r\nTo: kefu@yunlu.example\r\nSubject: {subject_word}\r\n\
         Message-ID: <{run}-{i}@example.cn>\r\n{threading}Date: Sun, 6 Dec 2026 10:00:00 +0800\r\n\
         MIME-Version: 1.0\r\n",
        b64("王先生".as_bytes()),
    );
    let text_part = format!(
        "Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n"
    );
    let whole = if i % 3 == 1 {
        format!(
            "{head}Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n{text_part}\
             --b{i}\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"photo.png\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b{i}--\r\n",
            b64(PNG)
        )
    } else {
        format!("{head}{text_part}")
    };
    whole.into_bytes()
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("{what}: {e}");
    std::process::exit(1)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let (n, concurrency, by_imap) = (arg(1, 20_000), arg(2, 16).max(1), arg(3, 5_000));
    let (dir, desk, admin) = match kefu_bench::fresh_sqlite_desk("kefu-bench-mail").await {
        Ok(found) => found,
        Err(e) => fail("setup", e),
    };
    let draft = |port: u16| EmailAccountDraft {
        name: "压测邮箱".into(),
        enabled: false,
        address: "kefu@yunlu.example".into(),
        imap_host: "127.0.0.1".into(),
        imap_port: Some(port),
        imap_security: Some(kefu_model::channels::MailSecurity::Plain),
        imap_username: "agent".into(),
        imap_password: Some("s3cret-pw".into()),
        smtp_host: "127.0.0.1".into(),
        ..EmailAccountDraft::default()
    };
    let account = match desk.create_email_account(&admin, draft(143)).await {
        Ok(a) => a.account.id,
        Err(e) => fail("mailbox", e),
    };

    // 1. The desk path.
    let mails: Arc<Vec<Vec<u8>>> = Arc::new((0..n).map(|i| mail("desk", i, n)).collect());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let (desk, mails, account) = (desk.clone(), mails.clone(), account.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut outcomes = [0usize; 3];
            // Each task takes every C-th mail in order: the replies (the last third) come long
            // after the mails they answer.
            let mut i = w;
            while i < mails.len() {
                let t = Instant::now();
                let receipt = desk.receive_mail(&account, &mails[i]).await?;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                match receipt.outcome {
                    InboundOutcome::Created => outcomes[0] += 1,
                    InboundOutcome::Joined => outcomes[1] += 1,
                    _ => outcomes[2] += 1,
                }
                i += concurrency;
            }
            Ok::<_, kefu_model::DomainError>((latencies, outcomes))
        }));
    }
    let mut latencies = Vec::new();
    let mut outcomes = [0usize; 3];
    for t in tasks {
        match t.await {
            Ok(Ok((l, o))) => {
                latencies.extend(l);
                for k in 0..3 {
                    outcomes[k] += o[k];
                }
            }
            Ok(Err(e)) => fail("receive_mail", e),
            Err(e) => fail("task", e),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    println!(
        "desk path: {n} mails in {secs:.2} s = {:.0} mails/s ({concurrency} tasks; {} new cases, {} joined, {} other); latency p50 {:.2} ms, p99 {:.2} ms",
        n as f64 / secs,
        outcomes[0],
        outcomes[1],
        outcomes[2],
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99)
    );

    // 2. The IMAP path, against a real Dovecot.
    if by_imap == 0 {
        return;
    }
    let Some(server) = (!kefu_test_mailservers::skip_requested()
        && std::path::Path::new("/usr/sbin/dovecot").exists())
    .then(kefu_test_mailservers::start_dovecot)
    .flatten() else {
        println!("imap path: skipped (no /usr/sbin/dovecot)");
        return;
    };
    for i in 0..by_imap {
        server.deliver(&format!("{i}.mail"), &mail("imap", i, by_imap));
    }
    let imap = kefu_mailbox::ImapAccount {
        port: server.port(),
        security: kefu_mailbox::ImapSecurity::Plain,
        max_batch: 500,
        timeout: Duration::from_secs(60),
        ..kefu_mailbox::ImapAccount::new(
            "127.0.0.1",
            kefu_test_mailservers::USER,
            kefu_test_mailservers::PASSWORD,
        )
    };
    let started = Instant::now();
    let mut position = None;
    let mut taken = 0usize;
    let mut fetch_secs = 0.0;
    loop {
        let t = Instant::now();
        let batch = match kefu_mailbox::fetch_new(&imap, position).await {
            Ok(b) => b,
            Err(e) => fail("fetch", e),
        };
        fetch_secs += t.elapsed().as_secs_f64();
        // As the reader does: the batch's mails one after another, in UID order.
        for m in &batch.mails {
            if let Err(e) = desk.receive_mail(&account, &m.raw).await {
                fail("receive_mail", e);
            }
            taken += 1;
        }
        position = Some(batch.position);
        if !batch.more {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "imap path: {taken} mails fetched from Dovecot and taken in, one reader, in {secs:.2} s = {:.0} mails/s (of which fetching {fetch_secs:.2} s = {:.0} mails/s)",
        taken as f64 / secs,
        taken as f64 / fetch_secs
    );
    let _ = std::fs::remove_dir_all(&dir);
}
