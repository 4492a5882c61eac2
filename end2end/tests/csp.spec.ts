import { expect, test } from "@playwright/test";
import { createSpace, hydrated, join, postMessage, uniq } from "./helpers";

// Every page runs under its Content-Security-Policy (only its own, nonce'd scripts and wasm):
// the app hydrates, works, and the browser reports no violation.
test("the app works under its Content-Security-Policy and breaks none of it", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`Content Security Policy violated: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const response = await page.goto("/");
  expect(response?.headers()["content-security-policy"]).toContain("'nonce-");
  await join(page, uniq("Ada"));
  await createSpace(page, uniq("Policy"));
  await hydrated(page);
  await postMessage(page, uniq("allowed"));
  expect(violations).toEqual([]);
});
