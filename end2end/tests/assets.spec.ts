import { expect, type Page, type Response, test } from "@playwright/test";
import { button, composer, createSpace, hydrated, join, messageItem, postMessage, textbox, uniq } from "./helpers";

/** The wasm files `page` fetches from now on, in order. */
function wasmFetched(page: Page): string[] {
  const paths: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith("/pkg/") && path.endsWith(".wasm")) paths.push(path);
  });
  return paths;
}

// The client's files carry a hash of their content in their names, so the browser keeps them
// for a year without asking again; a new build has new names.

test("the client's files are named by their hash and kept for a year", async ({ page }) => {
  const fetched: Response[] = [];
  page.on("response", (response) => {
    if (new URL(response.url()).pathname.startsWith("/pkg/")) fetched.push(response);
  });
  await page.goto("/");
  await hydrated(page);
  const paths = fetched.map((response) => new URL(response.url()).pathname);
  for (const kind of ["js", "wasm", "css"]) {
    expect(paths, kind).toContainEqual(expect.stringMatching(new RegExp(`^/pkg/rhizom\\.[\\w-]{6,}\\.${kind}$`)));
  }
  for (const response of fetched) {
    expect(response.headers()["cache-control"], response.url()).toBe("public, max-age=31536000, immutable");
  }
});

// Every page but the space page is a lazy route (`cargo leptos --split`): a space page, where a
// shared link lands, fetches the main wasm alone; another page's parts come only when that page
// is shown, and a page loaded with parts names them all in its head, so they come at once rather
// than one after another.
test("a space page loads the main wasm alone, and another page's parts only when it is shown", async ({
  browser,
}) => {
  const owner = await browser.newContext();
  const visitor = await browser.newContext();
  const newcomer = await browser.newContext();
  try {
    const page = await owner.newPage();
    await page.goto("/");
    await join(page, uniq("Owner"));
    await createSpace(page, uniq("split space"));

    const reader = await visitor.newPage();
    const wasm = wasmFetched(reader);
    await reader.goto(page.url());
    await hydrated(reader);
    expect(wasm, "the main wasm alone").toEqual([expect.stringMatching(/^\/pkg\/rhizom\.[\w-]+\.wasm$/)]);

    await reader.getByRole("link", { name: "Sign in", exact: true }).click();
    await expect(reader).toHaveURL(/\/sign-in$/);
    await expect(reader.getByRole("button", { name: "Join" })).toBeVisible();
    const parts = wasm.slice(1);
    expect(parts.length, "the sign-in page's parts, fetched when it is shown").toBeGreaterThan(0);
    expect(new Set(parts).size, "each part fetched once").toBe(parts.length);

    const direct = await newcomer.newPage();
    const atLoad = wasmFetched(direct);
    await direct.goto("/sign-in");
    await hydrated(direct);
    const preloaded = await direct
      .locator('head link[rel="preload"][as="fetch"]')
      .evaluateAll((links) => links.map((link) => new URL((link as HTMLLinkElement).href).pathname));
    expect(atLoad.length, "the main wasm and the page's parts").toBeGreaterThan(1);
    expect(new Set(atLoad).size, "each fetched once").toBe(atLoad.length);
    expect(new Set(preloaded), "every part the page needs is named in its head").toEqual(new Set(atLoad));
  } finally {
    await owner.close();
    await visitor.close();
    await newcomer.close();
  }
});

// Only a signed-in reader writes or adds a bot, so the composer and "Add a bot" are parts of the
// client of their own (`#[lazy]`): the stranger above fetched the main wasm alone; a signed-in
// reader's page fetches them, each once, and they work; a stranger who joins on the page gets
// the composer then.
test("the composer and 'Add a bot' come as parts of their own, for a signed-in reader alone", async ({
  browser,
}) => {
  const owner = await browser.newContext();
  const stranger = await browser.newContext();
  try {
    const page = await owner.newPage();
    await page.goto("/");
    await join(page, uniq("Writer"));
    await createSpace(page, uniq("parts space"));

    const again = await owner.newPage();
    const wasm = wasmFetched(again);
    await again.goto(page.url());
    await hydrated(again);
    await expect(composer(again)).toBeVisible();
    await expect(button(again, "Add a bot")).toBeVisible();
    expect(wasm.length, "the main wasm and the signed-in parts").toBeGreaterThan(1);
    expect(new Set(wasm).size, "each fetched once").toBe(wasm.length);
    await postMessage(again, "written with the lazy composer");
    await button(again, "Add a bot").click();
    await expect(textbox(again, "Bot's name")).toBeVisible();

    const visitor = await stranger.newPage();
    const visitorWasm = wasmFetched(visitor);
    await visitor.goto(page.url());
    await hydrated(visitor);
    expect(visitorWasm, "a stranger's page: the main wasm alone").toHaveLength(1);
    await expect(composer(visitor)).toHaveCount(0);
    await join(visitor, uniq("Newcomer"));
    await expect(composer(visitor)).toBeVisible();
    expect(visitorWasm.length, "the composer's part, once joined").toBeGreaterThan(1);
    await postMessage(visitor, "the newcomer writes");
    await expect(messageItem(again, "the newcomer writes")).toBeVisible();
  } finally {
    await owner.close();
    await stranger.close();
  }
});
