use clap::Parser;
use manageros_server::config::{Cli, Command};
use tracing_subscriber::EnvFilter;

/// jemalloc instead of the C library's allocator: under load the server spends a quarter of its
/// own CPU allocating and freeing (serving a list is many small, short-lived allocations), and
/// glibc keeps memory freed by other threads in per-thread arenas, while jemalloc returns it
/// (docs/BENCHMARKS.md, "Allocator").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn")),
        )
        .init();
    match Cli::parse().command {
        Command::Serve(args) => manageros_server::app::run(args).await,
    }
}
