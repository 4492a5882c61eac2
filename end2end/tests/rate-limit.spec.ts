import { expect, test } from "@playwright/test";
import { composer, createSpace, hydrated, join, messageItem, messageList, uniq } from "./helpers";
import { OwnServer } from "./server";

// Past the write limit the server answers 429 with Retry-After: the page keeps the message,
// says it will send it in a moment, waits as told, and sends it. Nothing typed is lost.
test("a message over the rate limit waits, says so, and goes through", async ({ browser }) => {
  const server = new OwnServer(Number(process.env.E2E_PORT ?? 3917) + 2, {
    RHIZOM_WRITE_RATE_PER_BEING: "1/s burst 3",
  });
  await server.start();
  const context = await browser.newContext({ baseURL: server.baseURL });
  try {
    const page = await context.newPage();
    await page.goto("/");
    await join(page, uniq("Ada"));
    await createSpace(page, uniq("Quick talk"));
    await hydrated(page);
    const said = [uniq("one"), uniq("two"), uniq("three"), uniq("four")];
    for (const text of said) {
      await composer(page).fill(text);
      await composer(page).press("Enter");
    }
    // At least one waits, and the page says why.
    await expect(messageList(page).getByText(/too many messages at once — sending in \d+ s/)).toBeVisible();
    // Then every one goes through, once, in order.
    for (const text of said) {
      await expect(messageItem(page, text)).toHaveCount(1);
    }
    await expect(messageList(page).locator("li.pending")).toHaveCount(0, { timeout: 20_000 });
    const shown = await messageList(page).locator("li .content").allTextContents();
    expect(shown).toEqual(said);
    // The server has each once too.
    await page.reload();
    await hydrated(page);
    const stored = await messageList(page).locator("li .content").allTextContents();
    expect(stored).toEqual(said);
  } finally {
    await context.close();
    await server.dispose();
  }
});
