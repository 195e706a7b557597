//! Every step a shopper can see, walked in order: choosing, a bank chosen, searching,
//! redirecting, the bank's page, pending, failed, choosing again, paid; and, on a
//! stack whose orders expire in seconds, expired. Something (an accessibility check,
//! a screenshot) runs at each step.

use std::future::Future;
use std::time::Duration;

use crate::driver;
use crate::shopper::{Checkout, Mode, POOR_CARD, RICH_CARD};
use crate::{Browser, Stack};

/// One step of the checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The order review and the bank choice, nothing chosen yet.
    Choose,
    /// A bank and card kind chosen; Pay names them.
    BankChosen,
    /// A search (by pinyin initials) narrowing the list.
    Search,
    /// Pay pressed, the attempt being created (seen on a slow connection).
    Redirecting,
    /// The sandbox bank's page (not the widget).
    BankPage,
    /// Back at the checkout without having paid: the bank has not answered.
    Pending,
    /// The bank declined.
    Failed,
    /// Choosing another bank after a decline.
    ChooseAgain,
    Paid,
    Expired,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Choose => "choose",
            Step::BankChosen => "bank-chosen",
            Step::Search => "search",
            Step::Redirecting => "redirecting",
            Step::BankPage => "bank-page",
            Step::Pending => "pending",
            Step::Failed => "failed",
            Step::ChooseAgain => "choose-again",
            Step::Paid => "paid",
            Step::Expired => "expired",
        }
    }

    /// Whether the widget is on screen (every step but the bank's own page).
    pub fn shows_widget(self) -> bool {
        self != Step::BankPage
    }
}

/// What runs at each step.
pub trait AtStep {
    fn at(&mut self, browser: &Browser, step: Step) -> impl Future<Output = anyhow::Result<()>>;
}

/// How long each request takes while the Redirecting step is on screen.
const SLOW_NETWORK: Duration = Duration::from_secs(8);

/// Walks one order from choosing a bank, through a decline and a second bank, to paid.
/// `theme` is the shop's `?theme=` (embedded only; the hosted page follows the
/// browser's colour scheme).
pub async fn tour(
    browser: &Browser,
    stack: &Stack,
    mode: Mode,
    theme: Option<&str>,
    visit: &mut impl AtStep,
) -> anyhow::Result<Checkout> {
    let checkout = browser.start_checkout(stack, mode, theme).await?;
    visit.at(browser, Step::Choose).await?;

    browser.choose_bank("ICBC", "debit").await?;
    visit.at(browser, Step::BankChosen).await?;

    browser
        .widget_fill("input[data-testid=paydesk-search]", "gsyh")
        .await?;
    browser.widget_find("[role=option][data-bank=ICBC]").await?;
    visit.at(browser, Step::Search).await?;
    browser
        .widget_click("[role=option][data-bank=ICBC]")
        .await?;

    // On a slow connection the widget stays a while on "redirecting".
    set_latency(browser, SLOW_NETWORK).await?;
    browser.widget_click("button[data-action=pay]").await?;
    let redirecting = browser.widget_state("redirecting").await;
    if redirecting.is_ok() {
        visit.at(browser, Step::Redirecting).await?;
    }
    set_latency(browser, Duration::ZERO).await?;
    redirecting?;
    browser.wait_for("form#bank-pay").await?;
    let bank_page = browser.client.current_url().await?.to_string();
    visit.at(browser, Step::BankPage).await?;

    // Back to the checkout without paying: the attempt is pending.
    browser.client.goto(&checkout.url).await?;
    browser.widget_state("pending").await?;
    visit.at(browser, Step::Pending).await?;

    browser.client.goto(&bank_page).await?;
    browser.bank_submit(POOR_CARD).await?;
    browser.back_from_bank(stack, &checkout).await?;
    keep_theme(browser, mode, theme).await?;
    browser.widget_state("failed").await?;
    visit.at(browser, Step::Failed).await?;

    browser
        .widget_click("button[data-action=choose-again]")
        .await?;
    browser.widget_state("choose").await?;
    visit.at(browser, Step::ChooseAgain).await?;

    browser.choose_bank("CMB", "debit").await?;
    browser.pay_at_bank_page(stack, "CMB").await?;
    browser.bank_submit(RICH_CARD).await?;
    browser.back_from_bank(stack, &checkout).await?;
    keep_theme(browser, mode, theme).await?;
    browser.widget_state("paid").await?;
    visit.at(browser, Step::Paid).await?;
    Ok(checkout)
}

/// Opens a checkout on a stack whose orders expire in seconds and waits them out.
pub async fn tour_expired(
    browser: &Browser,
    stack: &Stack,
    mode: Mode,
    theme: Option<&str>,
    visit: &mut impl AtStep,
) -> anyhow::Result<Checkout> {
    let checkout = browser.start_checkout(stack, mode, theme).await?;
    browser.widget_state("expired").await?;
    visit.at(browser, Step::Expired).await?;
    Ok(checkout)
}

/// The bank sends the shopper back to the shop's return URL, which knows nothing
/// of the preview `?theme=`: add it again.
async fn keep_theme(browser: &Browser, mode: Mode, theme: Option<&str>) -> anyhow::Result<()> {
    let (Mode::Embedded, Some(theme)) = (mode, theme) else {
        return Ok(());
    };
    let mut url = browser.client.current_url().await?;
    url.query_pairs_mut().append_pair("theme", theme);
    browser.client.goto(url.as_str()).await?;
    Ok(())
}

/// Adds `latency` to every request of the current tab (zero: none).
async fn set_latency(browser: &Browser, latency: Duration) -> anyhow::Result<()> {
    driver::emulate_network(&browser.client, latency, -1, -1).await
}
