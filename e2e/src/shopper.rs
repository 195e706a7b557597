//! What a shopper does, step by step, on the demo shop, the hosted checkout page and
//! the sandbox bank. Tests, the screenshot command and the benchmark share these.

use std::time::{Duration, Instant};

use crate::browser::WAIT;
use crate::{Browser, Stack};
use anyhow::Context;

/// The sandbox's rich debit card: pays.
pub const RICH_CARD: &str = "6222 0000 0000 0001";
/// The sandbox's nearly empty debit card: declined with insufficient funds.
pub const POOR_CARD: &str = "6222 0000 0000 0002";
/// Every sandbox card's payment password.
pub const PASSWORD: &str = "123456";

/// Where the widget runs: in the shop's page, or on the gateway's own checkout page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Embedded,
    Hosted,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::Embedded, Mode::Hosted];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Embedded => "embedded",
            Mode::Hosted => "hosted",
        }
    }
}

/// One order the shopper is paying.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub mode: Mode,
    /// The demo shop's reference for the order.
    pub reference: String,
    /// The page the widget runs on (the shop's checkout page, or the hosted page).
    pub url: String,
}

/// The shop's link to the hosted checkout page, and what it says.
const HOSTED_LINK: &str = "a[data-action=pay-hosted]";
const HOSTED_LABEL: &str = "Pay on a Paydesk page";

impl Browser {
    /// Opens the demo shop, checks out the default basket, and (hosted) follows the
    /// shop's link to the gateway's checkout page; returns once the widget offers the
    /// banks. `theme` goes to the shop's checkout page as `?theme=`.
    pub async fn start_checkout(
        &self,
        stack: &Stack,
        mode: Mode,
        theme: Option<&str>,
    ) -> anyhow::Result<Checkout> {
        self.client.goto(&stack.shop_url).await?;
        self.click("button[data-action=checkout]").await?;
        let prefix = format!("{}/checkout/", stack.shop_url);
        let url = self
            .wait_for_url(|url| url.starts_with(&prefix))
            .await
            .context("the shop's checkout page")?;
        let reference = url[prefix.len()..]
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .to_owned();
        anyhow::ensure!(!reference.is_empty(), "no shop reference in {url}");
        let mut url = url;
        if let Some(theme) = theme {
            url = format!("{prefix}{reference}?theme={theme}");
            self.client.goto(&url).await?;
        }
        if mode == Mode::Hosted {
            let link = self.wait_for(HOSTED_LINK).await?;
            let label = link.text().await?;
            anyhow::ensure!(
                label.contains(HOSTED_LABEL),
                "the shop's hosted checkout link reads `{label}`"
            );
            link.click().await?;
            let hosted = format!("{}/pay/", stack.gateway_url);
            url = self
                .wait_for_url(|url| url.starts_with(&hosted))
                .await
                .context("the gateway's hosted checkout page")?;
        }
        self.widget_state("choose").await?;
        Ok(Checkout {
            mode,
            reference,
            url,
        })
    }

    /// Picks the card kind and the bank (`code`, a popular tile or a list entry).
    pub async fn choose_bank(&self, code: &str, card_kind: &str) -> anyhow::Result<()> {
        self.widget_click(&format!("input[name=paydesk-card-kind][value={card_kind}]"))
            .await?;
        self.widget_click(&format!("[data-bank=\"{code}\"]")).await
    }

    /// Presses Pay, which must name the bank (by its code, or in Chinese by the name
    /// the list shows), and waits for the bank's page.
    pub async fn pay_at_bank_page(&self, stack: &Stack, code: &str) -> anyhow::Result<()> {
        let label = self.widget_text("button[data-action=pay]").await?;
        let chinese = self
            .widget_text(&format!("[data-bank=\"{code}\"] .paydesk-bank__zh"))
            .await?;
        anyhow::ensure!(
            label.contains(code) || label.contains(&chinese),
            "the Pay button should name {code} ({chinese}): `{label}`"
        );
        self.widget_click("button[data-action=pay]").await?;
        self.wait_for("form#bank-pay").await?;
        let url = self.client.current_url().await?;
        anyhow::ensure!(
            url.as_str().starts_with(&stack.bank_url),
            "Pay should lead to the sandbox bank, not {url}"
        );
        Ok(())
    }

    /// Pays on the sandbox bank's page with `card`; the bank sends the browser back.
    pub async fn bank_submit(&self, card: &str) -> anyhow::Result<()> {
        self.fill("input[name=card_number]", card).await?;
        self.fill("input[name=password]", PASSWORD).await?;
        self.click("form#bank-pay button[type=submit]").await?;
        Ok(())
    }

    /// Waits until the browser is back where the widget runs for this checkout
    /// (the shop's return page or the hosted page).
    pub async fn back_from_bank(&self, stack: &Stack, checkout: &Checkout) -> anyhow::Result<()> {
        let expected = match checkout.mode {
            Mode::Embedded => format!("{}/checkout/complete", stack.shop_url),
            Mode::Hosted => checkout
                .url
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_owned(),
        };
        self.wait_for_url(|url| url.starts_with(&expected))
            .await
            .with_context(|| format!("the bank should send the shopper back to {expected}"))?;
        Ok(())
    }

    /// Waits until the current URL satisfies `accept`, and returns it.
    pub async fn wait_for_url(&self, accept: impl Fn(&str) -> bool) -> anyhow::Result<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            let url = self.client.current_url().await?.to_string();
            if accept(&url) {
                return Ok(url);
            }
            if Instant::now() > deadline {
                anyhow::bail!("still on {url} after {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
