//! A signed-in console over plain HTTP, as a browser without scripts uses it: the session
//! cookie, the CSRF token the pages carry, form posts, and the answers (status, redirect, HTML).

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};

use super::TestApp;

/// A signed-in console: the session cookie and the CSRF token its pages carry.
pub struct Console {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
    pub csrf: String,
}

pub struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub html: String,
}

impl Console {
    /// Signs in with the session `token` in `lang` and takes the CSRF token from `page`.
    pub async fn open(app: &TestApp, token: &str, lang: &str, page: &str) -> Console {
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap();
        let mut c = Console {
            http,
            base: app.base.clone(),
            cookie: format!("kefu_session={token}; kefu_lang={lang}"),
            csrf: String::new(),
        };
        let first = c.get(page).await;
        assert_eq!(
            first.status,
            StatusCode::OK,
            "{} {}",
            first.location,
            first.html
        );
        c.csrf = csrf_of(&first.html);
        c
    }

    async fn answer(res: reqwest::Response) -> Answer {
        let status = res.status();
        let location = res
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        Answer {
            status,
            location,
            html: res.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        Console::answer(res).await
    }

    /// Posts a form with the page's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly `fields` (to try a missing or wrong CSRF token).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .form(fields)
            .send()
            .await
            .unwrap();
        Console::answer(res).await
    }
}

/// The CSRF token a page's forms carry.
pub fn csrf_of(html: &str) -> String {
    let start = html
        .find("name=\"_csrf\" value=\"")
        .expect("the page carries a CSRF token")
        + "name=\"_csrf\" value=\"".len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The text of the form that posts to `action`, up to its end.
pub fn form_html<'a>(html: &'a str, action: &str) -> &'a str {
    let start = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form posts to {action}"));
    let rest = &html[start..];
    &rest[..rest.find("</form>").unwrap_or(rest.len())]
}
