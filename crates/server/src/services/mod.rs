//! Services: the operations with more than one step (transactions, mail). Handlers call one
//! service function; simple reads go straight to `manageros_store::repo`.

pub mod accounts;
pub mod invitations;
pub mod members;
pub mod organizations;
pub mod people;
pub mod teams;
