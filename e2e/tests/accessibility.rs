//! axe-core finds no WCAG 2.2 A/AA (or best-practice) violation in the widget at any
//! step, in the light, dark and flat presets, in the automatic theme of a browser that
//! prefers dark, on the hosted page, in Simplified and Traditional Chinese, on a 360 px
//! phone, and on the sandbox bank's page the tour passes through.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use paydesk_e2e::{
    AtStep, Axe, AxeScope, Browser, BrowserOptions, Mode, SharedStack, StackOptions, Step,
    block_on, tour, tour_expired,
};

static STACK: SharedStack = SharedStack::new(StackOptions::default);
static EXPIRING: SharedStack = SharedStack::new(|| StackOptions {
    order_ttl: Duration::from_secs(8),
    ..StackOptions::default()
});

/// Runs axe at every step, remembering which steps it checked and what it found, so
/// one run reports every step's violations.
struct Audit {
    axe: Axe,
    /// Whether the widget should be drawn dark.
    dark: bool,
    /// The widget's `lang`, as the browser's language picks it.
    lang: &'static str,
    label: String,
    checked: Vec<Step>,
    findings: Vec<String>,
}

impl AtStep for Audit {
    async fn at(&mut self, browser: &Browser, step: Step) -> anyhow::Result<()> {
        let step_label = format!("{} {}", self.label, step.name());
        if !step.shows_widget() {
            // The sandbox bank's own page.
            if let Err(e) = browser
                .expect_accessible(&self.axe, AxeScope::Page, &step_label)
                .await
            {
                self.findings.push(format!("{e:#}"));
            }
            self.checked.push(step);
            return Ok(());
        }
        assert_eq!(
            browser
                .widget_find(".paydesk")
                .await?
                .attr("lang")
                .await?
                .as_deref(),
            Some(self.lang),
            "{step_label}: the widget's language"
        );
        assert_eq!(
            browser.widget_is_dark().await?,
            self.dark,
            "{} {}: the widget's colour scheme",
            self.label,
            step.name()
        );
        let scope = match browser.client.current_url().await?.path() {
            path if path.starts_with("/pay/") => AxeScope::Page,
            _ => AxeScope::Widget,
        };
        if let Err(e) = browser
            .expect_accessible(&self.axe, scope, &step_label)
            .await
        {
            self.findings.push(format!("{e:#}"));
        }
        self.checked.push(step);
        Ok(())
    }
}

async fn audit(mode: Mode, theme: Option<&str>, options: BrowserOptions) {
    // Chromium's own language, where none is set, is the one its prefs name.
    let language = options.language.unwrap_or("en-US");
    let label = format!(
        "{} theme={} prefers-dark={} lang={language} width={}",
        mode.as_str(),
        theme.unwrap_or("auto"),
        options.prefers_dark,
        options.width,
    );
    let browser = Browser::start_with(&options).await.unwrap();
    let mut audit = Audit {
        axe: Axe::from_env().unwrap(),
        dark: theme == Some("dark") || (theme.is_none() && options.prefers_dark),
        lang: language,
        label,
        checked: Vec::new(),
        findings: Vec::new(),
    };
    tour(&browser, STACK.get().await, mode, theme, &mut audit)
        .await
        .unwrap();
    tour_expired(&browser, EXPIRING.get().await, mode, theme, &mut audit)
        .await
        .unwrap();
    assert_eq!(
        audit.checked,
        [
            Step::Choose,
            Step::BankChosen,
            Step::Search,
            Step::Redirecting,
            Step::BankPage,
            Step::Pending,
            Step::Failed,
            Step::ChooseAgain,
            Step::Paid,
            Step::Expired,
        ],
        "every widget step was checked"
    );
    assert!(audit.findings.is_empty(), "{}", audit.findings.join("\n"));
    // No Content-Security-Policy check here: axe itself sets style attributes while
    // it measures contrast, which the page's policy rightly reports. The embedded and
    // hosted tests check the policy on the same steps without axe.
    browser.close().await.unwrap();
}

fn desktop() -> BrowserOptions {
    BrowserOptions::width(1280)
}

#[test]
fn embedded_light_preset() {
    block_on(audit(Mode::Embedded, Some("light"), desktop()));
}

#[test]
fn embedded_dark_preset() {
    block_on(audit(Mode::Embedded, Some("dark"), desktop()));
}

#[test]
fn embedded_flat_preset() {
    block_on(audit(Mode::Embedded, Some("flat"), desktop()));
}

#[test]
fn embedded_automatic_theme_in_a_dark_browser() {
    block_on(audit(Mode::Embedded, None, desktop().dark()));
}

#[test]
fn embedded_in_simplified_chinese() {
    block_on(audit(Mode::Embedded, None, desktop().language("zh-CN")));
}

#[test]
fn embedded_in_traditional_chinese() {
    block_on(audit(Mode::Embedded, None, desktop().language("zh-TW")));
}

#[test]
fn embedded_on_a_360_px_phone() {
    block_on(audit(Mode::Embedded, None, BrowserOptions::width(360)));
}

#[test]
fn hosted_light() {
    block_on(audit(Mode::Hosted, None, desktop()));
}

#[test]
fn hosted_in_a_dark_browser() {
    block_on(audit(Mode::Hosted, None, desktop().dark()));
}

#[test]
fn hosted_in_traditional_chinese() {
    block_on(audit(Mode::Hosted, None, desktop().language("zh-TW")));
}
