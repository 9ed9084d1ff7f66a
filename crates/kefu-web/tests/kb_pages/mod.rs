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

/// A signed-in member of staff in the console.
struct Staff {
    base: String,
    http: reqwest::Client,
    cookie: String,
    csrf: String,
}

impl Staff {
    async fn new(app: &TestApp, token: &str) -> Staff {
        let mut s = Staff {
            base: app.base.clone(),
            http: client(),
            cookie: format!("kefu_session={token}"),
            csrf: String::new(),
        };
        let (status, html) = s.get("/kb").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        s.csrf = input_value(&html, "_csrf").unwrap();
        s
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

    /// Posts a form with the CSRF token; a redirect answers with its location.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let mut fields = vec![("_csrf", self.csrf.as_str())];
        fields.extend_from_slice(form);
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(&fields)
            .send()
            .await
            .unwrap();
        let status = r.status();
        if status == StatusCode::SEE_OTHER {
            let to = r.headers()["location"].to_str().unwrap().to_string();
            return (status, to);
        }
        (status, r.text().await.unwrap())
    }
}

fn article_form<'a>(zh_title: &'a str, zh_body: &'a str, base: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("category", "sending"),
        ("audience", "public"),
        ("tags", "冷链, 生鲜，冰袋"),
        ("owner", ""),
        ("review_by", ""),
        ("intent_pickup", "1"),
        ("intent_quote", "1"),
        ("zh_title", zh_title),
        ("zh_body", zh_body),
        ("en_title", "Sending fresh food"),
        ("en_body", "Pack it with **ice packs**."),
        ("change_note", "第一版"),
        ("base_version", base),
    ]
}

