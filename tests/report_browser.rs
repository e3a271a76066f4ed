//! The HTML reports in a real browser: headless Chromium opens each page from a file, the test
//! checks in the rendered DOM that every count tagged `data-json` equals the JSON form, saves a
//! screenshot, and fails on any console message (a script error, a blocked network load).
//!
//! Needs Debian's `chromium` (`.ci/run` installs it). Without it the test fails, unless
//! `CUISHOU_SKIP_BROWSER=1` is set. `CUISHOU_SCREENSHOT_DIR=DIR` keeps a copy of the screenshots.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Workdir, repo_root};
use serde_json::Value;

/// The browser, or `None` when the test may be skipped.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
    });
    match found {
        Some(p) => Some(p),
        None if std::env::var("CUISHOU_SKIP_BROWSER").as_deref() == Ok("1") => {
            eprintln!("report_browser: chromium not found; skipped because CUISHOU_SKIP_BROWSER=1");
            None
        }
        None => panic!(
            "report_browser needs headless Chromium and none was found on PATH.\n\
             Install it (Debian: `apt-get install -y chromium`, as .ci/run does), \
             or set CUISHOU_SKIP_BROWSER=1 to skip this test."
        ),
    }
}

/// Runs the browser headless on `page` with `args`, killing it after two minutes.
fn browse(browser: &Path, profile: &Path, args: &[String], page: &Path) -> Output {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--enable-logging=stderr",
        "--v=0",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .arg(format!("file://{}", page.display()))
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait for chromium").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("chromium output")
}

/// Console messages (errors, CSP violations, uncaught exceptions) in Chromium's log; the pages
/// have no script, so any is a fault.
fn console_messages(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught") || l.contains("Content Security Policy"))
        .map(String::from)
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// One element of the DOM tagged with a JSON Pointer.
#[derive(Debug)]
struct Tagged {
    pointer: String,
    value: String,
    /// The element's text up to its first child, as rendered.
    text: String,
}

/// Every element with `data-json` and `data-value` in a serialized DOM.
fn tagged(dom: &str) -> Vec<Tagged> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let tag = &after[..end];
        let attr = |name: &str| {
            let key = format!(" {name}=\"");
            let i = tag.find(&key)? + key.len();
            let j = tag[i..].find('"')?;
            Some(unescape(&tag[i..i + j]))
        };
        if let (Some(pointer), Some(value)) = (attr("data-json"), attr("data-value")) {
            let body = &after[end + 1..];
            let text = unescape(&body[..body.find('<').unwrap_or(body.len())]);
            out.push(Tagged { pointer, value, text });
        }
        rest = &after[end + 1..];
    }
    out
}

/// Checks each tagged element against the JSON form; returns the pointers seen.
fn check_against_json(dom: &str, json: &Value, page: &str) -> Vec<String> {
    let elements = tagged(dom);
    assert!(!elements.is_empty(), "{page}: no element carries data-json");
    for e in &elements {
        let Some(expected) = json.pointer(&e.pointer) else {
            panic!("{page}: {} is not in the JSON form", e.pointer);
        };
        match expected {
            Value::Number(n) => {
                assert_eq!(e.value, n.to_string(), "{page}: {} in the page", e.pointer);
                if !e.text.trim().is_empty() {
                    assert_eq!(e.text.replace(',', ""), n.to_string(), "{page}: {} as shown", e.pointer);
                }
            }
            Value::Array(items) => assert_eq!(e.value, items.len().to_string(), "{page}: length of {}", e.pointer),
            Value::String(s) => assert_eq!(&e.value, s, "{page}: {}", e.pointer),
            other => panic!("{page}: {} is {other}", e.pointer),
        }
    }
    elements.into_iter().map(|e| e.pointer).collect()
}

