//! Folding the quoted earlier mail away, in the formats of the clients customers use.

use kefu_mail::{FoldedText, fold_quote};

fn folded(text: &str) -> (String, String) {
    let FoldedText { reply, quoted } = fold_quote(text);
    (reply, quoted)
}

#[test]
fn gmail_english_attribution_even_when_wrapped() {
    let (reply, quoted) = folded(
        "Thanks, got it.\n\nOn Tue, Nov 24, 2026 at 10:00 AM Yunlu Support <\nkefu@yunlu.example> wrote:\n\n> Your case KF20261124000001 is open.\n",
    );
    assert_eq!(reply, "Thanks, got it.");
    assert!(quoted.starts_with("On Tue, Nov 24, 2026 at 10:00 AM Yunlu Support <"));
    assert!(quoted.ends_with("> Your case KF20261124000001 is open."));
}

#[test]
fn chinese_attributions_of_gmail_and_apple_mail() {
    for attribution in [
        "在 2026年11月24日 上午10:00，云路客服 <kefu@yunlu.example> 写道：",
        "云路客服 <kefu@yunlu.example> 于2026年11月24日周二 10:00写道：",
        "在 2026/11/24 10:00, kefu@yunlu.example 写道:",
    ] {
        let text = format!("好的，收到了。\n\n{attribution}\n> 您好，已受理。\n");
        let (reply, quoted) = folded(&text);
        assert_eq!(reply, "好的，收到了。", "{attribution}");
        assert_eq!(quoted, format!("{attribution}\n> 您好，已受理。"));
    }
}

#[test]
fn outlook_and_qq_separators() {
    for separator in [
        "-----Original Message-----",
        "----- Original Message -----",
        "-----original message-----",
        "------------------ 原始邮件 ------------------",
        "-------- 原始邮件 --------",
    ] {
        let text = format!(
            "请再帮我看看。\n\n{separator}\n发件人: \"云路客服\"<kefu@yunlu.example>;\n发送时间: 2026年11月24日(星期二) 上午10:00\n主题: 已受理\n\n您好\n"
        );
        let (reply, quoted) = folded(&text);
        assert_eq!(reply, "请再帮我看看。", "{separator}");
        assert!(quoted.starts_with(separator), "{separator}");
        assert!(quoted.ends_with("您好"));
    }
}

#[test]
fn outlook_header_blocks_with_or_without_an_underscore_rule() {
    let (reply, quoted) = folded(
        "Please call me.\n\n________________________________\nFrom: Yunlu Support <kefu@yunlu.example>\nSent: Tuesday, November 24, 2026 10:00 AM\nTo: Zhang San\nSubject: Case opened\n\nHello\n",
    );
    assert_eq!(reply, "Please call me.");
    assert!(quoted.starts_with("________________________________\nFrom: Yunlu Support"));

    let (reply, quoted) = folded(
        "请尽快处理\n\n发件人：云路客服 <kefu@yunlu.example>\n日期：2026年11月24日 星期二 10:00\n收件人：张三\n主题：已受理\n\n您好\n",
    );
    assert_eq!(reply, "请尽快处理");
    assert!(quoted.starts_with("发件人：云路客服"));
}

#[test]
fn a_from_line_alone_is_not_a_quote() {
    let text = "From: 上海 to 北京, how long?\nThanks";
    assert_eq!(folded(text), (text.to_string(), String::new()));
    let text = "On Monday I was not home.\nPlease deliver again.";
    assert_eq!(folded(text), (text.to_string(), String::new()));
    let text = "-----\n分隔线之后的内容\n-----";
    assert_eq!(folded(text), (text.to_string(), String::new()));
}

#[test]
fn trailing_and_leading_angle_quotes_fold_interleaved_ones_stay() {
    let (reply, quoted) = folded("收到，谢谢\n\n> 您好，已为您登记。\n>\n> 云路客服\n");
    assert_eq!(reply, "收到，谢谢");
    assert_eq!(quoted, "> 您好，已为您登记。\n>\n> 云路客服");

    let (reply, quoted) = folded("\n\n> 请提供运单号\n\nYL1234567890128\n");
    assert_eq!(reply, "YL1234567890128");
    assert_eq!(quoted, "> 请提供运单号");

    let interleaved = "> 请提供运单号\nYL1234567890128\n> 请提供电话\n13800138000";
    let (reply, quoted) = folded(interleaved);
    assert_eq!(reply, "YL1234567890128\n> 请提供电话\n13800138000");
    assert_eq!(quoted, "> 请提供运单号");
}

#[test]
fn a_bare_forward_is_not_folded_to_nothing() {
    let text = "-----Original Message-----\nFrom: a@b.cn\nSent: today\n\n我的快递丢了\n";
    let (reply, quoted) = folded(text);
    assert_eq!(reply, text.trim());
    assert_eq!(quoted, "");
    let only_quotes = "> 全是引用\n> 没有新内容";
    assert_eq!(
        folded(only_quotes),
        (only_quotes.to_string(), String::new())
    );
}

#[test]
fn only_the_first_quote_start_cuts() {
    let (reply, quoted) = folded(
        "新的内容\n\nOn Mon, 23 Nov 2026, A <a@b.cn> wrote:\n> 旧的\n> On Sun, B wrote:\n>> 更旧的\n",
    );
    assert_eq!(reply, "新的内容");
    assert!(quoted.ends_with(">> 更旧的"));
}
