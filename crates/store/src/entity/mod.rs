//! SeaORM entities: one per table, plain columns only. Conversions to domain types happen in
//! the repositories, so the rest of the code never sees a raw row.

pub mod audit_event;
pub mod calendar_feed;
pub mod campaign_invite;
pub mod campaign_response;
pub mod feedback;
pub mod feedback_campaign;
pub mod handoff;
pub mod handoff_item;
pub mod initiative;
pub mod initiative_check_in;
pub mod initiative_owner;
pub mod invitation;
pub mod meeting;
pub mod meeting_instance;
pub mod meeting_instance_participant;
pub mod meeting_participant;
pub mod one_on_one;
pub mod oneonone_access;
pub mod oneonone_pair;
pub mod oneonone_series;
pub mod oneonone_series_skip;
pub mod organization;
pub mod outbox;
pub mod password_reset;
pub mod person;
pub mod person_link;
pub mod private_note;
pub mod report;
pub mod session;
pub mod talking_point;
pub mod task;
pub mod team;
pub mod user;
