//! Services: one function per operation a front end offers (JSON API or page). Each loads
//! what it is about inside the caller's organization, asks authz once ([`load::authorized`]
//! for one entity), validates, and writes in one transaction.

pub mod accounts;
pub mod audit;
pub mod calendar;
pub mod campaigns;
pub mod conversation;
pub mod feedback;
pub mod handoffs;
pub mod home;
pub mod initiatives;
pub mod input;
pub mod invitations;
pub mod load;
pub mod meetings;
pub mod members;
pub mod names;
pub mod oneonones;
pub mod organizations;
pub mod parse;
pub mod people;
pub mod permissions;
pub mod refs;
pub mod reports;
pub mod series;
pub mod tasks;
pub mod teams;
