import { type BrowserContext, type CDPSession, expect, type Page, test } from "@playwright/test";
import {
  button,
  createSpace,
  hydrated,
  join,
  messageItem,
  postMessage,
  presenceRow,
  textbox,
  uniq,
} from "./helpers";

// An identity that lasts: a passkey brings you back as yourself in a browser that never saw
// you; a sign-in link signs a second browser in; signing that one out from the first ends its
// session there, live. Passkeys run on Chromium's own WebAuthn stack, with a virtual
// authenticator from the DevTools protocol (the WebAuthn domain). WebAuthn needs a domain
// name, so these pages are opened at localhost (playwright.config.ts).

/** A virtual platform authenticator (user verification built in) for `page`'s browser tab. */
async function authenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

const profileLink = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "You" }).getByRole("link", { name, exact: true });

async function openProfile(page: Page, name: string): Promise<void> {
  await page.goto("/me");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name, exact: true })).toBeVisible();
}

test("a passkey signs you back in, in a fresh browser, as yourself", async ({ browser, baseURL }) => {
  const name = uniq("Ada");
  const said = uniq("mine to edit");
  let laptop: BrowserContext | null = null;
  let phone: BrowserContext | null = null;
  try {
    laptop = await browser.newContext({ baseURL });
    const page = await laptop.newPage();
    const device = await authenticator(page);
    await page.goto("/");
    await join(page, name);
    const space = await createSpace(page, uniq("Garden"));
    await postMessage(page, said);

    await openProfile(page, name);
    await textbox(page, "New passkey's name").fill("Laptop");
    await button(page, "Add a passkey").click();
    const passkeys = page.getByRole("list", { name: "Your passkeys" });
    await expect(passkeys.getByRole("listitem").filter({ hasText: "Laptop" })).toBeVisible();
    const { credentials } = await device.cdp.send("WebAuthn.getCredentials", {
      authenticatorId: device.id,
    });
    expect(credentials).toHaveLength(1);
    expect(credentials[0].isResidentCredential).toBe(true);

    // Signing out: with a passkey, this is not the last way back, so nothing to confirm.
    const sessions = page.getByRole("list", { name: "Your sessions" });
    await button(sessions, "Sign out").click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("navigation", { name: "You" }).getByRole("link", { name: "Sign in" })).toBeVisible();

    // A browser that never saw Ada, holding her passkey (as a phone that synced it would).
    phone = await browser.newContext({ baseURL });
    const other = await phone.newPage();
    const phoneDevice = await authenticator(other);
    await phoneDevice.cdp.send("WebAuthn.addCredential", {
      authenticatorId: phoneDevice.id,
      credential: credentials[0],
    });
    await other.goto("/sign-in");
    await hydrated(other);
    await button(other, "Use a passkey").click();
    await expect(profileLink(other, name)).toBeVisible();

    // Her message is hers here too: she may edit it.
    await other.goto(`/s/${space}`);
    await hydrated(other);
    await expect(button(messageItem(other, said), "Edit")).toBeVisible();
  } finally {
    await laptop?.close();
    await phone?.close();
  }
});

test("a sign-in link signs a second browser in; signed out from the first, it notices and goes offline", async ({ browser, baseURL }) => {
  const name = uniq("Ada");
  const contexts: BrowserContext[] = [];
  const context = async () => {
    const made = await browser.newContext({ baseURL });
    contexts.push(made);
    return made.newPage();
  };
  try {
    const laptop = await context();
    await laptop.goto("/");
    await join(laptop, name);
    const space = await createSpace(laptop, uniq("Porch"));
    await openProfile(laptop, name);
    await button(laptop, "Make a sign-in link").click();
    const link = await textbox(laptop, "Sign-in link").inputValue();
    expect(link).toContain("/link/");
    await expect(laptop.getByRole("img", { name: "QR code of the sign-in link" })).toBeVisible();

    const phone = await context();
    await phone.goto(link);
    await hydrated(phone);
    await expect(phone.getByText(`signs this device in as ${name}`)).toBeVisible();
    await button(phone, "Sign in").click();
    await expect(profileLink(phone, name)).toBeVisible();
    // A link works once.
    const stranger = await context();
    await stranger.goto(link);
    await expect(stranger.getByRole("alert")).toContainText("used, cancelled or has expired");

    // The phone in the space; a watcher sees Ada there, online.
    await phone.goto(`/s/${space}`);
    await hydrated(phone);
    await expect(phone.locator("[data-status]")).toHaveAttribute("data-status", "live");
    const watcher = await context();
    await watcher.goto(`/s/${space}`);
    await expect(presenceRow(watcher, name)).toHaveAttribute("data-online", "true");

    // From the laptop's profile: two sessions; sign the phone's out.
    await openProfile(laptop, name);
    const sessions = laptop.getByRole("list", { name: "Your sessions" });
    await expect(sessions.getByRole("listitem")).toHaveCount(2);
    await button(sessions, "Sign this device out").click();
    await expect(sessions.getByRole("listitem")).toHaveCount(1);

    // The phone's page notices at once; Ada goes offline for the watcher.
    await expect(phone.getByRole("alert").filter({ hasText: "This device was signed out." })).toBeVisible();
    await expect(phone.getByRole("navigation", { name: "You" }).getByRole("link", { name: "Sign in" })).toBeVisible();
    await expect(presenceRow(watcher, name)).toHaveAttribute("data-online", "false");
  } finally {
    for (const made of contexts) await made.close();
  }
});
