import { type BrowserContext, expect, type Locator, type Page } from "@playwright/test";

// Helpers shared by the specs. Everything is located by role and accessible
// name (the UI contract), never by CSS class.
//
// Hydration: the page arrives as server-rendered HTML and the WASM client
// hydrates it a moment later. Until then, clicks may do nothing (or submit the
// form natively). So the first interaction on a freshly loaded page is retried
// until it visibly takes effect, and each retry first checks whether an
// earlier try already took effect, so nothing is created twice.

/** Path of a space page: /s/<uuid>. */
export const SPACE_PATH =
  /^\/s\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/** A full URL whose path is a space page. */
export const SPACE_URL =
  /\/s\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/?(?:[?#].*)?$/i;

/** Per-try limit for one action inside a retried interaction. */
const TRY = { timeout: 2_000 };

/** A short unique label, e.g. `uniq("Ada")` -> "Ada k3x9qz". */
export function uniq(prefix: string): string {
  return `${prefix} ${Math.random().toString(36).slice(2, 8)}`;
}

/** The id of the space whose page is open. */
export function spaceIdOf(page: Page): string {
  const m = SPACE_PATH.exec(new URL(page.url()).pathname);
  if (!m) throw new Error(`not on a space page: ${page.url()}`);
  return m[1];
}

// ---- locators -------------------------------------------------------------

export const spacesList = (page: Page): Locator =>
  page.getByRole("list", { name: "Spaces", exact: true });

export const presence = (page: Page): Locator =>
  page.getByRole("region", { name: "Presence", exact: true });

/** The row of the Presence list that shows `name`. */
export const presenceRow = (page: Page, name: string): Locator =>
  presence(page).getByRole("listitem").filter({ hasText: name });

export const messageList = (page: Page): Locator =>
  page.getByRole("list", { name: "Messages", exact: true });

/** The message item(s) of the Messages list whose text contains `text`. */
export const messageItem = (page: Page, text: string): Locator =>
  messageList(page).getByRole("listitem").filter({ hasText: text });

export const composer = (page: Page): Locator => textbox(page, "Message");

/**
 * A text input or textarea by its label. (By role, not getByLabel: a label
 * wrapping a server-rendered <textarea> also contains the textarea's text, so
 * getByLabel's exact match would miss it; the accessible name does not.)
 */
export const textbox = (scope: Page | Locator, label: string): Locator =>
  scope.getByRole("textbox", { name: label, exact: true });

export const button = (scope: Page | Locator, name: string): Locator =>
  scope.getByRole("button", { name, exact: true });

const signedInText = (page: Page, name: string): Locator =>
  page.getByText(`Signed in as ${name}`);

/** If an early (pre-hydration) native form submit navigated away, go back. */
async function backTo(page: Page, url: string): Promise<void> {
  if (new URL(page.url()).pathname !== new URL(url).pathname) {
    await page.goto(url);
  }
}

// ---- actions --------------------------------------------------------------

/**
 * Wait until the WASM client has hydrated the page (it marks the body). Every
 * action below starts here, so a page that never hydrates fails the test
 * instead of quietly working through the no-JavaScript form posts.
 */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/**
 * Sign in as a new guest called `name` through the "Your name"/"Join" form of
 * the page that is open (`/` or a space page), waiting for hydration.
 */
export async function join(page: Page, name: string): Promise<void> {
  await hydrated(page);
  const where = page.url();
  const nameField = textbox(page, "Your name");
  // On `/` the contract promises "Signed in as <name>"; on a space page it
  // only promises the form, so there success is the form going away.
  const onHome = !SPACE_URL.test(where);
  const joinedNow = async (): Promise<boolean> =>
    onHome
      ? await signedInText(page, name).isVisible()
      : (await nameField.count()) === 0;
  await expect(async () => {
    await backTo(page, where);
    if (await joinedNow()) return;
    await nameField.fill(name, TRY);
    await button(page, "Join").click(TRY);
    if (onHome) {
      await expect(signedInText(page, name)).toBeVisible({ timeout: 3_000 });
    } else {
      await expect(nameField).toHaveCount(0, { timeout: 3_000 });
    }
  }, "joining as " + name).toPass();
}

/**
 * Create a space called `name` from the home page (signed in), land on its
 * page, and return its id.
 */
export async function createSpace(page: Page, name: string): Promise<string> {
  await hydrated(page);
  const home = page.url();
  await expect(async () => {
    if (SPACE_URL.test(page.url())) return;
    await backTo(page, home);
    // An earlier try may have created it already (e.g. a native submit
    // before hydration): follow its link rather than making a second one.
    const existing = spacesList(page).getByRole("link", { name, exact: true });
    if ((await existing.count()) > 0) {
      await existing.first().click(TRY);
    } else {
      await textbox(page, "Space name").fill(name, TRY);
      await button(page, "Create space").click(TRY);
    }
    await expect(page).toHaveURL(SPACE_URL, { timeout: 5_000 });
  }, "creating space " + name).toPass();
  await expect(
    page.getByRole("heading", { level: 1, name, exact: true }),
  ).toBeVisible();
  return spaceIdOf(page);
}

/**
 * Post `text` with the composer of the open space page; waits until it shows
 * in the Messages list (exactly once) and returns its list item.
 */
export async function postMessage(page: Page, text: string): Promise<Locator> {
  await hydrated(page);
  const where = page.url();
  const item = messageItem(page, text);
  await expect(async () => {
    await backTo(page, where);
    if ((await item.count()) > 0) return;
    await composer(page).fill(text, TRY);
    await button(page, "Send").click(TRY);
    await expect(item).toBeVisible({ timeout: 5_000 });
  }, "posting " + JSON.stringify(text)).toPass();
  await expect(item).toHaveCount(1);
  return item;
}

/** The connection indicator of a space page (its `data-status`: live, reconnecting …). */
export const status = (page: Page): Locator => page.locator("[data-status]");

/** Two guests in two browsers, both on the page of a new space that A created. */
export async function twoGuests(
  ctxA: BrowserContext,
  ctxB: BrowserContext,
): Promise<{ pageA: Page; pageB: Page; nameA: string; nameB: string; id: string }> {
  const nameA = uniq("Ana");
  const nameB = uniq("Ben");
  const pageA = await ctxA.newPage();
  await pageA.goto("/");
  await join(pageA, nameA);
  const id = await createSpace(pageA, uniq("Studio"));
  const pageB = await ctxB.newPage();
  await pageB.goto("/");
  await join(pageB, nameB);
  await pageB.goto(`/s/${id}`);
  await hydrated(pageB);
  await expect(status(pageA)).toHaveAttribute("data-status", "live");
  await expect(status(pageB)).toHaveAttribute("data-status", "live");
  return { pageA, pageB, nameA, nameB, id };
}

/** Hides or shows a tab as the browser would (Playwright's pages are all shown). */
export async function setShown(page: Page, shown: boolean): Promise<void> {
  await page.evaluate((shown) => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => !shown });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  }, shown);
}
