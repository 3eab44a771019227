//! Password hashing with Argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane).
//!
//! Hashing is deliberately slow and memory-hard, so it never runs on the async executor. It
//! runs on threads of its own, one per CPU, and a burst of sign-ins queues for them:
//!
//! - **Memory is reused.** Each thread allocates its 19 MiB of Argon2 blocks once and keeps
//!   them for its life. Allocating them per hash let the allocator keep hundreds of MiB after a
//!   storm of sign-ins (freed blocks stayed in per-thread arenas); now a storm costs what one
//!   hash per thread costs (docs/BENCHMARKS.md, "Sign-in storm").
//! - **Other requests keep the CPU.** The threads run at a lower priority (nice 10 on Linux), so
//!   when a page and a hash both want a core, the page gets it, and hashing takes the rest.
//!   Sign-ins are limited per address and per account anyway (`rate_limit`).

use crate::error::ApiError;
use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::{Output, ParamsString, SaltString, rand_core::OsRng},
};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::oneshot;

/// The hashing threads' front door; cheap to clone.
#[derive(Clone)]
pub struct Passwords(Arc<Inner>);

struct Inner {
    jobs: mpsc::Sender<Job>,
    /// A hash of a random password, verified against when the account does not exist, so a
    /// failed sign-in takes as long for an unknown email as for a wrong password.
    dummy_hash: String,
}

type Job = Box<dyn FnOnce(&mut Hasher) + Send>;

/// The hashing threads' priority on the crate's scale of 0 (lowest) to 99: 22 is nice 10 on
/// Linux, a tenth of the CPU share of a request thread (nice 0) when both want a core.
const PRIORITY: u8 = 22;

/// The most memory (KiB) a stored hash may ask for when it is verified: four times ours.
const MAX_MEMORY_KIB: u32 = 4 * Params::DEFAULT_M_COST;

/// What a hashing thread owns: the hasher and its memory, allocated on first use.
struct Hasher {
    argon: Argon2<'static>,
    blocks: Vec<Block>,
}

impl Hasher {
    fn new() -> Self {
        Self {
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default()),
            blocks: Vec::new(),
        }
    }

    /// This thread's memory, at least `count` blocks (grown once, then reused).
    fn memory(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() < count {
            self.blocks = vec![Block::default(); count];
        }
        &mut self.blocks[..count]
    }

    /// Hashes a new password into a PHC string (algorithm, parameters and salt included).
    fn hash(&mut self, password: &str) -> anyhow::Result<String> {
        let failed = |e: &dyn std::fmt::Display| anyhow::anyhow!("hashing a password failed: {e}");
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt
            .as_salt()
            .decode_b64(&mut salt_bytes)
            .map_err(|e| failed(&e))?;
        let argon = self.argon.clone();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        let memory = self.memory(argon.params().block_count());
        argon
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
            .map_err(|e| failed(&e))?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(argon.params()).map_err(|e| failed(&e))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
        };
        Ok(phc.to_string())
    }

    /// Whether `password` matches the PHC string `phc`, with the parameters it names (a hash
    /// made with other parameters still verifies). The comparison takes constant time.
    fn verify(&mut self, password: &str, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
            return false;
        };
        let (Ok(algorithm), Ok(params)) = (
            Algorithm::try_from(parsed.algorithm),
            Params::try_from(&parsed),
        ) else {
            return false;
        };
        let version = match parsed.version.map(Version::try_from).transpose() {
            Ok(v) => v.unwrap_or_default(),
            Err(_) => return false,
        };
        let mut salt_bytes = [0u8; 64];
        let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
            return false;
        };
        // Our hashes use 19 MiB; a stored hash asking for more than a few times that is not
        // one of ours, and is refused rather than allocated (and kept by this thread).
        if params.m_cost() > MAX_MEMORY_KIB {
            return false;
        }
        let argon = Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.len()];
        let memory = self.memory(argon.params().block_count());
        if argon
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
            .is_err()
        {
            return false;
        }
        // `Output`'s equality is constant-time.
        Output::new(&out).is_ok_and(|computed| computed == expected)
    }
}

