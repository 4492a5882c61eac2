import { expect, type Page, type Response, test } from "@playwright/test";
import { createSpace, hydrated, join, uniq } from "./helpers";

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
  const wasmFetched = (page: Page): string[] => {
    const paths: string[] = [];
    page.on("request", (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith("/pkg/") && path.endsWith(".wasm")) paths.push(path);
    });
    return paths;
  };
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