#[tokio::test]
async fn agents_write_articles_with_versions_conflicts_and_rights() {
    let app = spawn_app().await;
    let agent = Staff::new(&app, &app.agent).await;
    // The list: shipped articles with their badges and the way to a new one.
    let (_, list) = agent.get("/kb").await;
    assert!(
        list.contains("知识库") && list.contains("href=\"/kb/new\""),
        "{list}"
    );
    assert!(
        list.contains("/kb/seed-internal-damage-claim"),
        "staff see internal ones"
    );
    assert!(list.contains("badge-internal") && list.contains("badge-public"));
    let (_, internal_only) = agent.get("/kb?audience=internal").await;
    assert!(
        !internal_only.contains("/kb/seed-damage-claim\""),
        "{internal_only}"
    );
    assert!(internal_only.contains("/kb/seed-internal-damage-claim"));
    // An invalid form keeps the input, says what is wrong next to the field, saves nothing.
    let mut bad = article_form("", "生鲜怎么寄：用泡沫箱和冰袋。", "");
    bad.retain(|(k, _)| !k.starts_with("en_"));
    let (status, html) = agent.post("/kb/new", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("data-field=\"zh_title\""), "{html}");
    assert!(
        html.contains("生鲜怎么寄：用泡沫箱和冰袋。"),
        "the body is kept: {html}"
    );
    assert!(html.contains("冷链, 生鲜，冰袋"), "the tags are kept");
    assert!(
        html.contains("name=\"intent_pickup\" value=\"1\" checked"),
        "{html}"
    );
    let (status, html) = agent
        .post("/kb/new", &{
            let mut f = article_form("生鲜怎么寄？", "正文", "");
            f.push(("review_by", "next tuesday"));
            f.retain(|(k, v)| *k != "review_by" || !v.is_empty());
            f
        })
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field=\"review_by\""), "{html}");
    let (_, list) = agent.get("/kb").await;
    assert!(!list.contains("生鲜怎么寄"), "nothing was saved");
    // A valid one is created: version 1, the agent owns it.
    let (status, to) = agent
        .post(
            "/kb/new",
            &article_form("生鲜怎么寄？", "用**泡沫箱**和冰袋。", ""),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    assert!(to.starts_with("/kb/"), "{to}");
    let (status, page) = agent.get(&to).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<strong>泡沫箱</strong>"), "{page}");
    assert!(
        page.contains("<strong>ice packs</strong>"),
        "both languages: {page}"
    );
    assert!(page.contains("agent01"), "the owner: {page}");
    assert!(page.contains("pickup, quote"), "{page}");
    assert!(page.contains("冷链，生鲜，冰袋"), "{page}");
    assert!(page.contains("v1"), "{page}");
    // The edit form starts from version 1; saving makes version 2.
    let (status, edit) = agent.get(&format!("{to}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(input_value(&edit, "base_version").as_deref(), Some("1"));
    assert!(edit.contains("用**泡沫箱**和冰袋。"), "{edit}");
    let mut second = article_form("生鲜怎么寄？", "用泡沫箱、冰袋，并走次日达。", "1");
    second.retain(|(k, _)| *k != "change_note");
    second.push(("change_note", "加上时效"));
    let (status, back) = agent.post(&format!("{to}/edit"), &second).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{back}");
    let (_, page) = agent.get(&to).await;
    assert!(page.contains("并走次日达"), "{page}");
    assert!(
        page.contains(&format!("href=\"{to}/versions/1\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"{to}/versions/2\"")),
        "{page}"
    );
    assert!(page.contains("加上时效"), "the change note: {page}");
    // A save from version 1 now would undo version 2: refused, the input kept.
    let stale = article_form("生鲜怎么寄？", "我的旧草稿", "1");
    let (status, html) = agent.post(&format!("{to}/edit"), &stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(
        html.contains("kb-conflict") && html.contains("第 2 版"),
        "{html}"
    );
    assert!(html.contains("我的旧草稿"), "{html}");
    let (_, page) = agent.get(&to).await;
    assert!(!page.contains("我的旧草稿"));
    // Version 1 is readable and restorable: version 3 has version 1's text.
    let (status, v1) = agent.get(&format!("{to}/versions/1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        v1.contains("<strong>泡沫箱</strong>") && !v1.contains("次日达"),
        "{v1}"
    );
    assert!(v1.contains("恢复这个版本"), "{v1}");
    let (status, _) = agent
        .post(
            &format!("{to}/restore"),
            &[("version", "1"), ("base_version", "2")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = agent.get(&to).await;
    assert!(page.contains("v3"), "{page}");
    assert!(page.contains("<strong>泡沫箱</strong>") && !page.contains("并走次日达"));
    assert!(page.contains("恢复到第 1 版"), "{page}");
    // Reviewed and archived by its owner; a stale button is refused.
    let (status, _) = agent
        .post(
            &format!("{to}/review"),
            &[("base_version", "3"), ("review_by", "")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html) = agent
        .post(
            &format!("{to}/archive"),
            &[("base_version", "3"), ("archived", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    let (status, _) = agent
        .post(
            &format!("{to}/archive"),
            &[("base_version", "4"), ("archived", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list) = agent.get("/kb").await;
    assert!(
        !list.contains("生鲜怎么寄"),
        "archived articles leave the list"
    );
    let (_, archived) = agent.get("/kb?archived=1").await;
    assert!(archived.contains("生鲜怎么寄"), "{archived}");
    // Readonly staff read it but cannot change it: 403 as the console's error page.
    let viewer = Staff::new(&app, &app.viewer).await;
    let (status, page) = viewer.get(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains(&format!("action=\"{to}/review\"")),
        "no buttons: {page}"
    );
    let (status, html) = viewer.get(&format!("{to}/edit")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("class=\"error\""), "{html}");
    let (status, _) = viewer
        .post(&format!("{to}/edit"), &article_form("改掉", "改掉", "5"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = viewer
        .post("/kb/new", &article_form("只读用户的文章", "正文", ""))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = viewer
        .post(
            &format!("{to}/archive"),
            &[("base_version", "5"), ("archived", "0")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Without the CSRF token nothing changes.
    let r = client()
        .post(format!("{}{to}/archive", app.base))
        .header("cookie", &agent.cookie)
        .form(&[("base_version", "5"), ("archived", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, page) = agent.get(&to).await;
    assert!(page.contains("v5"), "{page}");
}

#[tokio::test]
async fn feedback_and_unanswered_questions_reach_the_console() {
    let app = spawn_app().await;
    let v = Visitor::new(&app).await;
    let agent = Staff::new(&app, &app.agent).await;
    let path = "/portal/help/seed-damage-claim/feedback";
    for (helpful, comment) in [("yes", ""), ("yes", ""), ("no", "没写几天能赔")] {
        let (status, _) = v
            .post(
                path,
                &[
                    ("_csrf", v.csrf()),
                    ("helpful", helpful),
                    ("comment", comment),
                ],
                true,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, page) = agent.get("/kb/seed-damage-claim").await;
    assert!(page.contains("data-count=\"helpful\">2<"), "{page}");
    assert!(page.contains("data-count=\"not-helpful\">1<"), "{page}");
    assert!(page.contains("没写几天能赔"), "the comment: {page}");
    let (_, list) = agent.get("/kb?category=claims").await;
    assert!(list.contains("class=\"helpful\">2<"), "{list}");
    // A help-centre question nothing answers is in the gaps report.
    let (_, none) = v.get("/portal/help?q=xylophonequux").await;
    assert!(none.contains("没有找到相关文章"), "{none}");
    let (status, gaps) = agent.get("/kb/gaps").await;
    assert_eq!(status, StatusCode::OK, "{gaps}");
    assert!(gaps.contains("xylophonequux"), "{gaps}");
    assert!(gaps.contains("portal"), "{gaps}");
    assert!(
        gaps.contains("包裹破损了怎么理赔？"),
        "the most not-helpful: {gaps}"
    );
    // The console's search finds articles and links to them.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (_, found) = agent.get(&format!("/kb?q={}", enc("破损"))).await;
        if found.contains("/kb/seed-internal-damage-claim") {
            assert!(found.contains("<mark>"), "{found}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{found}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (_, found) = agent.get(&format!("/search?q={}", enc("破损"))).await;
    assert!(found.contains("href=\"/kb/seed-damage-claim\""), "{found}");
}
