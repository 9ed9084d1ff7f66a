//! The knowledge base in the browser's HTML, over real HTTP: the public help centre (what the
//! public may read, search with its fallback, "was this helpful?") and the console's pages
//! (writing with versions, conflicts and rights, the gaps report).

use std::time::Duration;

use reqwest::StatusCode;

use super::{TestApp, spawn_app};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The value of the first `name="…" value="…"` input in `html`.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_string())
}

/// An anonymous visitor of the portal, with its CSRF cookie.
struct Visitor {
    base: String,
    http: reqwest::Client,
    cookie: String,
}

impl Visitor {
    async fn new(app: &TestApp) -> Visitor {
        let http = client();
        let r = http
            .get(format!("{}/portal/help", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|v| v.starts_with("kefu_portal_csrf="))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        Visitor {
            base: app.base.clone(),
            http,
            cookie,
        }
    }

    fn csrf(&self) -> &str {
        self.cookie.split_once('=').unwrap().1
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn post(&self, path: &str, form: &[(&str, &str)], htmx: bool) -> (StatusCode, String) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form);
        if htmx {
            req = req.header("hx-request", "true");
        }
        let r = req.send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Searches the help centre until `want` holds (the indexer follows the store's outbox).
    async fn search_until(&self, q: &str, want: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (status, html) = self.get(&format!("/portal/help?q={}", enc(q))).await;
            assert_eq!(status, StatusCode::OK, "{html}");
            if want(&html) {
                return html;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the help centre never found what was wanted for {q}: {html}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test]
async fn the_help_centre_lists_shows_and_searches_public_articles_only() {
    let app = spawn_app().await;
    let v = Visitor::new(&app).await;
    // The home: a search box and the categories with public articles, never internal ones.
    let (status, home) = v.get("/portal/help").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("帮助中心"), "{home}");
    assert!(home.contains("id=\"help-q\""), "{home}");
    assert!(home.contains("理赔与保价"), "{home}");
    assert!(home.contains("/portal/help/seed-damage-claim"), "{home}");
    assert!(home.contains("包裹破损了怎么理赔？"), "{home}");
    assert!(!home.contains("seed-internal"), "{home}");
    assert!(!home.contains("内部规范"), "{home}");
    // The portal's home and its header link here.
    let (_, portal) = v.get("/portal").await;
    assert!(portal.contains("href=\"/portal/help\""), "{portal}");
    // A public article in Chinese, rendered from Markdown, with the vote.
    let (status, zh) = v.get("/portal/help/seed-damage-claim").await;
    assert_eq!(status, StatusCode::OK, "{zh}");
    assert!(zh.contains("包裹破损了怎么理赔？"), "{zh}");
    assert!(zh.contains("<h2>请拍这些照片</h2>"), "{zh}");
    assert!(zh.contains("<a href=\"/portal/chat\">在线客服</a>"), "{zh}");
    assert!(zh.contains("理赔与保价"), "the category: {zh}");
    assert!(zh.contains("最后更新"), "{zh}");
    assert!(zh.contains("这篇文章有帮助吗？"), "{zh}");
    assert!(zh.contains("有帮助") && zh.contains("没帮助"), "{zh}");
    // In English with ?lang=en, the links keep the language.
    let (status, en) = v.get("/portal/help/seed-damage-claim?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(en.contains("lang=\"en\""), "{en}");
    assert!(!en.contains("包裹破损了怎么理赔？"), "{en}");
    assert!(en.contains("Was this article helpful?"), "{en}");
    assert!(en.contains("Claims and insurance"), "{en}");
    let (_, en_home) = v.get("/portal/help?lang=en").await;
    assert!(
        en_home.contains("/portal/help/seed-damage-claim?lang=en"),
        "{en_home}"
    );
    // Internal articles, unknown ones and odd ids are the portal's 404.
    for path in [
        "/portal/help/seed-internal-damage-claim",
        "/portal/help/seed-nope",
        "/portal/help/%3Cscript%3E",
    ] {
        let (status, html) = v.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains("没有找到这个页面"), "{path}: {html}");
        assert!(!html.contains("破损件处理与理赔规范"), "{html}");
    }
    // 破损 finds the damage-claim article, with the match marked, and no internal one.
    let found = v
        .search_until("破损", |h| h.contains("/portal/help/seed-damage-claim"))
        .await;
    assert!(found.contains("<mark>"), "{found}");
    assert!(!found.contains("seed-internal"), "{found}");
    // A question nothing answers gets the way to a person.
    let (status, none) = v.get("/portal/help?q=xylophonequux").await;
    assert_eq!(status, StatusCode::OK);
    assert!(none.contains("没有找到相关文章"), "{none}");
    assert!(none.contains("href=\"/portal/chat\""), "{none}");
    assert!(none.contains("href=\"/portal/contact\""), "{none}");
    // Feedback: a vote with htmx gets the thanks in place; without CSRF nothing is stored.
    let path = "/portal/help/seed-damage-claim/feedback";
    let (status, _) = v
        .post(path, &[("_csrf", "wrong"), ("helpful", "yes")], true)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, thanks) = v
        .post(path, &[("_csrf", v.csrf()), ("helpful", "yes")], true)
        .await;
    assert_eq!(status, StatusCode::OK, "{thanks}");
    assert!(thanks.contains("谢谢您的反馈"), "{thanks}");
    assert!(!thanks.contains("<html"), "a fragment: {thanks}");
    // Without htmx the article comes back with the thanks.
    let (status, page) = v
        .post(
            path,
            &[
                ("_csrf", v.csrf()),
                ("helpful", "no"),
                ("comment", "没说清楚要几天"),
            ],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("包裹破损了怎么理赔？") && page.contains("谢谢您的反馈"));
    // Nobody votes on an internal article.
    let (status, _) = v
        .post(
            "/portal/help/seed-internal-damage-claim/feedback",
            &[("_csrf", v.csrf()), ("helpful", "yes")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The voted article is now among the most helpful.
    let (_, home) = v.get("/portal/help").await;
    assert!(home.contains("最有帮助的文章"), "{home}");
}
