// TEMPORARY dev harness (removed before hand-off).
#[path = "../support/mod.rs"]
mod support;
#[path = "mod.rs"]
mod e2e;
