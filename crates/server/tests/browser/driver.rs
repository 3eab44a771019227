//! `Browser`: one headless Chromium, driven through its own chromedriver, pointed at one
//! test server. Navigation helpers check each page they land on with axe-core and save a
//! screenshot of it.

use crate::harness::TestApp;
use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::{Value, json};
use std::{
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};
use tokio::process::{Child, Command};

const AXE: &str = include_str!("axe.min.js");

pub struct Browser {
    client: Client,
    /// Killed with its process group when the browser is dropped.
    driver: Child,
    base: String,
    shots: PathBuf,
    step: AtomicUsize,
}

/// Where this run's screenshots go: `MANAGEROS_SCREENSHOTS`, or a directory of the target.
pub fn screenshot_root() -> PathBuf {
    std::env::var_os("MANAGEROS_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// A browser for `who` in `journey`, in time zone `tz` (the browser shows and takes
    /// times in it), with a window `width` pixels wide.
    pub async fn open(app: &TestApp, journey: &str, who: &str, tz: &str, width: u32) -> Self {
        let port = free_port();
        let driver = Command::new(env!("CHROMEDRIVER_PATH"))
            .arg(format!("--port={port}"))
            .env("TZ", tz)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            // Its own process group, which the browsers it starts join: dropping the
            // Browser ends them all, also when a journey panics before closing.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let mut caps = serde_json::Map::new();
        let mut chrome = json!({
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--disable-background-networking", "--no-first-run",
                format!("--window-size={width},1000"),
            ]
        });
        if std::path::Path::new("/usr/bin/chromium").exists() {
            chrome["binary"] = json!("/usr/bin/chromium");
        }
        // A window is at least 500 px wide: a narrower viewport is a phone's, emulated.
        if width < 500 {
            chrome["mobileEmulation"] = json!({
                "deviceMetrics": {"width": width, "height": 800, "pixelRatio": 2, "touch": true}
            });
        }
        caps.insert("goog:chromeOptions".into(), chrome);
        let mut last = None;
        let mut client = None;
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        let client = client.unwrap_or_else(|| panic!("chromedriver did not answer: {last:?}"));
        let shots = screenshot_root()
            .join(format!("{:?}", app.backend).to_lowercase())
            .join(journey)
            .join(who);
        std::fs::create_dir_all(&shots).expect("screenshot directory");
        eprintln!("screenshots of {journey}/{who}: {}", shots.display());
        Self {
            client,
            driver,
            base: app.url(""),
            shots,
            step: AtomicUsize::new(0),
        }
    }

    /// Opens a path of the server (or a full URL), then checks the page.
    pub async fn goto(&self, path: &str, label: &str) {
        let url = if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            path.to_owned()
        };
        self.client.goto(&url).await.expect("navigate");
        self.landed(label).await;
    }

    /// The page the browser is on now: axe-core finds no serious or critical violation,
    /// nothing makes the page wider than the window (no sideways scrolling, on a phone
    /// too), and a screenshot is saved.
    pub async fn landed(&self, label: &str) {
        self.client
            .wait()
            .for_element(Locator::Css("body"))
            .await
            .expect("a page");
        self.settled().await;
        let n = self.step.fetch_add(1, Ordering::SeqCst) + 1;
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{n:02}-{label}.png")), png).expect("save");
        let violations = self.violations().await;
        assert!(
            violations.is_empty(),
            "axe-core on {label} ({}): {violations:#?}",
            self.path().await
        );
        let sideways = self
            .js(
                "return Array.from(document.querySelectorAll('.table-wrap')) \
                 .filter(w => w.scrollWidth > w.clientWidth + 1) \
                 .map(w => (w.querySelector('th') || w).textContent.trim().slice(0, 60))",
                vec![],
            )
            .await;
        assert_eq!(
            sideways,
            json!([]),
            "{label} ({}): a table scrolls sideways (it should fit, or be cards on a phone)",
            self.path().await
        );
        let widths = self
            .js(
                "return [document.documentElement.scrollWidth, window.innerWidth, \
                 Array.from(document.querySelectorAll('body *')).filter(e => \
                 e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5) \
                 .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40))]",
                vec![],
            )
            .await;
        assert!(
            widths[0].as_u64() <= widths[1].as_u64(),
            "{label} ({}) is wider than the window (scroll width, window, what sticks out): {widths}",
            self.path().await
        );
    }

    /// Waits until no part of the page is being fetched or swapped by htmx (a form it sent
    /// changes part of the page in place, after the click returned).
    pub async fn settled(&self) {
        for _ in 0..200 {
            let busy = self
                .client
                .execute(
                    "return !!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling');",
                    vec![],
                )
                .await
                .expect("script");
            if busy == json!(false) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page kept changing for 10 s");
    }

    /// Waits (up to `within`) until the main part of the page shows `text`, which another
    /// browser's change brings without a reload; its text when it does.
    pub async fn shows(&self, text: &str, within: Duration) -> String {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let now = self.text().await;
            if now.contains(text) {
                return now;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{text:?} did not appear within {within:?}: {now}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What axe-core reports as serious or critical on the page the browser is on.
    pub async fn violations(&self) -> Vec<String> {
        self.client.execute(AXE, vec![]).await.expect("load axe");
        let found = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ["violations"] }).then(r => done(
                  r.violations
                    .filter(v => v.impact === "serious" || v.impact === "critical")
                    .map(v => v.id + " (" + v.impact + "): " + v.help + " at "
                      + v.nodes.map(n => n.target.join(" ")).join(", "))
                ), e => done(["axe failed: " + e]));"#,
                vec![],
            )
            .await
            .expect("run axe");
        serde_json::from_value(found).expect("violations")
    }

    /// Opens a URL without checking the page (to check the checker).
    pub async fn goto_unchecked(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => panic!("no {css} on {}: {e}", self.path().await),
        }
    }

    /// Types into a field (replacing what it held).
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    /// Sets a field's value directly (date and time inputs, whose typing is locale-bound).
    pub async fn set(&self, css: &str, value: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .expect("set value");
    }

    /// Chooses the option of a select shown with this text.
    pub async fn choose(&self, css: &str, text: &str) {
        self.find(css)
            .await
            .select_by_label(text)
            .await
            .unwrap_or_else(|e| panic!("no option {text:?} in {css}: {e}"));
    }

    /// Clicks, then checks the page that follows.
    pub async fn click(&self, css: &str, label: &str) {
        self.find(css).await.click().await.expect("click");
        self.landed(label).await;
    }

    /// Clicks a button that asks for confirmation, accepts, then checks the page.
    pub async fn click_confirmed(&self, css: &str, label: &str) {
        self.find(css).await.click().await.expect("click");
        self.client.accept_alert().await.expect("a confirmation");
        self.landed(label).await;
    }

    /// Clicks the link with this text, then checks the page.
    pub async fn follow(&self, text: &str, label: &str) {
        let link = match self.client.find(Locator::LinkText(text)).await {
            Ok(l) => l,
            Err(e) => panic!("no link {text:?} on {}: {e}", self.path().await),
        };
        link.click().await.expect("click");
        self.landed(label).await;
    }

    /// The text of the main part of the page.
    pub async fn text(&self) -> String {
        self.find("main").await.text().await.expect("text")
    }

    /// The text of the navigation.
    pub async fn nav(&self) -> String {
        self.find("header").await.text().await.expect("text")
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.expect("script")
    }

    /// Runs a script that answers by calling its last argument (a `fetch`, say).
    pub async fn js_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute_async(script, args)
            .await
            .expect("async script")
    }

    pub async fn close(self) {
        self.client
            .clone()
            .close()
            .await
            .expect("close the browser");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        }
    }
}
