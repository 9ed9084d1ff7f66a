//! The knowledge base (知识库), pure: what an article is (Markdown in Chinese and/or English,
//! a category, tags, an audience, an owner, a review-by date, the bot intents it answers), how
//! a draft is checked, what the bot quotes of it, feedback, and the gaps report built from
//! questions that found nothing good. No I/O; the use cases are in `knowledge.rs`.
//!
//! Every save is a new version: the store keeps each version's whole article, so history is
//! complete and any version can be read back or restored (by saving it again).

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::UserId;
use crate::nlu::Intent;
use crate::string_enum::string_enum;

pub const TITLE_MAX: usize = 120;

pub const BODY_MAX: usize = 20_000;

pub const TAGS_MAX: usize = 10;

pub const TAG_MAX: usize = 20;

pub const NOTE_MAX: usize = 200;

pub const COMMENT_MAX: usize = 500;

/// What the bot quotes: the first paragraph, at most this many characters.
pub const SUMMARY_MAX: usize = 160;

/// A review is due this long after a save without a review-by date, and after a review.
pub const REVIEW_DAYS: i32 = 180;

/// Gap questions kept per report line's examples.
const GAP_QUESTION_MAX: usize = 100;

string_enum!(
    /// Who may read an article: anyone (the portal's help centre, the bot), or staff only.
    ArticleAudience { Public => "public", Internal => "internal" }
);

string_enum!(
    /// Where a question that found nothing good was asked.
    GapSource { Portal => "portal", Console => "console", Bot => "bot" }
);

/// One language's version of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleText {
    pub title: String,
    /// CommonMark. Raw HTML in it is shown as text, never as HTML.
    pub body: String,
}

/// An article as stored: each save stores the whole article again as a new version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// A UUIDv7, or `seed-…` for the articles kefu ships.
    pub id: String,
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub audience: ArticleAudience,
    /// Who keeps it current; `None` for a shipped article nobody has taken on yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<UserId>,
    pub review_by: Date,
    /// The bot intents it answers (the bot prefers these articles for those intents).
    #[serde(default)]
    pub intents: Vec<Intent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<ArticleText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<ArticleText>,
    /// Archived articles are kept with their history but neither listed nor found.
    #[serde(default)]
    pub archived: bool,
    /// 1 for the first save, one more for each save after it.
    pub version: i64,
    /// What this version changed, as its author said.
    #[serde(default)]
    pub change_note: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

impl Article {
    /// The text in the wanted language, or the other one when it has none.
    pub fn text(&self, en: bool) -> &ArticleText {
        let (first, second) = if en {
            (&self.en, &self.zh)
        } else {
            (&self.zh, &self.en)
        };
        // A checked article has at least one of them.
        first.as_ref().or(second.as_ref()).unwrap_or(&EMPTY_TEXT)
    }

    pub fn title(&self, en: bool) -> &str {
        &self.text(en).title
    }

    /// True when its review-by date has passed on `today` (a local date).
    pub fn review_overdue(&self, today: Date) -> bool {
        !self.archived && self.review_by < today
    }

    pub fn is_public(&self) -> bool {
        self.audience == ArticleAudience::Public && !self.archived
    }

    /// What the search index reads: both languages' titles, bodies as plain text, and tags.
    pub fn search_body(&self) -> String {
        let mut out = String::new();
        for text in [&self.zh, &self.en].into_iter().flatten() {
            out.push_str(&plain_text(&text.body));
            out.push('\n');
        }
        if let Some(en) = &self.en
            && self.zh.is_some()
        {
            out.push_str(&en.title);
            out.push('\n');
        }
        out.push_str(&self.tags.join(" "));
        out
    }

    /// The first paragraph as plain text, cut at [`SUMMARY_MAX`] characters: what the bot
    /// quotes.
    pub fn summary(&self, en: bool) -> String {
        summary_of(&self.text(en).body)
    }
}

static EMPTY_TEXT: ArticleText = ArticleText {
    title: String::new(),
    body: String::new(),
};

/// Markdown as plain text: the words without the markup, blocks on their own lines.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock,
            ) => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The first paragraph (or list item, or whatever block comes first) of `markdown`.