/// Writes `html` and `json` reports with the real binary, renders the HTML, compares, and
/// takes a screenshot; returns the DOM and the pointers it carries.
fn render(wd: &Workdir, browser: &Path, name: &str, args: &[&str]) -> (String, Value, Vec<String>) {
    let html = format!("{name}.html");
    let json = format!("{name}.json");
    let with = |out: &str| {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["-o", out, "-q", "--threads", "2"]);
        wd.ok(&a);
    };
    with(&html);
    with(&json);
    let json: Value = serde_json::from_str(&wd.read(&json)).expect("JSON form");
    let page = wd.path(&html);
    let profile = wd.path(&format!("profile-{name}"));
    let dom = browse(browser, &profile, &["--dump-dom".into()], &page);
    assert!(dom.status.success(), "chromium --dump-dom failed on {html}: {}", String::from_utf8_lossy(&dom.stderr));
    let errors = console_messages(&dom.stderr);
    assert!(errors.is_empty(), "{html}: console messages:\n{}", errors.join("\n"));
    let dom_text = String::from_utf8(dom.stdout).expect("DOM as UTF-8");
    assert!(dom_text.contains("</html>"), "{html}: no DOM dumped");
    let pointers = check_against_json(&dom_text, &json, &html);

    let shot = wd.path(&format!("{name}.png"));
    let out = browse(
        browser,
        &profile,
        &["--window-size=1100,2400".into(), format!("--screenshot={}", shot.display())],
        &page,
    );
    let errors = console_messages(&out.stderr);
    assert!(errors.is_empty(), "{html}: console messages while taking the screenshot:\n{}", errors.join("\n"));
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot {}: {e}", shot.display()));
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{}: not a real screenshot", shot.display());
    if let Some(dir) = std::env::var_os("CUISHOU_SCREENSHOT_DIR") {
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::copy(&shot, Path::new(&dir).join(format!("{name}.png"))).expect("copy screenshot");
    }
    (dom_text, json, pointers)
}

#[test]
fn evidence_page_in_chromium_shows_the_counts_of_the_json_form() {
    let Some(browser) = chromium() else { return };
    let wd = Workdir::new();
    let sample = repo_root().join("data/examples/sms-backup.xml");
    let (dom, json, pointers) = render(&wd, &browser, "evidence", &["report", "evidence", sample.to_str().unwrap()]);
    assert!(pointers.contains(&"/total".to_string()), "the total is shown");
    let senders = json["senders"].as_array().unwrap();
    assert!(!senders.is_empty());
    for (i, s) in senders.iter().enumerate() {
        for label in ["lawful_reminder", "intimidation", "doctored_image_threat", "other"] {
            let p = format!("/senders/{i}/counts/{label}");
            assert!(pointers.contains(&p), "{p} is not shown");
        }
        assert!(pointers.contains(&format!("/senders/{i}/messages")), "sender {i}: number of unlawful messages");
        for m in s["messages"].as_array().unwrap() {
            let id = m["id"].as_str().unwrap();
            assert!(dom.contains(&format!("data-id=\"{id}\"")), "message {id} is not on the page");
        }
    }
    let unlawful: usize = senders.iter().map(|s| s["messages"].as_array().unwrap().len()).sum();
    assert_eq!(dom.matches("class=\"msg ").count(), unlawful, "one block per unlawful message");
    assert!(dom.contains("<mark>"), "evidence is highlighted");
    assert!(dom.contains("12378") && dom.contains("12321") && dom.contains("不是法律意见"));
}

#[test]
fn scan_page_in_chromium_shows_the_counts_of_the_json_form() {
    let Some(browser) = chromium() else { return };
    let wd = Workdir::new();
    let sample = repo_root().join("data/examples/complaints.csv");
    let (dom, json, pointers) = render(&wd, &browser, "scan", &["report", "scan", sample.to_str().unwrap()]);
    let mut required = vec!["/total".to_string()];
    for label in ["lawful_reminder", "intimidation", "doctored_image_threat", "other"] {
        required.push(format!("/by_label/{label}"));
        for month in json["by_month"].as_object().unwrap().keys() {
            required.push(format!("/by_month/{month}/{label}"));
        }
        for platform in json["by_platform"].as_object().unwrap().keys().take(15) {
            required.push(format!("/by_platform/{}/{label}", platform.replace('~', "~0").replace('/', "~1")));
        }
    }
    for tag in ["contacts", "visit", "violence", "false_legal", "insult", "exposure", "image"] {
        required.push(format!("/by_tag/{tag}"));
    }
    for p in &required {
        assert!(pointers.contains(p), "{p} is not shown");
    }
    assert_eq!(dom.matches("<svg").count(), 3, "bar chart, heat map and trend line");
    assert!(!dom.contains("<script"), "no script");
}
