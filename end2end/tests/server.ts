import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// A rhizom server of a test's own, on its own SQLite file, for tests that stop and start it
// (the shared server of playwright.config.ts must stay up for the other tests).

const bin = process.env.RHIZOM_BIN ?? path.join(__dirname, "../../target/debug/rhizom");
const siteRoot = path.join(__dirname, "../../target/site");

export class OwnServer {
  readonly baseURL: string;
  private child: ChildProcess | null = null;
  private readonly dir: string;

  /** `env`: settings of this server's own (RHIZOM_… variables), beside the defaults. */
  constructor(
    readonly port: number,
    private readonly env: Record<string, string> = {},
  ) {
    this.baseURL = `http://127.0.0.1:${port}`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "rhizom-own-"));
  }

  /** Starts the server (again, on the same database) and waits until it answers. */
  async start(): Promise<void> {
    const child = spawn(bin, [], {
      env: {
        ...process.env,
        LEPTOS_SITE_ADDR: `127.0.0.1:${this.port}`,
        LEPTOS_SITE_ROOT: siteRoot,
        LEPTOS_OUTPUT_NAME: "rhizom",
        DATABASE_URL: `sqlite://${path.join(this.dir, "own.db")}`,
        RHIZOM_PRESENCE_GRACE_MS: "1000",
        RUST_LOG: "warn",
        ...this.env,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    this.child = child;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`rhizom exited with ${child.exitCode}`);
      try {
        const res = await fetch(`${this.baseURL}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("rhizom did not start within 30 s");
  }

  /** Stops the server the way a deploy does (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