pub fn summary_of(markdown: &str) -> String {
    let text = plain_text(markdown);
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    cut(first, SUMMARY_MAX)
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// A category of the help centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleCategory {
    /// `[a-z0-9_]`, at most 32 characters.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

impl ArticleCategory {
    pub fn name(&self, en: bool) -> &str {
        if en { &self.name_en } else { &self.name_zh }
    }
}

/// The help centre's categories: the `kb_categories` setting, or the built-in ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Categories(pub Vec<ArticleCategory>);

impl Default for Categories {
    fn default() -> Self {
        Categories(builtin_categories())
    }
}

/// The categories an installation starts with (the `kb_categories` setting replaces them).
pub fn builtin_categories() -> Vec<ArticleCategory> {
    [
        ("tracking", "查件与物流", "Tracking"),
        ("sending", "寄件与取件", "Sending and pickup"),
        (
            "prohibited",
            "禁寄与限寄",
            "Prohibited and restricted items",
        ),
        ("pricing", "运费与时效", "Prices and delivery times"),
        ("delivery", "派送与签收", "Delivery"),
        ("claims", "理赔与保价", "Claims and insurance"),
        ("account", "发票与账户", "Invoices and accounts"),
        ("service", "服务与联系", "Service and contact"),
        ("internal", "内部规范", "Internal guidelines"),
    ]
    .into_iter()
    .map(|(code, zh, en)| ArticleCategory {
        code: code.into(),
        name_zh: zh.into(),
        name_en: en.into(),
    })
    .collect()
}

/// Checks a replacement list of categories: codes well-formed and unique, names given.
pub fn check_categories(list: &[ArticleCategory]) -> Result<(), DomainError> {
    if list.is_empty() || list.len() > 50 {
        return Err(DomainError::invalid("categories", "between 1 and 50"));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, c) in list.iter().enumerate() {
        let field = |f: &str| format!("categories[{i}].{f}");
        if c.code.is_empty()
            || c.code.len() > 32
            || !c
                .code
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        {
            return Err(DomainError::invalid(
                field("code"),
                "1 to 32 of a-z, 0-9 and _",
            ));
        }
        if !seen.insert(c.code.as_str()) {
            return Err(DomainError::invalid(field("code"), "appears twice"));
        }
        for (f, name) in [("name_zh", &c.name_zh), ("name_en", &c.name_en)] {
            let n = name.trim().chars().count();
            if n == 0 || n > 30 || name.chars().any(char::is_control) {
                return Err(DomainError::invalid(field(f), "1 to 30 characters"));
            }
        }
    }
    Ok(())
}

/// What a writer sends to create or change an article (every field, as on a form).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleDraft {
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub audience: String,
    /// A username; absent keeps the current owner (the writer for a new article).
    #[serde(default)]
    pub owner: Option<String>,
    /// Absent: [`REVIEW_DAYS`] after today.
    #[serde(default)]
    pub review_by: Option<Date>,
    #[serde(default)]
    pub intents: Vec<String>,
    #[serde(default)]
    pub zh: Option<ArticleText>,
    #[serde(default)]
    pub en: Option<ArticleText>,
    #[serde(default)]
    pub change_note: Option<String>,
    /// The version the writer started from: a save over someone else's newer version is
    /// refused instead of silently undoing it. Required when changing an article.
    #[serde(default)]
    pub base_version: Option<i64>,
}

/// A draft's fields once checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedDraft {
    pub category: String,
    pub tags: Vec<String>,
    pub audience: ArticleAudience,
    pub review_by: Option<Date>,
    pub intents: Vec<Intent>,
    pub zh: Option<ArticleText>,
    pub en: Option<ArticleText>,
    pub change_note: String,
}

fn check_line(field: &str, text: &str, max: usize) -> Result<String, DomainError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(DomainError::invalid(field, "must be one line of text"));
    }
    Ok(t.to_string())
}

