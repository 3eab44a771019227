//! Repositories: every query the service runs, by capability. Functions take any connection
//! (a pool or a transaction), so callers decide the transaction boundaries.

pub mod invitations;
pub mod orgs;
pub mod password_resets;
pub mod persons;
pub mod sessions;
pub mod teams;
pub mod users;
