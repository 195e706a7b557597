//! The whole product on one machine for end-to-end tests: gateway, sandbox bank and
//! demo shop in this process on port 0, and a real headless Chromium driven through
//! chromedriver.

mod browser;
mod stack;

pub use browser::Browser;
pub use stack::Stack;
