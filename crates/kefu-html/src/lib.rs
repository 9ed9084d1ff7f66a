//! HTML that is safe to put in a page, as one type: [`SafeHtml`]. Its text can only come from
//! this crate's three builders — [`SafeHtml::escape`] (plain text), [`markdown::to_html`]
//! (knowledge-base Markdown, sanitised) and [`highlight`] (a search snippet with its matches
//! marked) — so a template that prints a `SafeHtml` unescaped cannot be handed a user's raw
//! string by mistake. Plain text stays `String` and is escaped by the template as usual.

pub mod markdown;

use std::fmt;
use std::ops::Range;

/// A piece of HTML built by this crate. The field is private: there is no way to wrap an
/// arbitrary string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SafeHtml(String);

impl SafeHtml {
    /// Plain text, escaped.
    pub fn escape(text: &str) -> SafeHtml {
        let mut out = String::with_capacity(text.len());
        push_escaped(&mut out, text);
        SafeHtml(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for SafeHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The API sends the HTML as a string (e.g. a search hit's `snippet`).
impl serde::Serialize for SafeHtml {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(feature = "askama")]
impl askama::filters::HtmlSafe for SafeHtml {}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// `fragment` escaped, with the byte ranges in `marked` (sorted, not overlapping, on character
/// boundaries — what a search engine reports) wrapped in `<mark>`; ranges that touch become one
/// mark, so 破 + 了 reads as one highlighted 破了. A range out of bounds or off a character
/// boundary is left unmarked rather than cutting a character.
pub fn highlight(fragment: &str, marked: &[Range<usize>]) -> SafeHtml {
    let mut out = String::with_capacity(fragment.len() + marked.len() * 13);
    let mut at = 0;
    let mut open_until: Option<usize> = None;
    for range in marked {
        let valid = range.start >= at
            && range.start < range.end
            && fragment.get(range.start..range.end).is_some();
        if !valid {
            continue;
        }
        match open_until {
            Some(end) if end == range.start => {}
            Some(end) => {
                out.push_str("</mark>");
                push_escaped(&mut out, &fragment[end..range.start]);
                out.push_str("<mark>");
            }
            None => {
                push_escaped(&mut out, &fragment[at..range.start]);
                out.push_str("<mark>");
            }
        }
        push_escaped(&mut out, &fragment[range.clone()]);
        open_until = Some(range.end);
        at = range.end;
    }
    if open_until.is_some() {
        out.push_str("</mark>");
    }
    push_escaped(&mut out, &fragment[at..]);
    SafeHtml(out)
}

/// The start of `text` (at most `max_chars` characters, `…` when cut), escaped.
pub fn excerpt(text: &str, max_chars: usize) -> SafeHtml {
    let mut chars = text.trim().chars();
    let start: String = chars.by_ref().take(max_chars).collect();
    let mut html = SafeHtml::escape(&start);
    if chars.next().is_some() {
        html.0.push('…');
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            SafeHtml::escape(r#"<a href="x">'&'</a>"#).as_str(),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn highlights_are_marked_escaped_and_joined() {
        let text = "外包装<b>破了</b>，里面碎了";
        let po = text.find('破').unwrap();
        let le = text.find('了').unwrap();
        let sui = text.find('碎').unwrap();
        let html = highlight(text, &[po..po + 3, le..le + 3, sui..sui + 3]);
        assert_eq!(
            html.as_str(),
            "外包装&lt;b&gt;<mark>破了</mark>&lt;/b&gt;，里面<mark>碎</mark>了"
        );
    }

    #[test]
    fn bad_ranges_are_ignored_not_cut() {
        // Inside a character, past the end: skipped; the valid range still marks.
        let html = highlight("破损", &[1..2, 3..99]);
        assert_eq!(html.as_str(), "破损");
        let html = highlight("破损", &[1..2, 0..3, 2..4]);
        assert_eq!(html.as_str(), "<mark>破</mark>损");
        assert_eq!(highlight("ab", &[]).as_str(), "ab");
    }

    #[test]
    fn excerpts_are_cut_and_escaped() {
        assert_eq!(excerpt("  <x>abc ", 2).as_str(), "&lt;x…");
        assert_eq!(excerpt("ab", 2).as_str(), "ab");
    }

    #[test]
    fn it_serialises_as_a_string() {
        let json = serde_json::to_string(&SafeHtml::escape("<")).unwrap();
        assert_eq!(json, "\"&lt;\"");
    }
}
