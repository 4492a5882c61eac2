//! `rhizom-bench`: drives a running rhizom server (and, for comparison, an nchan relay) through
//! the public HTTP API and SSE, and prints markdown tables. See docs/PERFORMANCE.md.
//!
//! ```text
//! rhizom-bench fanout [--target rhizom|nchan] [--url URL] [--subscribers N] [--messages M] [--rate R]
//!                     [--subscribe-urls URL,URL]   (subscribers split across several nodes)
//! rhizom-bench wire   [--url URL] [--sizes 100,1000,10000]
//! rhizom-bench create-database [--admin POSTGRES_URL]      (for a several-node run)
//! ```

mod fanout;
mod http;
mod target;
mod wire;

use target::Target;

/// `--name value` pairs after the mode.
fn option(args: &[String], name: &str) -> Option<String> {
    args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone())
}

fn number<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> anyhow::Result<T> {
    match option(args, name) {
        Some(v) => v
            .parse()
            .map_err(|_| anyhow::anyhow!("{name} takes a number, not {v:?}")),
        None => Ok(default),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = option(&args, "--url").unwrap_or_else(|| "http://127.0.0.1:3000".to_owned());
    match args.first().map(String::as_str) {
        Some("fanout") => {
            let target = match option(&args, "--target").as_deref().unwrap_or("rhizom") {
                "rhizom" => Target::rhizom(&url).await?,
                "nchan" => Target::nchan(&url),
                other => anyhow::bail!("--target is rhizom or nchan, not {other:?}"),
            };
            let subscribe_urls = option(&args, "--subscribe-urls")
                .map(|list| list.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            let run = fanout::Args {
                subscribe_urls,
                subscribers: number(&args, "--subscribers", 1000)?,
                messages: number(&args, "--messages", 200)?,
                rate: number(&args, "--rate", 50.0)?,
            };
            if !args.iter().any(|a| a == "--no-header") {
                println!("{}", fanout::HEADER);
            }
            println!("{}", fanout::run(target, run).await?);
        }
        Some("create-database") => {
            // A fresh PostgreSQL database for a several-node run; prints its URL.
            let admin = option(&args, "--admin")
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
            println!(
                "{}",
                rhizom::server::testing::create_postgres_database(&admin).await?
            );
        }
        Some("wire") => {
            let sizes = option(&args, "--sizes").unwrap_or_else(|| "100,1000,10000".to_owned());
            let sizes: Vec<usize> = sizes.split(',').map(str::parse).collect::<Result<_, _>>()?;
            println!("{}", wire::run(&url, &sizes).await?);
        }
        _ => {
            eprintln!("usage: rhizom-bench fanout|wire [options]; see docs/PERFORMANCE.md");
            std::process::exit(2);
        }
    }
    Ok(())
}
