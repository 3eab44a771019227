//! Services: the operations with more than one step (transactions, mail). Handlers call one
//! service function; simple reads go straight to `manageros_store::repo`.

pub mod accounts;
pub mod campaigns;
pub mod feedback;
pub mod initiatives;
pub mod invitations;
pub mod meetings;
pub mod members;
pub mod oneonones;
pub mod organizations;
pub mod people;
pub mod refs;
pub mod reports;
pub mod targets;
pub mod tasks;
pub mod teams;