fn check_text(lang: &str, text: &ArticleText) -> Result<ArticleText, DomainError> {
    let title = check_line(&format!("{lang}.title"), &text.title, TITLE_MAX)?;
    let body = text.body.replace("\r\n", "\n");
    let field = format!("{lang}.body");
    if body.trim().is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if body.chars().count() > BODY_MAX {
        return Err(DomainError::invalid(
            field,
            format!("at most {BODY_MAX} characters"),
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(DomainError::invalid(field, "contains control characters"));
    }
    Ok(ArticleText {
        title,
        body: body.trim_end().to_string(),
    })
}

/// Checks a draft against the known categories.
pub fn check_draft(
    draft: &ArticleDraft,
    categories: &[ArticleCategory],
) -> Result<CheckedDraft, DomainError> {
    if !categories.iter().any(|c| c.code == draft.category) {
        return Err(DomainError::invalid("category", "not a known category"));
    }
    let audience = ArticleAudience::parse(&draft.audience)
        .ok_or_else(|| DomainError::invalid("audience", "public or internal"))?;
    let zh = draft.zh.as_ref().map(|t| check_text("zh", t)).transpose()?;
    let en = draft.en.as_ref().map(|t| check_text("en", t)).transpose()?;
    if zh.is_none() && en.is_none() {
        return Err(DomainError::invalid(
            "zh",
            "an article needs a Chinese or an English version",
        ));
    }
    if draft.tags.len() > TAGS_MAX {
        return Err(DomainError::invalid("tags", format!("at most {TAGS_MAX}")));
    }
    let mut tags: Vec<String> = Vec::new();
    for (i, tag) in draft.tags.iter().enumerate() {
        let tag = check_line(&format!("tags[{i}]"), tag, TAG_MAX)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let mut intents = Vec::new();
    for (i, name) in draft.intents.iter().enumerate() {
        let intent = Intent::parse(name.trim())
            .ok_or_else(|| DomainError::invalid(format!("intents[{i}]"), "not a bot intent"))?;
        if !intents.contains(&intent) {
            intents.push(intent);
        }
    }
    let change_note = match draft.change_note.as_deref().map(str::trim) {
        None | Some("") => String::new(),
        Some(note) => check_line("change_note", note, NOTE_MAX)?,
    };
    Ok(CheckedDraft {
        category: draft.category.clone(),
        tags,
        audience,
        review_by: draft.review_by,
        intents,
        zh,
        en,
        change_note,
    })
}

/// "Was this helpful?" from a reader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleFeedback {
    /// A UUIDv7.
    pub id: String,
    pub article_id: String,
    pub helpful: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub source: GapSource,
    pub at: Timestamp,
}

/// Checks a reader's comment (optional, one short text).
pub fn check_comment(comment: Option<&str>) -> Result<Option<String>, DomainError> {
    match comment.map(str::trim) {
        None | Some("") => Ok(None),
        Some(c) if c.chars().count() > COMMENT_MAX => Err(DomainError::invalid(
            "comment",
            format!("at most {COMMENT_MAX} characters"),
        )),
        Some(c) => Ok(Some(
            c.chars()
                .map(|ch| if ch.is_control() { ' ' } else { ch })
                .collect(),
        )),
    }
}

/// Helpful and not-helpful votes of one article.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackCounts {
    pub helpful: i64,
    pub not_helpful: i64,
}

/// A question that found nothing good: a search without hits, or a bot question without a
/// strong enough article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchGap {
    /// A UUIDv7.
    pub id: String,
    pub at: Timestamp,
    pub source: GapSource,
    /// As asked (trimmed, at most 100 characters).
    pub question: String,
    /// The best article found, when there was one that was not good enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_article_id: Option<String>,
}

impl SearchGap {
    pub fn new(
        id: String,
        at: Timestamp,
        source: GapSource,
        question: &str,
        best_article_id: Option<String>,
    ) -> Option<SearchGap> {
        let question: String = mask_long_numbers(question.trim())
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(GAP_QUESTION_MAX)
            .collect();
        (!normalize_question(&question).is_empty()).then_some(SearchGap {
            id,
            at,
            source,
            question,
            best_article_id,
        })
    }
}

/// Runs of 7 or more digits (phones, waybill numbers) become `#`s: the gaps report is about
/// questions, not about whose parcel they were.
fn mask_long_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 7 {
            out.push_str(&"#".repeat(run.chars().count()));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The form of a question the gaps report groups by: lower case, without spaces,
/// punctuation and the particles a question ends with (吗, 呢, 啊 …), so "充电宝能寄吗？" and
/// "充电宝能寄" are one line.
pub fn normalize_question(q: &str) -> String {
    let mut s: String = q
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    while let Some(last) = s.chars().last() {
        if "吗呢啊呀吧么嘛哈哦".contains(last) {
            s.pop();
        } else {
            break;
        }
    }
    s
}

/// One line of the gaps report: a question asked (in one form or another) and how often.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapLine {
    /// The most recent way it was asked.
    pub question: String,
    pub count: usize,
    pub sources: Vec<GapSource>,
    pub last_at: Timestamp,
    /// The article that came closest, if any did.
    pub best_article_id: Option<String>,
}

