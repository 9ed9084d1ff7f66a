//! A minimal W3C WebDriver client for the end-to-end tests: enough to drive headless Chromium
//! through chromedriver (navigate, find, type, click, read, screenshot, console log).

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
    process: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    /// Ends chromedriver and every browser it started (they share its process group), even when
    /// a test fails before `quit`.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.process.id())])
            .status();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Where chromedriver and chromium are, if installed (Debian's `chromium-driver` package).
pub fn binaries() -> Option<(String, String)> {
    let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let browser = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())?;
    Some((driver.to_string(), browser.to_string()))
}

impl Driver {
    /// Starts chromedriver on a free loopback port and opens a headless session with the
    /// given window size.
    pub async fn start(width: u32, height: u32) -> Driver {
        Driver::launch(width, height, false).await
    }

    /// A phone: the viewport exactly `width` CSS pixels wide (Chromium's device emulation;
    /// a headless window is never narrower than 500 px), touch and a phone's pixel ratio.
    pub async fn phone(width: u32, height: u32) -> Driver {
        Driver::launch(width, height, true).await
    }

    async fn launch(width: u32, height: u32, phone: bool) -> Driver {
        let (driver, browser) = binaries().expect("chromium and chromedriver are installed");
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let process = Command::new(driver)
            .process_group(0)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let started = Instant::now();
        loop {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut chrome_options = json!({
            "binary": browser,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-proxy-server", format!("--window-size={width},{height}"), "--lang=zh-CN"]
        });
        if phone {
            chrome_options["mobileEmulation"] = json!({
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": true}
            });
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": chrome_options,
            "goog:loggingPrefs": {"browser": "ALL"},
            // A page that never finishes loading fails the test with its URL, not a timeout.
            "timeouts": {"pageLoad": 60_000, "script": 10_000}
        }}});
        let mut d = Driver {
            process,
            base,
            session: String::new(),
            http,
        };
        let v = d.call(reqwest::Method::POST, "/session", Some(caps)).await;
        d.session = v["sessionId"].as_str().expect("a session id").to_string();
        d
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("chromedriver answers");
        let v: Value = res.json().await.expect("JSON from chromedriver");
        if let Some(err) = v["value"]["error"].as_str() {
            panic!("webdriver {path}: {err}: {}", v["value"]["message"]);
        }
        if v.get("sessionId").is_some() {
            return v;
        }
        v["value"].clone()
    }

    fn at(&self, path: &str) -> String {
        format!("/session/{}{path}", self.session)
    }

    /// Opens `url`, after making sure the page being left logged no console error (a script
    /// error, a resource that failed, a Content-Security-Policy violation): every page a test
    /// visits is checked, not only those it remembers to check.
    pub async fn goto(&self, url: &str) {
        self.assert_no_console_errors().await;
        self.call(
            reqwest::Method::POST,
            &self.at("/url"),
            Some(json!({"url": url})),
        )
        .await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, &self.at("/url"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn try_find(&self, css: &str) -> Option<String> {
        let res = self
            .http
            .post(format!("{}{}", self.base, self.at("/element")))
            .json(&json!({"using": "css selector", "value": css}))
            .send()
            .await
            .ok()?;
        let v: Value = res.json().await.ok()?;
        v["value"][ELEMENT].as_str().map(str::to_string)
    }

    /// Is there such an element now? (No waiting: ask after the page shows something else.)
    pub async fn exists(&self, css: &str) -> bool {
        self.try_find(css).await.is_some()
    }

    /// Waits up to 10 s for an element to appear (pages are swapped in by htmx).
    pub async fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(id) = self.try_find(css).await {
                return id;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no element {css} on {}",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `css` appears with text containing `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(id) = self.try_find(css).await {
                let text = self.text_of(&id).await;
                if text.contains(needle) {
                    return text;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "{css} says {text:?}, not {needle:?}"
                );
            }
            assert!(started.elapsed() < Duration::from_secs(10), "no {css}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `css` shows text without `needle` (a list filtered by what was typed).
    pub async fn wait_without(&self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.text(css).await;
            if !text.contains(needle) {
                return text;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{css} still says {needle:?}: {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn text_of(&self, id: &str) -> String {
        let res = self
            .http
            .get(format!(
                "{}{}",
                self.base,
                self.at(&format!("/element/{id}/text"))
            ))
            .send()
            .await;
        match res {
            Ok(r) => r
                .json::<Value>()
                .await
                .ok()
                .and_then(|v| v["value"].as_str().map(str::to_string))
                .unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The current `value` of a form field (what the user or a script put there, which the
    /// element's text does not show).
    pub async fn value(&self, css: &str) -> String {
        let id = self.find(css).await;
        let res = self
            .http
            .get(format!(
                "{}{}",
                self.base,
                self.at(&format!("/element/{id}/property/value"))
            ))
            .send()
            .await
            .unwrap();
        let v: Value = res.json().await.unwrap();
        v["value"].as_str().unwrap_or_default().to_string()
    }

    /// Whether the element at `css` is shown (WebDriver's "displayed": not hidden by CSS).
    pub async fn displayed(&self, css: &str) -> bool {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &self.at(&format!("/element/{id}/displayed")),
            None,
        )
        .await
        .as_bool()
        .unwrap_or(false)
    }

    pub async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.text_of(&id).await
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &self.at(&format!("/element/{id}/value")),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &self.at(&format!("/element/{id}/click")),
            Some(json!({})),
        )
        .await;
    }

    /// Picks the option with this value in a `<select>`.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"))
            .await;
    }

    /// Commands now go to the document of the `<iframe>` at `css`.
    pub async fn enter_frame(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &self.at("/frame"),
            Some(json!({"id": {ELEMENT: id}})),
        )
        .await;
    }

    /// Back to the page that holds the frame.
    pub async fn leave_frame(&self) {
        self.call(
            reqwest::Method::POST,
            &self.at("/frame/parent"),
            Some(json!({})),
        )
        .await;
    }

    pub async fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine;
        let v = self
            .call(reqwest::Method::GET, &self.at("/screenshot"), None)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Browser console entries at level SEVERE since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        let v = self
            .call(
                reqwest::Method::POST,
                &self.at("/se/log"),
                Some(json!({"type": "browser"})),
            )
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Fails the test if the browser logged an error since the last look, naming the page.
    pub async fn assert_no_console_errors(&self) {
        let errors = self.console_errors().await;
        if !errors.is_empty() {
            panic!("console errors on {}: {errors:?}", self.url().await);
        }
    }

    /// Takes the errors an intended refusal logs (the browser reports every 4xx answer): there
    /// must be some, and each must be an answer with `status`, so nothing else hides among them.
    pub async fn expect_refusals(&self, status: u16) {
        let errors = self.console_errors().await;
        let expected = format!("status of {status}");
        assert!(
            !errors.is_empty() && errors.iter().all(|e| e.contains(&expected)),
            "expected only {status} answers on {}: {errors:?}",
            self.url().await
        );
    }

    /// Runs `script` (the body of a function) in the page and returns what it returns.
    pub async fn script(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            &self.at("/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Ends the session after checking the last page's console, like [`Driver::goto`] does for
    /// every page before it.
    pub async fn quit(self) {
        self.assert_no_console_errors().await;
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
    }
}