fn lower_priority() -> Result<(), String> {
    use thread_priority::{ThreadPriority, ThreadPriorityValue, set_current_thread_priority};
    let p = ThreadPriorityValue::try_from(PRIORITY)?;
    set_current_thread_priority(ThreadPriority::Crossplatform(p)).map_err(|e| format!("{e:?}"))
}

/// A hashing thread: lowers its own priority, then serves jobs until every sender is gone.
fn serve(jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    // Lowering one's own priority needs no privilege; should it fail, hashing still works.
    if let Err(e) = lower_priority() {
        tracing::debug!("cannot lower the priority of a hashing thread: {e}");
    }
    let mut hasher = Hasher::new();
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => {
                // A panic in one hash fails that request (its answer is dropped), not the thread.
                let run = std::panic::AssertUnwindSafe(|| job(&mut hasher));
                if std::panic::catch_unwind(run).is_err() {
                    tracing::error!("a password hash panicked");
                    hasher = Hasher::new();
                }
            }
            Err(_) => return,
        }
    }
}

impl Passwords {
    pub fn new() -> anyhow::Result<Self> {
        let dummy_hash = Hasher::new().hash(&crate::session::new_token())?;
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || serve(rx))?;
        }
        Ok(Self(Arc::new(Inner {
            jobs: tx,
            dummy_hash,
        })))
    }

    /// Hashes a new password into a PHC string (algorithm, parameters and salt included).
    pub async fn hash(&self, password: &str) -> Result<String, ApiError> {
        let password = password.to_owned();
        self.run(move |h| h.hash(&password))
            .await?
            .map_err(ApiError::internal)
    }

    /// Whether `password` matches `hash`. With no hash (unknown account) it still does the
    /// work of a verification, and answers no.
    pub async fn verify(&self, password: &str, hash: Option<String>) -> Result<bool, ApiError> {
        let password = password.to_owned();
        let dummy = hash.is_none();
        let hash = hash.unwrap_or_else(|| self.0.dummy_hash.clone());
        let matched = self.run(move |h| h.verify(&password, &hash)).await?;
        Ok(matched && !dummy)
    }

    /// Runs `f` on a hashing thread and waits for its answer.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Hasher) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |h| {
            // Whoever asked may have gone (a closed connection, a timeout): then the hash,
            // the costly part, is not computed for nobody.
            if !tx.is_closed() {
                let _ = tx.send(f(h));
            }
        });
        self.0.jobs.send(job).map_err(|_| {
            ApiError::internal(anyhow::anyhow!("the password hashing threads are gone"))
        })?;
        rx.await.map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{PasswordHasher as _, PasswordVerifier as _};

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let p = Passwords::new().unwrap();
        let h = p.hash("correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(p.verify("correct horse", Some(h.clone())).await.unwrap());
        assert!(!p.verify("wrong horse", Some(h)).await.unwrap());
        assert!(!p.verify("anything", None).await.unwrap());
        assert!(
            !p.verify("x", Some("not a phc string".into()))
                .await
                .unwrap()
        );
    }

    /// Hashes made here verify with the argon2 crate's own verifier and the other way round,
    /// also for a hash made with other parameters (as an older release might have stored).
    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crate_both_ways() {
        let p = Passwords::new().unwrap();
        let ours = p.hash("tr0ub4dor").await.unwrap();
        let argon = Argon2::default();
        assert!(
            argon
                .verify_password(b"tr0ub4dor", &PasswordHash::new(&ours).unwrap())
                .is_ok()
        );
        let salt = SaltString::generate(&mut OsRng);
        let other = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 3, 1, None).unwrap(),
        )
        .hash_password(b"tr0ub4dor", &salt)
        .unwrap()
        .to_string();
        assert!(p.verify("tr0ub4dor", Some(other.clone())).await.unwrap());
        assert!(!p.verify("tr0ub4dor!", Some(other)).await.unwrap());
        // A stored hash asking for far more memory than ours is refused, not computed.
        let huge = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(MAX_MEMORY_KIB + 8, 1, 1, None).unwrap(),
        )
        .hash_password(b"tr0ub4dor", &salt)
        .unwrap()
        .to_string();
        assert!(!p.verify("tr0ub4dor", Some(huge)).await.unwrap());
    }
}
