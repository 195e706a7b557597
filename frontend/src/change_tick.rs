//! A value kept outside the reactive system (in an atomic or a cell) and read
//! reactively through this tick: a `bool` signal flipped on every change. Leptos
//! compiles each signal value type's reactive code once, and the widget has `bool`
//! signals anyway, so a tick costs no code of its own where a signal of the value's
//! type would (`frontend/SIZE.md`, "an atomic plus a change tick").

use leptos::prelude::*;

#[derive(Debug, Clone, Copy)]
pub struct ChangeTick(RwSignal<bool>);

impl Default for ChangeTick {
    fn default() -> Self {
        ChangeTick(RwSignal::new(false))
    }
}

impl ChangeTick {
    /// Makes the running effect or view read again at the next change.
    pub fn track(&self) {
        self.0.track();
    }

    /// Tells every reader the value changed.
    pub fn changed(&self) {
        self.0.try_update(|t| *t = !*t);
    }
}
