//! Folding away the earlier mail a reply quotes, so the desk shows what is new.

/// A mail's text split into what the sender wrote now and the earlier mail it quotes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FoldedText {
    /// What is new; the whole text when folding would leave nothing.
    pub reply: String,
    /// The quoted earlier mail, with its attribution line (`On … wrote:`); empty when none.
    pub quoted: String,
}

/// How many lines after `On …` the `wrote:` may come (clients wrap long attributions).
const ATTRIBUTION_SPAN: usize = 3;
/// How many lines after `From:` the `Sent:`/`Date:` of a header block may come.
const HEADER_BLOCK_SPAN: usize = 4;
/// An attribution is a line, not a paragraph.
const ATTRIBUTION_MAX_CHARS: usize = 300;

/// Splits `text` at the start of the quoted earlier mail. What starts a quote:
/// - an attribution: `On … wrote:` (possibly wrapped over a few lines), `在 … 写道：` and
///   `… 于 … 写道：`;
/// - a separator: `-----Original Message-----`, `------------------ 原始邮件 ------------------`
///   (any run of dashes, any case), or a line of underscores followed by a `From:` block;
/// - a header block: `From:`/`发件人：` followed closely by `Sent:`/`Date:`/`发送时间：`/`日期：`;
/// - `>` lines at the end of the text (bottom of a top-posted reply) or at its start (a
///   bottom-posted reply). `>` lines between paragraphs of new text are an interleaved answer
///   and stay: without them the answers lose what they answer.
///
/// Everything from the first quote start on is quoted. When folding would leave no new text
/// (a bare forward), nothing is folded: the desk must not show an empty message.
pub fn fold_quote(text: &str) -> FoldedText {
    let normalised = normalise_newlines(text);
    let lines: Vec<&str> = normalised.split('\n').collect();

    // A bottom-posted reply opens with the attribution and its `>` lines; the quote that
    // follows the new text is looked for after them.
    let attributed_end = opening_attribution_end(&lines).unwrap_or(0);
    let cut = (attributed_end..lines.len())
        .find_map(|i| quote_starts_at(&lines, i))
        .unwrap_or(lines.len());
    let (before_cut, tail) = lines.split_at(cut);
    let (attributed, mut head) = before_cut.split_at(attributed_end);

    // A trailing block of `>` lines (blank lines allowed inside it).
    let last_content = head.iter().rposition(|l| !l.trim().is_empty());
    let mut trailing_start = head.len();
    if let Some(last) = last_content
        && is_quote_line(head[last])
    {
        let mut start = last;
        while start > 0 && (is_quote_line(head[start - 1]) || head[start - 1].trim().is_empty()) {
            start -= 1;
        }
        trailing_start = start;
    }
    let trailing = &head[trailing_start..];
    head = &head[..trailing_start];

    // A leading block of `>` lines, when new text follows it.
    let mut leading_end = 0;
    if head
        .iter()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| is_quote_line(l))
    {
        while leading_end < head.len()
            && (is_quote_line(head[leading_end]) || head[leading_end].trim().is_empty())
        {
            leading_end += 1;
        }
    }
    let leading = &head[..leading_end];
    let new_lines = &head[leading_end..];

    let reply = join_trimmed(new_lines);
    if reply.is_empty() {
        return FoldedText {
            reply: normalised.trim().to_string(),
            quoted: String::new(),
        };
    }
    let quoted_parts: Vec<String> = [attributed, leading, trailing, tail]
        .iter()
        .map(|part| join_trimmed(part))
        .filter(|part| !part.is_empty())
        .collect();
    FoldedText {
        reply,
        quoted: quoted_parts.join("\n"),
    }
}

