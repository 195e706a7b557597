//! One stack for a whole test file. `#[tokio::test]` gives each test its own runtime,
//! which would stop a shared stack's servers when the first test ends; these tests run
//! on one runtime that lives as long as the test binary.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;
use tokio::sync::OnceCell;

use crate::{Stack, StackOptions};

/// Runs a test's body on the binary's one runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| match Runtime::new() {
            Ok(runtime) => runtime,
            Err(e) => panic!("cannot start the tokio runtime: {e}"),
        })
        .block_on(future)
}

/// A stack started by the first test that asks for it (on [`block_on`]'s runtime).
pub struct SharedStack {
    options: fn() -> StackOptions,
    stack: OnceCell<Stack>,
}

impl SharedStack {
    pub const fn new(options: fn() -> StackOptions) -> Self {
        SharedStack {
            options,
            stack: OnceCell::const_new(),
        }
    }

    pub async fn get(&self) -> &Stack {
        self.stack
            .get_or_init(|| async {
                match Stack::start_with((self.options)()).await {
                    Ok(stack) => stack,
                    Err(e) => panic!("the stack did not start: {e:#}"),
                }
            })
            .await
    }
}
