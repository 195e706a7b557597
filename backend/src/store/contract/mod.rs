//! The store contract: one suite, generic over the store, that every adapter must
//! pass.