/// Groups gaps by their normalized question, most asked first (ties: most recent first).
pub fn gap_report(gaps: &[SearchGap], limit: usize) -> Vec<GapLine> {
    let mut lines: BTreeMap<String, GapLine> = BTreeMap::new();
    for gap in gaps {
        let key = normalize_question(&gap.question);
        let line = lines.entry(key).or_insert_with(|| GapLine {
            question: gap.question.clone(),
            count: 0,
            sources: Vec::new(),
            last_at: gap.at,
            best_article_id: None,
        });
        line.count += 1;
        if !line.sources.contains(&gap.source) {
            line.sources.push(gap.source);
            line.sources.sort();
        }
        if gap.at >= line.last_at {
            line.last_at = gap.at;
            line.question = gap.question.clone();
        }
        if gap.best_article_id.is_some() {
            line.best_article_id = gap.best_article_id.clone();
        }
    }
    let mut out: Vec<GapLine> = lines.into_values().collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_at.cmp(&a.last_at)));
    out.truncate(limit);
    out
}

/// A shipped article in its file format: `key: value` header lines (id, category, audience,
/// tags, intents), then `---zh` and `---en` sections whose first line is `# Title`.
pub fn parse_seed(source: &str, now: Timestamp, review_by: Date) -> Result<Article, String> {
    let mut header: BTreeMap<&str, &str> = BTreeMap::new();
    let mut sections: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut current: Option<&str> = None;
    for line in source.lines() {
        if let Some(lang) = line.strip_prefix("---") {
            current = Some(lang.trim());
            sections.entry(lang.trim()).or_default();
            continue;
        }
        match current {
            Some(lang) => sections.entry(lang).or_default().push(line),
            None if line.trim().is_empty() => {}
            None => {
                let (k, v) = line
                    .split_once(':')
                    .ok_or_else(|| format!("header line without a colon: {line}"))?;
                header.insert(k.trim(), v.trim());
            }
        }
    }
    let field = |k: &str| header.get(k).copied().unwrap_or("");
    let list = |k: &str| -> Vec<String> {
        field(k)
            .split([',', '，'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let text = |lang: &str| -> Result<Option<ArticleText>, String> {
        let Some(lines) = sections.get(lang) else {
            return Ok(None);
        };
        let mut lines = lines.iter().skip_while(|l| l.trim().is_empty());
        let title = lines
            .next()
            .and_then(|l| l.strip_prefix("# "))
            .ok_or_else(|| format!("the {lang} section does not start with '# Title'"))?;
        let body: Vec<&str> = lines.copied().collect();
        Ok(Some(ArticleText {
            title: title.trim().to_string(),
            body: body.join("\n").trim().to_string(),
        }))
    };
    let id = field("id");
    if !id.starts_with("seed-") {
        return Err(format!("a shipped article's id starts with seed-: {id}"));
    }
    let draft = ArticleDraft {
        category: field("category").to_string(),
        tags: list("tags"),
        audience: field("audience").to_string(),
        intents: list("intents"),
        zh: text("zh")?,
        en: text("en")?,
        ..ArticleDraft::default()
    };
    let checked = check_draft(&draft, &builtin_categories()).map_err(|e| format!("{id}: {e}"))?;
    Ok(Article {
        id: id.to_string(),
        category: checked.category,
        tags: checked.tags,
        audience: checked.audience,
        owner_id: None,
        review_by,
        intents: checked.intents,
        zh: checked.zh,
        en: checked.en,
        archived: false,
        version: 1,
        change_note: "随 kefu 提供 · shipped with kefu".to_string(),
        created_by: "system".to_string(),
        created_at: now,
        updated_by: "system".to_string(),
        updated_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ArticleDraft {
        ArticleDraft {
            category: "prohibited".into(),
            tags: vec!["锂电池".into(), " 锂电池 ".into(), "充电宝".into()],
            audience: "public".into(),
            intents: vec!["prohibited".into()],
            zh: Some(ArticleText {
                title: " 充电宝能寄吗？ ".into(),
                body: "可以寄，但有条件。\r\n\n## 要求\n- 额定能量不超过 **100Wh**\n".into(),
            }),
            ..ArticleDraft::default()
        }
    }

    #[test]
    fn a_draft_is_trimmed_deduplicated_and_checked() {
        let checked = check_draft(&draft(), &builtin_categories()).unwrap();
        assert_eq!(checked.zh.as_ref().unwrap().title, "充电宝能寄吗？");
        assert_eq!(checked.tags, ["锂电池", "充电宝"]);
        assert_eq!(checked.intents, [Intent::Prohibited]);
        assert!(!checked.zh.unwrap().body.contains('\r'));
        for (bad, field) in [
            (
                ArticleDraft {
                    category: "nope".into(),
                    ..draft()
                },
                "category",
            ),
            (
                ArticleDraft {
                    audience: "everyone".into(),
                    ..draft()
                },
                "audience",
            ),
            (
                ArticleDraft {
                    zh: None,
                    ..draft()
                },
                "zh",
            ),
            (
                ArticleDraft {
                    intents: vec!["weather".into()],
                    ..draft()
                },
                "intents[0]",
            ),
            (
                ArticleDraft {
                    en: Some(ArticleText {
                        title: "t".into(),
                        body: " ".into(),
                    }),
                    ..draft()
                },
                "en.body",
            ),
            (
                ArticleDraft {
                    tags: vec!["a\nb".into()],
                    ..draft()
                },
                "tags[0]",
            ),
        ] {
            match check_draft(&bad, &builtin_categories()) {
                Err(DomainError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_summary_is_the_first_paragraph_in_plain_text() {
        assert_eq!(
            summary_of("# 标题\n\n**可以寄**，但要满足[条件](/portal)。\n\n第二段"),
            "标题"
        );
        assert_eq!(
            summary_of("**可以寄**，但要满足[条件](/portal)。\n\n第二段"),
            "可以寄，但要满足条件。"
        );
        let long = "长".repeat(400);
        assert_eq!(summary_of(&long).chars().count(), SUMMARY_MAX);
        assert!(plain_text("<script>x</script> a").contains("script"));
    }

    #[test]
    fn questions_group_whatever_the_punctuation_and_particles() {
        assert_eq!(normalize_question("充电宝 能寄吗？"), "充电宝能寄");
        assert_eq!(normalize_question("Can I send a Drone?"), "canisendadrone");
        assert_eq!(normalize_question("？？"), "");
        let at = |s: i64| Timestamp::from_second(1_800_000_000 + s).unwrap();
        let gap =
            |s, q: &str, source| SearchGap::new(format!("g{s}"), at(s), source, q, None).unwrap();
        let report = gap_report(
            &[
                gap(1, "充电宝能寄吗", GapSource::Bot),
                gap(2, "明天天气", GapSource::Portal),
                gap(3, "充电宝 能寄吗？", GapSource::Portal),
            ],
            10,
        );
        assert_eq!(report.len(), 2);
        assert_eq!(report[0].count, 2);
        assert_eq!(report[0].question, "充电宝 能寄吗？");
        assert_eq!(report[0].sources, [GapSource::Portal, GapSource::Bot]);
        assert!(SearchGap::new("x".into(), at(0), GapSource::Bot, " ？ ", None).is_none());
        let masked = SearchGap::new(
            "y".into(),
            at(0),
            GapSource::Bot,
            "13800138000 寄 3 件",
            None,
        )
        .unwrap();
        assert_eq!(masked.question, "########### 寄 3 件");
    }

    #[test]
    fn a_seed_file_parses_into_a_checked_article() {
        let src = "id: seed-x\ncategory: prohibited\naudience: public\ntags: 锂电池, 充电宝\nintents: prohibited\n---zh\n# 充电宝能寄吗？\n\n可以，但有条件。\n---en\n# Power banks?\n\nYes, with conditions.\n";
        let today = Date::constant(2026, 12, 2);
        let a = parse_seed(src, Timestamp::UNIX_EPOCH, today).unwrap();
        assert_eq!(a.title(false), "充电宝能寄吗？");
        assert_eq!(a.title(true), "Power banks?");
        assert_eq!(a.summary(true), "Yes, with conditions.");
        assert_eq!(a.intents, [Intent::Prohibited]);
        assert!(!a.review_overdue(today));
        assert!(a.review_overdue(today.tomorrow().unwrap()));
        assert!(parse_seed("id: other\n", Timestamp::UNIX_EPOCH, today).is_err());
    }
}
