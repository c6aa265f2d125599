//! Notifications: the live-update streams, the WeCom push worker and its deliveries.
pub mod deliveries;
pub mod events;
#[cfg(feature = "fake-wecom")]
pub mod fake_wecom;
pub mod live;
pub mod push;
pub mod wecom;
