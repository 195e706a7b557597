//! The widget's views. Each takes plain data and signals as props, never the
//! network, so it can be mounted and checked on its own.

pub mod bank_list;
pub mod card_kind;
pub mod checkout;
pub mod pay_button;
pub mod review;
pub mod status;
