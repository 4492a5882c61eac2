import { expect, test } from "@playwright/test";
import {
  button,
  createSpace,
  join,
  messageItem,
  messageList,
  postMessage,
  presenceRow,
  textbox,
  uniq,
} from "./helpers";

// Live sync in a real browser: what one guest does reaches the other without a reload, and a
// page that goes offline catches up exactly once it is back.
test("changes reach another guest live, and an offline page catches up exactly", async ({ browser, baseURL }) => {
  const nameA = uniq("Alice");
  const nameB = uniq("Bob");
  const ctxA = await browser.newContext({ baseURL });
  const ctxB = await browser.newContext({ baseURL });
  try {
    const pageA = await ctxA.newPage();
    await pageA.goto("/");
    await join(pageA, nameA);
    const id = await createSpace(pageA, uniq("Commons"));

    const pageB = await ctxB.newPage();
    await pageB.goto("/");
    await join(pageB, nameB);
    await pageB.goto(`/s/${id}`);
    await expect(pageB.locator("[data-status]")).toHaveAttribute("data-status", "live");
    await expect(pageA.locator("[data-status]")).toHaveAttribute("data-status", "live");

    // Each sees the other arrive, online.
    await expect(presenceRow(pageA, nameB)).toHaveAttribute("data-online", "true");
    await expect(presenceRow(pageB, nameA)).toHaveAttribute("data-online", "true");

    // A posts, edits, deletes: B sees each as it happens.
    const text = uniq("hello live");
    const mine = await postMessage(pageA, text);
    await expect(messageItem(pageB, text)).toHaveCount(1);
    await button(mine, "Edit").click();
    const edited = uniq("edited live");
    await textbox(pageA, "Edit message").fill(edited);
    await button(pageA, "Save").click();
    await expect(messageItem(pageB, edited)).toHaveCount(1);
    await expect(messageItem(pageB, text)).toHaveCount(0);
    await button(messageItem(pageA, edited), "Delete").click();
    await expect(messageItem(pageB, edited)).toHaveCount(0);

    // B drops off; A posts five messages; B comes back and shows each once, in order.
    await ctxB.setOffline(true);
    await expect(pageB.locator("[data-status]")).toHaveAttribute("data-status", "offline");
    const burst = Array.from({ length: 5 }, (_, i) => uniq(`while away ${i}`));
    for (const line of burst) {
      await postMessage(pageA, line);
    }
    await ctxB.setOffline(false);
    await expect(pageB.locator("[data-status]")).toHaveAttribute("data-status", "live");
    for (const line of burst) {
      await expect(messageItem(pageB, line)).toHaveCount(1);
    }
    const shown = await messageList(pageB).locator("li .content").allTextContents();
    expect(shown.filter((t) => burst.includes(t))).toEqual(burst);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

// A proxy that buffers event streams: every stream opens and closes at once. The page notices,
// switches to polling `/changes`, and still shows what others write.
test("when streams are blocked the page falls back to polling and stays current", async ({ browser, baseURL }) => {
  const ctxA = await browser.newContext({ baseURL });
  const ctxB = await browser.newContext({ baseURL });
  try {
    const pageA = await ctxA.newPage();
    await pageA.goto("/");
    await join(pageA, uniq("Alice"));
    const id = await createSpace(pageA, uniq("Behind a proxy"));

    const pageB = await ctxB.newPage();
    await pageB.route("**/api/live*", (route) =>
      route.fulfill({ status: 200, contentType: "text/event-stream", body: "" }),
    );
    await pageB.goto(`/s/${id}`);
    await expect(pageB.locator("[data-status]")).toHaveAttribute("data-status", "polling", { timeout: 20_000 });

    const text = uniq("through the proxy");
    await postMessage(pageA, text);
    await expect(messageItem(pageB, text)).toHaveCount(1, { timeout: 10_000 });
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
