//! SeaORM entities: one per table, plain columns only. Conversions to domain types happen in
//! the repositories, so the rest of the code never sees a raw row.

pub mod invitation;
pub mod organization;
pub mod password_reset;
pub mod person;
pub mod session;
pub mod team;
pub mod user;
