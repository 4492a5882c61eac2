import { expect, test } from "@playwright/test";
import { button, composer, hydrated, messageItem, messageList, postMessage, status, twoGuests, uniq } from "./helpers";
import { OwnServer } from "./server";

// The offline tier: a page visited once loads again while the server cannot be reached (the
// service worker keeps the page and its files), with what arrived live after it was loaded (the
// space's kept state), marked as not live and as of when; a message
// written then waits through a reload (the durable outbox), and when the server is back it is
// sent once, by its id, and the other person sees it once.
test("without the server a visited space still loads, and a message written then survives a reload and is sent once", async ({
  browser,
}) => {
  const server = new OwnServer(Number(process.env.E2E_PORT ?? 3917) + 6);
  await server.start();
  const ctxA = await browser.newContext({ baseURL: server.baseURL });
  const ctxB = await browser.newContext({ baseURL: server.baseURL });
  try {
    const { pageA, pageB } = await twoGuests(ctxA, ctxB);
    const before = uniq("said before");
    await composer(pageA).fill(before);
    await composer(pageA).press("Enter");
    await expect(messageItem(pageB, before)).toHaveCount(1);

    // Once the service worker has the page in hand, the page and its files are kept.
    await pageA.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await pageA.reload();
    await hydrated(pageA);
    await expect.poll(() => pageA.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await expect(status(pageA)).toHaveAttribute("data-status", "live");
    // Said after that load: the kept page does not have it, the space's kept state will.
    const later = uniq("said after the last load");
    await postMessage(pageB, later);
    await expect(messageItem(pageA, later)).toHaveCount(1);
    await expect
      .poll(() =>
        pageA.evaluate(async (text) => {
          const states = await caches.open("rhizom-states-v1");
          for (const key of await states.keys()) {
            if ((await (await states.match(key))!.text()).includes(text)) return true;
          }
          return false;
        }, later),
      )
      .toBe(true);

    await server.stop();
    await pageA.reload();
    await hydrated(pageA);
    await expect(messageItem(pageA, before)).toHaveCount(1);
    await expect(messageItem(pageA, later)).toHaveCount(1);
    await expect(status(pageA)).not.toHaveAttribute("data-status", "live");
    await expect(status(pageA)).toContainText("as of");

    const during = uniq("written without the server");
    await composer(pageA).fill(during);
    await composer(pageA).press("Enter");
    await expect(messageItem(pageA, during)).toContainText("waiting to send");
    await pageA.reload();
    await hydrated(pageA);
    await expect(messageItem(pageA, during)).toContainText("waiting to send");

    await server.start();
    await expect(status(pageA)).toHaveAttribute("data-status", "live", { timeout: 30_000 });
    await expect(status(pageB)).toHaveAttribute("data-status", "live", { timeout: 30_000 });
    for (const page of [pageA, pageB]) {
      await expect(messageItem(page, during)).toHaveCount(1);
      await expect(messageList(page).locator("li.pending")).toHaveCount(0);
    }
    // Loaded afresh from the server: it was stored once.
    await pageB.reload();
    await hydrated(pageB);
    await expect(messageItem(pageB, during)).toHaveCount(1);
  } finally {
    await ctxA.close();
    await ctxB.close();
    await server.dispose();
  }
});

// The service worker keeps the last 50 pages visited, not every page ever visited.
test("the kept pages are the newest fifty", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto("/");
  await hydrated(page);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  for (let n = 0; n < 55; n++) await page.goto(`/?visit=${n}`, { waitUntil: "commit" });
  await page.goto("/?visit=last");
  const kept = await page.evaluate(async () => {
    const pages = await caches.open("rhizom-pages-v1");
    return (await pages.keys()).map((request) => new URL(request.url).search);
  });
  expect(kept.length).toBeLessThanOrEqual(50);
  expect(kept).toContain("?visit=last");
  expect(kept).not.toContain("?visit=0");
});

// A message kept in the outbox whose post reached the server but whose answer was lost goes
// again by its id when the page comes back; if it was deleted meanwhile, it stays deleted (the
// server answers 410) and the page forgets it.
test("a kept message that reached the server and was deleted meanwhile stays deleted after a reload", async ({
  browser,
}) => {
  const ctxA = await browser.newContext();
  const ctxB = await browser.newContext();
  try {
    const { pageA, pageB } = await twoGuests(ctxA, ctxB);
    await pageB.route("**/rpc/post_message*", async (route) => {
      await route.fetch();
      await route.abort("failed");
    });
    const text = uniq("answer lost");
    await composer(pageB).fill(text);
    await composer(pageB).press("Enter");
    await expect(messageItem(pageA, text)).toHaveCount(1);
    const kept = () => pageB.evaluate(() => localStorage.getItem("rhizom.outbox") ?? "");
    expect(await kept(), "kept to be sent again").toContain(text);

    // The space's owner deletes it; Ben's page comes back with it still kept.
    await button(messageItem(pageA, text), "Delete").click();
    await expect(messageItem(pageB, text)).toHaveCount(0);
    await pageB.unroute("**/rpc/post_message*");
    await pageB.reload();
    await hydrated(pageB);
    await expect.poll(kept, "sent again, and forgotten").not.toContain(text);
    await pageB.waitForTimeout(1_000);
    await expect(messageItem(pageB, text)).toHaveCount(0);
    await expect(messageItem(pageA, text)).toHaveCount(0);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
