import { expect, type Response, test } from "@playwright/test";
import { hydrated } from "./helpers";

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
