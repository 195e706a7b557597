//! The sandbox bank over real HTTP: pages, signed requests, payments,
//! notifications, refunds and payouts.

mod accounts;
mod books;
mod declines;
mod faults;
mod helpers;
mod merchant_accounts;
mod notifications;
mod pay_page;
mod payments;
mod refunds;
mod rejections;
mod service;
mod settlements;
mod status_query;
mod transfers;
