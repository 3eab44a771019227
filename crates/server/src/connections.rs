//! How many connections one client may hold open (`--max-connections-per-client`). Without a
//! cap, one address that opens connections and sends nothing could take every one of the
//! `--max-connections` slots, and no one else would be served until it let go (issue 24).
//!
//! A connection counts under its client's key ([`crate::client::TrustedProxies::connection_key`]):
//! the peer's address (an IPv6 peer's /64, which one host usually has to itself), or nothing for
//! a trusted reverse proxy, whose connections carry many clients (the proxy limits those; see
//! docs/DEPLOYMENT.md). A connection past the cap is closed as soon as it is accepted, so it
//! never holds a slot; the silent ones within it are closed at the header timeout.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
};

/// The open connections of each client key.
#[derive(Debug, Default)]
pub struct PerClient {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's place under its client's cap, given back when dropped.
#[derive(Debug)]
pub struct Slot {
    table: Arc<PerClient>,
    key: IpAddr,
}

impl PerClient {
    /// A slot for one more connection of `key`, or `None` when it already holds `cap`.
    pub fn take(self: &Arc<Self>, key: IpAddr, cap: usize) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key).or_insert(0);
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(Slot {
            table: Arc::clone(self),
            key,
        })
    }

    /// Connections `key` holds now.
    #[cfg(test)]
    fn held(&self, key: IpAddr) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&key).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                // The table holds only clients with a connection open: it cannot grow with
                // every address ever seen.
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_holds_at_most_its_cap_and_a_closed_connection_frees_its_slot() {
        let table = Arc::new(PerClient::default());
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = table.take(a, 2).expect("first");
        let _second = table.take(a, 2).expect("second");
        assert!(table.take(a, 2).is_none(), "a third connection of a");
        let _other = table.take(b, 2).expect("another client is not affected");
        drop(first);
        assert_eq!(table.held(a), 1);
        assert!(table.take(a, 2).is_some());
    }

    #[test]
    fn a_client_without_connections_is_forgotten() {
        let table = Arc::new(PerClient::default());
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        drop(table.take(a, 1));
        assert!(table.open.lock().unwrap().is_empty());
    }
}
