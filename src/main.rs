//! The `rhizom` server binary: read the configuration, then serve.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    rhizom::server::init_tracing();
    let config = rhizom::server::Config::load()?;
    rhizom::server::run(config).await
}
