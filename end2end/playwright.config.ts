import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

// End-to-end tests for rhizom. The server binary is built *before* Playwright
// runs (this config never builds anything); Playwright only starts it, on a
// fresh SQLite database, and stops it at the end.
//
// Environment knobs:
//   RHIZOM_BIN      server binary (default ../target/debug/rhizom)
//   E2E_PORT        port to serve on (default 3917)
//   CHROMIUM_PATH   browser to drive (default /usr/bin/chromium; browsers are
//                   never downloaded here, so `npx playwright install` is not used)
//   E2E_SERVER_LOGS set to 1 to show the server's stdout in the test output

const port = Number(process.env.E2E_PORT ?? 3917);
const host = `127.0.0.1:${port}`;
// Pages are opened at localhost, not the address: WebAuthn (passkeys) needs a domain name.
// The server listens on 127.0.0.1, which Chromium reaches for localhost.
const baseURL = `http://localhost:${port}`;

// Playwright evaluates this file in the runner and again in every worker. Make
// the fresh database directory once, in the runner, and hand it to the workers
// through the environment they inherit, so that no stray directories are left.
let dbDir = process.env.RHIZOM_E2E_DB_DIR;
if (!dbDir) {
  dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "rhizom-e2e-"));
  process.env.RHIZOM_E2E_DB_DIR = dbDir;
  const created = dbDir;
  process.on("exit", () => {
    fs.rmSync(created, { recursive: true, force: true });
  });
}

export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1, // 2-core machines: the server, Chromium and the runner share them
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: "list",
  // Debug WASM builds are large; the first hydration can take a few seconds.
  timeout: 60_000,
  expect: {
    timeout: 10_000,
    toPass: { timeout: 30_000, intervals: [250, 500, 1_000] },
  },
  use: {
    baseURL,
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        },
      },
    },
  ],
  webServer: {
    command: process.env.RHIZOM_BIN ?? "../target/debug/rhizom",
    cwd: __dirname,
    env: {
      LEPTOS_SITE_ADDR: host,
      LEPTOS_SITE_ROOT: "../target/site",
      LEPTOS_OUTPUT_NAME: "rhizom",
      DATABASE_URL: `sqlite://${path.join(dbDir, "e2e.db")}`,
      RUST_LOG: "info",
      // Short, so a test sees someone go offline soon after their page closes.
      RHIZOM_PRESENCE_GRACE_MS: "1500",
      // Short, so a test sees someone away soon after their pages are hidden.
      RHIZOM_AWAY_AFTER_MS: "1000",
      // The bots' test model listens on this machine.
      RHIZOM_BOT_PRIVATE_ADDRESSES: "true",
    },
    url: `http://${host}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: process.env.E2E_SERVER_LOGS ? "pipe" : "ignore",
    stderr: "pipe",
  },
});
