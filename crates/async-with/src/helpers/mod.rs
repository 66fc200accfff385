//! Small ready-made contexts: one file each.

pub(crate) mod closing;
pub(crate) mod defer;
pub(crate) mod null;
pub(crate) mod suppress;
pub(crate) mod timer;
