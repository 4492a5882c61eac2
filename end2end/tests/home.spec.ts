import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { hydrated, postMessage, spacesList, twoGuests, uniq } from "./helpers";
import { OwnServer } from "./server";

// The home page, live: one stream follows every listed space, so each row's latest message,
// who is there, and the reader's unread count and mentions change as they happen, and
// reading a space anywhere (another tab, another device) clears its count on every home page.
// One change rewrites one row, however many spaces are listed.

const row = (page: Page, id: string) => spacesList(page).locator(`li[data-space="${id}"]`);

async function openHome(page: Page): Promise<void> {
  await page.goto("/");
  await hydrated(page);
  await expect(spacesList(page)).toHaveAttribute("data-live", "true");
}

test("a row changes live as people come and talk, and reading anywhere clears it everywhere", async ({
  browser,
}) => {
  const [ctxA, ctxB] = [await browser.newContext(), await browser.newContext()];
  const { pageA, pageB, nameA, id } = await twoGuests(ctxA, ctxB);
  // Ben has read the space; now he watches the home page, here and on another device.
  await expect(async () => {
    const read = await (await pageB.request.get(`/api/spaces/${id}/read`)).json();
    expect(read.up_to).not.toBeNull();
  }).toPass();
  const ctxC: BrowserContext = await browser.newContext({ storageState: await ctxB.storageState() });
  const homes = [pageB, await ctxC.newPage()];
  for (const home of homes) await openHome(home);
  for (const home of homes) await expect(row(home, id)).toContainText(`1 here: ${nameA}`);

  await postMessage(pageA, "fresh news");
  for (const home of homes) {
    await expect(row(home, id).locator(".latest")).toHaveText(`${nameA}: fresh news`);
    await expect(row(home, id).getByLabel("1 unread message")).toHaveText("1");
  }
  // Ana leaves the space: the count follows (after the presence grace period).
  await pageA.goto("/");
  for (const home of homes) await expect(row(home, id)).not.toContainText("here", { timeout: 10_000 });

  // Ben reads it in a tab of his own: every home page of his clears.
  const tab = await ctxB.newPage();
  await tab.goto(`/s/${id}`);
  await hydrated(tab);
  for (const home of homes) {
    await expect(row(home, id).getByLabel(/unread/)).toHaveCount(0);
  }
  await ctxA.close();
  await ctxB.close();
  await ctxC.close();
});

// A `read` event is never replayed: a home page that was offline when its reader read a space
// elsewhere asks for its marks again once it is back.
test("a space read elsewhere while the home page was offline is cleared once it is back", async ({
  browser,
}) => {
  const [ctxA, ctxB] = [await browser.newContext(), await browser.newContext()];
  const { pageA, pageB, id } = await twoGuests(ctxA, ctxB);
  await openHome(pageB);
  await postMessage(pageA, "while you were out");
  await expect(row(pageB, id).getByLabel("1 unread message")).toHaveText("1");

  await ctxB.setOffline(true);
  const ctxPhone = await browser.newContext({ storageState: await ctxB.storageState() });
  const phone = await ctxPhone.newPage();
  await phone.goto(`/s/${id}`);
  await hydrated(phone);
  await expect
    .poll(async () => (await (await phone.request.get(`/api/spaces/${id}/read`)).json()).unread)
    .toBe(0);
  await ctxB.setOffline(false);
  await expect(spacesList(pageB)).toHaveAttribute("data-live", "true");
  await expect(row(pageB, id).getByLabel(/unread/)).toHaveCount(0);
  await ctxA.close();
  await ctxB.close();
  await ctxPhone.close();
});

test("with 200 spaces listed, one new message rewrites one row", async ({ browser, playwright }) => {
  test.setTimeout(180_000);
  // Two hundred spaces made as fast as the server takes them: on a server of its own without
  // the write limits.
  const server = new OwnServer(Number(process.env.E2E_PORT ?? 3917) + 5, {
    RHIZOM_WRITE_RATE_PER_BEING: "off",
    RHIZOM_WRITE_RATE_PER_ADDRESS: "off",
  });
  await server.start();
  const api = await playwright.request.newContext({ baseURL: server.baseURL });
  const context = await browser.newContext({ baseURL: server.baseURL });
  try {
    expect((await api.post("/api/session", { data: { name: uniq("Maker") } })).ok()).toBeTruthy();
    const ids: string[] = [];
    for (let start = 0; start < 199; start += 20) {
      const made = await Promise.all(
        Array.from({ length: Math.min(20, 199 - start) }, (_, i) =>
          api.post("/api/spaces", { data: { name: `Space ${start + i}` } }),
        ),
      );
      for (const reply of made) ids.push((await reply.json()).id);
    }
    const page = await context.newPage();
    await openHome(page);
    // The Lobby and the 199.
    await expect(spacesList(page).locator("li[data-space]")).toHaveCount(200);

    await page.evaluate(() => {
      const w = window as unknown as { __rows: Set<string>; __nodes: number };
      w.__rows = new Set();
      w.__nodes = 0;
      new MutationObserver((records) => {
        for (const r of records) {
          w.__nodes += r.type === "childList" ? r.addedNodes.length + r.removedNodes.length : 1;
          const el = r.target instanceof Element ? r.target : r.target.parentElement;
          w.__rows.add(el?.closest("li[data-space]")?.getAttribute("data-space") ?? "outside");
        }
      }).observe(document.querySelector('[aria-label="Spaces"]')!, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
    });
    const target = ids[123];
    const posted = await api.post(`/api/spaces/${target}/intentions`, { data: { content: "only here" } });
    expect(posted.ok()).toBeTruthy();
    await expect(row(page, target).locator(".latest")).toContainText("only here");
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100))));
    const { rows, nodes } = await page.evaluate(() => {
      const w = window as unknown as { __rows: Set<string>; __nodes: number };
      return { rows: [...w.__rows], nodes: w.__nodes };
    });
    console.log(`home page of 200 spaces, one post: rows touched ${JSON.stringify(rows)}, nodes ${nodes}`);
    expect(rows).toEqual([target]);
    expect(nodes).toBeLessThanOrEqual(4);
  } finally {
    await api.dispose();
    await context.close();
    await server.dispose();
  }
});
