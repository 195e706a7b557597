//! The gateway's hosted checkout page, reached through the shop's "Pay on a Paydesk
//! page", under the gateway's strict Content-Security-Policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use paydesk_e2e::{Mode, SharedStack, StackOptions, block_on};

static STACK: SharedStack = SharedStack::new(StackOptions::default);
static EXPIRING: SharedStack = SharedStack::new(common::short_ttl);

#[test]
fn shopper_pays() {
    block_on(async { common::pays(STACK.get().await, Mode::Hosted).await });
}

#[test]
fn declined_then_another_bank_pays() {
    block_on(async { common::declined_then_another_bank(STACK.get().await, Mode::Hosted).await });
}

#[test]
fn second_tab_sees_the_payment_live() {
    block_on(async { common::second_tab_follows(STACK.get().await, Mode::Hosted).await });
}

#[test]
fn order_expires() {
    block_on(async { common::expires(EXPIRING.get().await, Mode::Hosted).await });
}

#[test]
fn phone_never_scrolls_sideways() {
    block_on(async { common::phone_never_scrolls_sideways(STACK.get().await, Mode::Hosted).await });
}
