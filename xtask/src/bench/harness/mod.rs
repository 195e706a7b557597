//! What every gateway benchmark shares, apart from what it sends: the gateway under
//! test, the demo merchant's requests and webhook endpoint, closed- and open-loop
//! load, statistics and options.

pub(crate) mod args;
pub(crate) mod gateway;
pub(crate) mod load;
pub(crate) mod merchant;
pub(crate) mod open_loop;
pub(crate) mod stats;
pub(crate) mod webhooks;

use rand::Rng;
use rand::distributions::Alphanumeric;

/// Eight random characters that keep keys and references unique across runs.
pub(crate) fn random_id() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(8)
        .map(char::from)
        .collect()
}
