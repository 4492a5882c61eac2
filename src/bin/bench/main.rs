//! `rhizom-bench`: drives a running rhizom server (and, for comparison, an nchan relay) through
//! the public HTTP API and SSE, and prints markdown tables. See docs/PERFORMANCE.md.
//!
//! ```text
//! rhizom-bench fanout [--target rhizom|nchan] [--url URL] [--subscribers N] [--messages M] [--rate R]
//!                     [--subscribe-urls URL,URL]   (subscribers split across several nodes)
//!                     [--pids PID,PID]   (the server's processes: CPU used per delivery)
//! rhizom-bench wire   [--url URL] [--sizes 100,1000,10000]
//! rhizom-bench scale  [--url URL] [--sizes 0,100000] [--posts 5000] [--clients 16]
//! rhizom-bench memory [--url URL] --pid SERVER_PID [--counts 1000,5000,10000]
//!                     [--connection reused|fresh]   (stream after a request, or on its own)
//! rhizom-bench bot-stream [--url URL] [--tokens 500] [--rate 100] [--subscribers 100]
//! rhizom-bench following [--url URL] --pid SERVER_PID [--sizes 1,20,200] [--streams 100] [--posts 200]
//! rhizom-bench members [--url URL] [--sizes 5,5000] [--posts 200]
//! rhizom-bench writes --database POSTGRES_URL [--urls URL,URL] [--writers 1,16,64] [--seconds 5]
//! rhizom-bench storm --binary PATH [--port 3999] [--streams 5000] [--signal TERM|KILL] [--rate 20]
//!                     (starts the node itself, with this process's environment)
//! rhizom-bench create-database [--admin POSTGRES_URL]      (for a several-node run)
//! ```

mod bot_stream;
mod cpu;
mod fanout;
mod following;
mod http;
mod members;
mod memory;
mod scale;
mod stats;
mod storm;
mod target;
mod wire;
mod writes;

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

/// A comma-separated list of numbers.
fn list(args: &[String], name: &str, default: &str) -> anyhow::Result<Vec<usize>> {
    let raw = option(args, name).unwrap_or_else(|| default.to_owned());
    raw.split(',')
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("{name} takes numbers, not {v:?}"))
        })
        .collect()
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
                pids: cpu::parse_pids(&option(&args, "--pids").unwrap_or_default())?,
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
        Some("bot-stream") => {
            let tokens = number(&args, "--tokens", 500)?;
            let rate = number(&args, "--rate", 100.0)?;
            let subscribers = number(&args, "--subscribers", 100)?;
            println!("{}", bot_stream::HEADER);
            println!(
                "{}",
                bot_stream::run(&url, tokens, rate, subscribers).await?
            );
        }
        Some("wire") => {
            let sizes = list(&args, "--sizes", "100,1000,10000")?;
            println!("{}", wire::run(&url, &sizes).await?);
        }
        Some("scale") => {
            let sizes = list(&args, "--sizes", "0,100000")?;
            let posts = number(&args, "--posts", 5000)?;
            let clients = number(&args, "--clients", 16)?;
            println!("{}", scale::run(&url, &sizes, posts, clients).await?);
        }
        Some("storm") => {
            let run = storm::StormArgs {
                binary: option(&args, "--binary")
                    .ok_or_else(|| anyhow::anyhow!("storm needs --binary, the rhizom to run"))?,
                port: number(&args, "--port", 3999)?,
                streams: number(&args, "--streams", 5000)?,
                signal: option(&args, "--signal").unwrap_or_else(|| "TERM".to_owned()),
                rate: number(&args, "--rate", 20.0)?,
            };
            anyhow::ensure!(
                matches!(run.signal.as_str(), "TERM" | "KILL"),
                "--signal is TERM or KILL"
            );
            if !args.iter().any(|a| a == "--no-header") {
                println!("{}", storm::HEADER);
            }
            println!("{}", storm::run(run).await?);
        }
        Some("following") => {
            let pid = number(&args, "--pid", 0)?;
            anyhow::ensure!(pid > 0, "following needs --pid, the server's process");
            let sizes = list(&args, "--sizes", "1,20,200")?;
            let streams = number(&args, "--streams", 100)?;
            let posts = number(&args, "--posts", 200)?;
            println!(
                "{}",
                following::run(&url, pid, &sizes, streams, posts).await?
            );
        }
        Some("members") => {
            let sizes = list(&args, "--sizes", "5,5000")?;
            let posts = number(&args, "--posts", 200)?;
            println!("{}", members::run(&url, &sizes, posts).await?);
        }
        Some("writes") => {
            let urls: Vec<String> = option(&args, "--urls").map_or_else(
                || vec![url.clone()],
                |list| list.split(',').map(str::to_owned).collect(),
            );
            let database = option(&args, "--database")
                .ok_or_else(|| anyhow::anyhow!("writes needs --database, the nodes' PostgreSQL"))?;
            let writers = list(&args, "--writers", "1,16,64")?;
            let seconds = number(&args, "--seconds", 5.0)?;
            println!(
                "{}",
                writes::run(&urls, &database, &writers, seconds).await?
            );
        }
        Some("memory") => {
            let pid = number(&args, "--pid", 0_u32)?;
            anyhow::ensure!(pid > 0, "memory needs --pid, the server's process id");
            let counts = list(&args, "--counts", "1000,5000,10000")?;
            let reused = match option(&args, "--connection").as_deref() {
                None | Some("reused") => true,
                Some("fresh") => false,
                Some(other) => anyhow::bail!("--connection is reused or fresh, not {other}"),
            };
            println!("{}", memory::run(&url, pid, &counts, reused).await?);
        }
        _ => {
            eprintln!(
                "usage: rhizom-bench fanout|wire|scale|memory|following|members|bot-stream|writes|storm [options]; see docs/PERFORMANCE.md"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
