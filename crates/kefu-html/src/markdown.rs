//! Knowledge-base Markdown (CommonMark with tables) as HTML that is safe to put in a page.
//! Articles are written by staff, but a page shown to the public must not depend on every
//! writer being careful: raw HTML is shown as text, links go only to our own paths, to
//! http(s) or to mail, and images only come from our own host.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::SafeHtml;

/// A link target we let through: a path on this site, a web address, or an e-mail address.
fn safe_link(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    is_local_path(url)
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
}

/// `/…` on this host; `//host` and `/\host` would leave it (browsers read `\` as `/`). Also
/// what the console may redirect to (`ui::local_path`).
pub fn is_local_path(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//") && !url.contains('\\')
}

/// Renders `markdown` to HTML.
pub fn to_html(markdown: &str) -> SafeHtml {
    // Each open link or image, whether it was kept (so its end is kept or dropped with it).
    let mut open: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).filter_map(|event| {
        match event {
            // Raw HTML becomes visible text; the writer escapes it.
            Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
            // A raw HTML block is shown as a paragraph of its text.
            Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
            Event::Start(Tag::Link { ref dest_url, .. }) => {
                let keep = safe_link(dest_url);
                open.push(keep);
                keep.then_some(event)
            }
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                // Without the image, its alt text stays as plain text.
                let keep = is_local_path(dest_url.trim());
                open.push(keep);
                keep.then_some(event)
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                open.pop().unwrap_or(false).then_some(event)
            }
            other => Some(other),
        }
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    SafeHtml(html)
}

#[cfg(test)]
mod tests {
    fn to_html(markdown: &str) -> String {
        super::to_html(markdown).to_string()
    }

    #[test]
    fn markdown_becomes_html_with_tables() {
        let html =
            to_html("## 要求\n\n- **100Wh** 以下\n\n| 重量 | 价格 |\n|---|---|\n| 1kg | 12 |\n");
        assert!(html.contains("<h2>要求</h2>"), "{html}");
        assert!(html.contains("<strong>100Wh</strong>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<td>12</td>"), "{html}");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        for md in [
            "<script>alert(1)</script>",
            "hello <img src=x onerror=alert(1)> world",
            "<div onclick=\"alert(1)\">\nblock\n</div>",
            "<iframe src=\"https://evil.example\"></iframe>",
        ] {
            let html = to_html(md);
            for tag in ["<script", "<img", "<div", "<iframe"] {
                assert!(!html.contains(tag), "{md} → {html}");
            }
            assert!(html.contains("&lt;"), "{md} → {html}");
        }
    }

    #[test]
    fn only_safe_links_are_kept() {
        for (md, kept) in [
            ("[聊天](/portal/chat)", true),
            ("[site](https://example.com/a?b=1)", true),
            ("[site](HTTP://example.com)", true),
            ("[mail](mailto:help@example.com)", true),
            ("[x](javascript:alert(1))", false),
            ("[x](JavaScript:alert(1))", false),
            ("[x](data:text/html;base64,PHNjcmlwdD4=)", false),
            ("[x](vbscript:msgbox)", false),
            ("[x](//evil.example/path)", false),
            ("[x](/\\evil.example)", false),
            ("<javascript:alert(1)>", false),
            ("[x][r]\n\n[r]: javascript:alert(1)", false),
        ] {
            let html = to_html(md);
            assert_eq!(html.contains("<a "), kept, "{md} → {html}");
            assert!(
                !html.to_lowercase().contains("javascript:alert(1)\""),
                "{html}"
            );
            if !kept && !md.starts_with('<') {
                assert!(html.contains('x'), "the text stays: {html}");
            }
        }
    }

    #[test]
    fn images_only_from_this_host() {
        let html = to_html("![盒子](https://evil.example/track.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("盒子"), "the alt text stays: {html}");
        let html = to_html("![盒子](//evil.example/track.png)");
        assert!(!html.contains("<img"), "{html}");
        let html = to_html("![盒子](/assets/box.png)");
        assert!(html.contains("<img src=\"/assets/box.png\""), "{html}");
    }

    #[test]
    fn link_titles_and_text_are_escaped() {
        let html = to_html("[a\"b](/x \"t\\\"onmouseover=alert(1)\")");
        assert!(!html.contains("\"onmouseover"), "{html}");
        let html = to_html("`<b>`");
        assert!(html.contains("<code>&lt;b&gt;</code>"), "{html}");
    }
}
