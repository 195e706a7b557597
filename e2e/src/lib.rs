//! The whole product on one machine for end-to-end tests: gateway, sandbox bank and
//! demo shop in this process on port 0, and a real headless Chromium driven through
//! chromedriver; and gateway with sandbox bank alone for the bank network's faults.

mod axe;
mod browser;
mod driver;
mod network;
mod page;
mod phone;
mod poll;
mod shared;
mod shopper;
mod stack;
mod tour;
mod widget;

pub use axe::{Axe, AxeScope};
pub use browser::{Browser, BrowserOptions};
pub use driver::ConsoleEntry;
pub use network::{Network, NetworkOptions, OPERATOR_KEY};
pub use poll::eventually;
pub use shared::{SharedStack, block_on};
pub use shopper::{Checkout, Mode, PASSWORD, POOR_CARD, RICH_CARD};
pub use stack::{Stack, StackOptions, widget_dir};
pub use tour::{AtStep, Step, tour, tour_expired};
