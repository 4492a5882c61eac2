import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { OwnServer } from "./server";
import { button, textbox, uniq } from "./helpers";

// With JavaScript off, a person can still become a guest, sign in with a provider, and use a
// sign-in link; the sign-in page says that passkeys need JavaScript. The provider is a real
// OpenID provider (end2end/oidc-provider.mjs), on a server of this test's own that knows it.

const port = Number(process.env.E2E_PORT ?? 3917) + 4;
const origin = `http://localhost:${port}`;

/** Starts the test provider; resolves with it and its issuer once it listens. */
function startProvider(): Promise<{ child: ChildProcess; issuer: string }> {
  const child = spawn("node", [path.join(__dirname, "../oidc-provider.mjs")], {
    env: {
      ...process.env,
      OP_PORT: "0",
      OP_REDIRECT_URIS: `${origin}/auth/oidc/test/callback`,
    },
    stdio: ["ignore", "pipe", "ignore"],
  });
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (chunk) => {
      seen += chunk.toString();
      const found = /issuer=(\S+)/.exec(seen);
      if (found) resolve({ child, issuer: found[1] });
    });
    child.once("exit", (code) => reject(new Error(`the provider exited with ${code}`)));
  });
}

test("with JavaScript off: a guest, a provider sign-in and a sign-in link all work", async ({ browser, playwright }) => {
  const provider = await startProvider();
  const oidc = `[{ name = "test", issuer = "${provider.issuer}", client-id = "rhizom-test", client-secret = "rhizom-test-secret" }]`;
  const server = new OwnServer(port, { RHIZOM_PUBLIC_URL: origin, RHIZOM_OIDC: oidc });
  await server.start();
  const quiet = await browser.newContext({ baseURL: origin, javaScriptEnabled: false });
  try {
    const page = await quiet.newPage();
    await page.goto("/sign-in");
    await expect(page.getByText("Passkeys need JavaScript, which is off here.")).toBeVisible();

    // A provider: the button is a link, the provider signs the test account in, and back here
    // the browser is Alice.
    await page.getByRole("link", { name: "Sign in with test" }).click();
    await expect(page).toHaveURL(`${origin}/`);
    await expect(page.getByText("Signed in as Alice Test")).toBeVisible();

    // A guest, in another browser without JavaScript.
    const guest = await (await browser.newContext({ baseURL: origin, javaScriptEnabled: false })).newPage();
    const name = uniq("Quiet");
    await guest.goto("/sign-in");
    await textbox(guest, "Your name").fill(name);
    await button(guest, "Join").click();
    await guest.goto("/");
    await expect(guest.getByText(`Signed in as ${name}`)).toBeVisible();

    // A link the guest made (through the API, with the guest's cookie), used without JavaScript.
    const api = await playwright.request.newContext({
      baseURL: origin,
      storageState: await guest.context().storageState(),
    });
    const made = await api.post("/api/sign-in-links");
    expect(made.status(), await made.text()).toBe(201);
    const { url } = await made.json();
    await api.dispose();
    await guest.context().close();
    const other = await (await browser.newContext({ baseURL: origin, javaScriptEnabled: false })).newPage();
    await other.goto(url);
    await expect(other.getByText(`signs this device in as ${name}`)).toBeVisible();
    await button(other, "Sign in").click();
    await expect(other).toHaveURL(`${origin}/`);
    await expect(other.getByText(`Signed in as ${name}`)).toBeVisible();
    await other.context().close();
  } finally {
    await quiet.close();
    await server.dispose();
    provider.child.kill();
  }
});
