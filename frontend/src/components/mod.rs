//! The widget's views. Each takes plain data and signals as props, never the
//! network, so it can be mounted and checked on its own.

pub mod bank_face;
pub mod bank_list;
pub mod bank_listbox;
pub mod bank_tiles;
pub mod card_kind;
pub mod checkout;
pub mod countdown;
pub mod pay_button;
pub mod review;
pub mod status;
