//! A real NATS server with JetStream for a test: its own port and store, started from the
//! binary `scripts/test` found (`RHIZOM_TEST_NATS_SERVER`, else `nats-server` on the path),
//! killed when dropped — or on purpose, and started again on the same port and store.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

pub struct NatsServer {
    process: Child,
    port: u16,
    store: Option<TempDir>,
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl NatsServer {
    pub async fn start() -> NatsServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        NatsServer::start_on(port, tempfile::tempdir().expect("a store directory")).await
    }

    async fn start_on(port: u16, store: TempDir) -> NatsServer {
        let binary =
            std::env::var("RHIZOM_TEST_NATS_SERVER").unwrap_or_else(|_| "nats-server".to_owned());
        let mut process = Command::new(&binary)
            .args(["--jetstream", "--addr", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .arg("--store_dir")
            .arg(store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{binary} starts (scripts/test installs it): {e}"));
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return NatsServer {
                    process,
                    port,
                    store: Some(store),
                };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = process.kill();
        let _ = process.wait();
        panic!("NATS answers on port {port} within 5 s");
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL) and starts it again, on the same port and store, once
    /// `meanwhile` is done.
    pub async fn kill_then<T>(&mut self, meanwhile: impl Future<Output = T>) -> T {
        self.process.kill().expect("NATS is killed");
        self.process.wait().expect("NATS ends");
        let done = meanwhile.await;
        let store = self.store.take().expect("the store is kept");
        *self = NatsServer::start_on(self.port, store).await;
        done
    }
}
