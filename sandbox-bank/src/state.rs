//! What every handler can reach.

use std::sync::Arc;

use paydesk_shared::signing::{Signer, Verifier};

use crate::directory::Directory;
use crate::faults::FaultState;
use crate::ledger::Ledger;
use crate::notifier::Notifier;

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) directory: Arc<Directory>,
    /// Checks the gateway's signed requests.
    pub(crate) verifier: Arc<Verifier>,
    /// Signs the bank's answers to them.
    pub(crate) signer: Signer,
    pub(crate) ledger: Arc<Ledger>,
    pub(crate) notifier: Notifier,
    pub(crate) faults: Arc<FaultState>,
    pub(crate) public_url: Arc<str>,
    /// `/static/banks.css`, generated once from the directory.
    pub(crate) banks_css: Arc<str>,
}
