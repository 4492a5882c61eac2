import { expect, test } from "@playwright/test";
import { composer, createSpace, hydrated, join, messageItem, messageList, status, uniq } from "./helpers";
import { OwnServer } from "./server";

// The server goes away mid-session (a deploy) and comes back on the same database: both pages
// recover by themselves and nothing is lost, including a message written while it was down.
test("the server restarts mid-session; both pages recover by themselves and lose nothing", async ({ browser }) => {
  const server = new OwnServer(Number(process.env.E2E_PORT ?? 3917) + 1);
  await server.start();
  const ctxA = await browser.newContext({ baseURL: server.baseURL });
  const ctxB = await browser.newContext({ baseURL: server.baseURL });
  try {
    const pageA = await ctxA.newPage();
    await pageA.goto("/");
    await join(pageA, uniq("Ada"));
    const id = await createSpace(pageA, uniq("Engine room"));
    const pageB = await ctxB.newPage();
    await pageB.goto("/");
    await join(pageB, uniq("Bo"));
    await pageB.goto(`/s/${id}`);
    await hydrated(pageB);

    const before = uniq("before the restart");
    await composer(pageA).fill(before);
    await composer(pageA).press("Enter");
    await expect(messageItem(pageB, before)).toHaveCount(1);

    await server.stop();
    await expect(status(pageA)).toHaveAttribute("data-status", "reconnecting");
    await expect(status(pageB)).toHaveAttribute("data-status", "reconnecting");
    const during = uniq("written while it was down");
    await composer(pageA).fill(during);
    await composer(pageA).press("Enter");
    await expect(messageItem(pageA, during)).toContainText("waiting to send");

    await server.start();
    await expect(status(pageA)).toHaveAttribute("data-status", "live", { timeout: 30_000 });
    await expect(status(pageB)).toHaveAttribute("data-status", "live", { timeout: 30_000 });
    for (const page of [pageA, pageB]) {
      await expect(messageItem(page, during)).toHaveCount(1);
      const shown = await messageList(page).locator("li .content").allTextContents();
      expect(shown).toEqual([before, during]);
    }
    await expect(messageList(pageA).locator("li.pending")).toHaveCount(0);
  } finally {
    await ctxA.close();
    await ctxB.close();
    await server.dispose();
  }
});
