//! ManagerOS's services: one function per operation a front end offers (JSON API or page).
//! Each loads what it is about inside the caller's organization, asks authz once
//! ([`load::authorized`] for one entity), validates, and writes in one transaction.
//!
//! This crate sits below both front ends (`manageros-api`, `manageros-web`) and above the
//! store: it cannot name a handler or a page, and the compiler keeps it that way. Beside the
//! services it holds what they and both front ends stand on: the shared [`state`], the
//! [`config`], the error envelope ([`error`]), sessions and the caller ([`session`],
//! [`extract`], [`client`]), passwords, rate limits, and mail with its durable [`outbox`].

// What the services stand on.
pub mod client;
pub mod config;
pub mod download;
pub mod error;
pub mod extract;
pub mod mail;
pub mod outbox;
pub mod password;
pub mod patch;
pub mod rate_limit;
pub mod session;
pub mod state;

// The services, one module per capability.
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
pub mod live;
pub mod load;
pub mod meetings;
pub mod members;
pub mod names;
pub mod notify;
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
pub mod totals;
pub mod versions;
