import { expect, test, type Page } from "@playwright/test";
import { createSpace, join, messageItem, messageList, postMessage, uniq } from "./helpers";

const pwned = (page: Page) =>
  page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

test("a message containing HTML is shown as literal text, never run", async ({ page }) => {
  const payload = `<img src=x onerror="window.__pwned=1"><b>bold</b> ${uniq("tail")}`;

  await page.goto("/");
  await join(page, uniq("Mallory"));
  await createSpace(page, uniq("Sandbox"));

  // Rendered by the client: the literal characters show, no element is made.
  const item = await postMessage(page, payload);
  await expect(item).toContainText(payload);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(messageList(page).locator("b", { hasText: /^bold$/ })).toHaveCount(0);
  expect(await pwned(page)).toBeUndefined();

  // Rendered by the server: same. The load event comes after any image has
  // failed to load, so an injected onerror would have run by now.
  await page.reload({ waitUntil: "load" });
  await expect(messageItem(page, payload)).toHaveCount(1);
  await expect(messageItem(page, payload)).toContainText(payload);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(messageList(page).locator("b", { hasText: /^bold$/ })).toHaveCount(0);
  expect(await pwned(page)).toBeUndefined();
});