fn normalise_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The lines without the blank ones around them and without trailing spaces.
fn join_trimmed(lines: &[&str]) -> String {
    let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return String::new();
    };
    let last = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .unwrap_or(first);
    lines[first..=last]
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_quote_line(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// Where the quote starts if line `i` begins one: `i` itself, or the underscore line before a
/// header block.
fn quote_starts_at(lines: &[&str], i: usize) -> Option<usize> {
    let line = lines[i].trim();
    if line.is_empty() {
        return None;
    }
    if is_separator(line) || is_attribution(lines, i) {
        return Some(i);
    }
    if is_header_block(lines, i) {
        let underscores_before = i > 0 && is_underscore_rule(lines[i - 1].trim());
        return Some(if underscores_before { i - 1 } else { i });
    }
    None
}

/// `-----Original Message-----`, `----- Original Message -----`,
/// `------------------ 原始邮件 ------------------` and their kin.
fn is_separator(line: &str) -> bool {
    let leading_dashes = line.chars().take_while(|&c| c == '-').count();
    if leading_dashes < 2 {
        return false;
    }
    let inner = line.trim_matches(|c: char| c == '-' || c.is_whitespace());
    let inner = inner.to_lowercase();
    matches!(
        inner.as_str(),
        "original message"
            | "原始邮件"
            | "原始郵件"
            | "原邮件"
            | "原始信件"
            // Forwards: Gmail, 163/126 webmail, Gmail in Chinese.
            | "forwarded message"
            | "转发邮件信息"
            | "转发的邮件"
    )
}

fn is_underscore_rule(line: &str) -> bool {
    line.len() >= 10 && line.chars().all(|c| c == '_')
}

fn ends_with_wrote(line: &str) -> bool {
    let line = line.trim_end();
    let lower = line.to_lowercase();
    lower.ends_with("wrote:") || line.ends_with("写道：") || line.ends_with("写道:")
}

/// `On Tue, 24 Nov 2026 at 10:00, 张三 <a@b.com> wrote:` (maybe wrapped), `在 2026年11月24日
/// 10:00，张三 写道：`, `张三 <a@b.com> 于2026年11月24日周二 10:00写道：`.
fn is_attribution(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    if line.chars().count() > ATTRIBUTION_MAX_CHARS {
        return false;
    }
    let chinese = line.ends_with("写道：") || line.ends_with("写道:");
    if chinese && (line.starts_with('在') || line.contains('于')) {
        return true;
    }
    if !line.starts_with("On ") {
        return false;
    }
    lines[i..]
        .iter()
        .take(ATTRIBUTION_SPAN)
        .take_while(|l| !l.trim().is_empty())
        .any(|l| ends_with_wrote(l))
}

/// When the text opens (after blank lines) with an attribution followed by `>` lines and then
/// new text, the index of the first line after those `>` lines.
fn opening_attribution_end(lines: &[&str]) -> Option<usize> {
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    if !is_attribution(lines, first) {
        return None;
    }
    let wrote = (first..lines.len())
        .take(ATTRIBUTION_SPAN)
        .find(|&i| ends_with_wrote(lines[i]))?;
    let mut end = wrote + 1;
    while end < lines.len() && (is_quote_line(lines[end]) || lines[end].trim().is_empty()) {
        end += 1;
    }
    let quotes_something = lines[wrote + 1..end].iter().any(|l| is_quote_line(l));
    (quotes_something && end < lines.len()).then_some(end)
}

fn header_label(line: &str) -> Option<&str> {
    let (label, _) = line.split_once([':', '：'])?;
    Some(label.trim())
}

/// An Outlook/Foxmail block: `From: …` then `Sent: …`/`Date: …` (or `发件人：`, `发送时间：`).
fn is_header_block(lines: &[&str], i: usize) -> bool {
    let from_labels = ["From", "发件人", "寄件者"];
    let when_labels = [
        "Sent",
        "Date",
        "发送时间",
        "发送日期",
        "日期",
        "时间",
        "寄件日期",
    ];
    let is_from = header_label(lines[i].trim())
        .is_some_and(|label| from_labels.iter().any(|f| f.eq_ignore_ascii_case(label)));
    if !is_from {
        return false;
    }
    lines[i + 1..]
        .iter()
        .take(HEADER_BLOCK_SPAN)
        .take_while(|l| !l.trim().is_empty())
        .any(|l| {
            header_label(l.trim())
                .is_some_and(|label| when_labels.iter().any(|w| w.eq_ignore_ascii_case(label)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_fold_keeps_the_text() {
        let folded = fold_quote("你好，我的快递三天没动了。\n\n谢谢");
        assert_eq!(folded.reply, "你好，我的快递三天没动了。\n\n谢谢");
        assert_eq!(folded.quoted, "");
    }

    #[test]
    fn crlf_is_read_as_newlines() {
        let folded = fold_quote("new\r\n\r\nOn Mon, 1 Jan 2026, A <a@b.cn> wrote:\r\n> old\r\n");
        assert_eq!(folded.reply, "new");
        assert_eq!(
            folded.quoted,
            "On Mon, 1 Jan 2026, A <a@b.cn> wrote:\n> old"
        );
    }

    #[test]
    fn a_bottom_posted_reply_keeps_the_text_after_the_opening_quote() {
        let folded = fold_quote("On 2026/11/27 14:05, A wrote:\n> when?\n\ntomorrow\n");
        assert_eq!(folded.reply, "tomorrow");
        assert_eq!(folded.quoted, "On 2026/11/27 14:05, A wrote:\n> when?");
    }

    #[test]
    fn a_forward_under_a_note_is_folded_at_its_separator() {
        let folded = fold_quote(
            "看下面\n\n-------- 转发邮件信息 --------\n发件人：卖家\n发送日期：2026-11-25\n\n已发货",
        );
        assert_eq!(folded.reply, "看下面");
        assert!(folded.quoted.starts_with("-------- 转发邮件信息"));
    }
}
