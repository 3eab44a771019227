//! ManagerOS domain: identifiers, timestamps, validated values and the one authorization
//! module. Everything here is pure (no IO), so it is unit-tested directly.

pub mod authz;
pub mod display;
pub mod domain;
pub mod id;
pub mod page;
pub mod recurrence;
pub mod time;

pub use domain::*;
pub use id::*;
pub use page::{Page, PageInfo};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
