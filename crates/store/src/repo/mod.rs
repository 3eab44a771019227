//! Repositories: every query the service runs, by capability. Functions take any connection
//! (a pool or a transaction), so callers decide the transaction boundaries.

pub mod audit;
pub mod calendar_feeds;
pub mod campaigns;
pub mod conversation;
pub mod feedback;
pub mod handoffs;
pub mod initiatives;
pub mod invitations;
pub mod limits;
pub mod links;
pub mod meetings;
pub mod notifications;
pub mod oneonones;
pub mod orgs;
pub mod outbox;
pub mod password_resets;
pub mod persons;
pub mod recurring;
pub mod reports;
pub mod secrets;
pub mod sessions;
pub mod tasks;
pub mod teams;
pub mod users;
pub mod versions;
