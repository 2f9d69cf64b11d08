//! Delivering a sealed snapshot's package to a partner's bucket.

pub mod push;
