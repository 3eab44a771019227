//! Services: the operations with more than one step (transactions, mail). Handlers call one
//! service function; simple reads go straight to `manageros_store::repo`.

pub mod accounts;
