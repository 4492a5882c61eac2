import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { hydrated, messageItem, messageList, uniq } from "./helpers";
import { OwnServer } from "./server";

// What one change costs in the DOM. A MutationObserver on the whole chat counts the nodes each
// change adds, removes or rewrites. The count must stay within a small fixed bound, and be the
// same in a space of 2,000 messages (all loaded into the page) as in a space of 10.

const BOUND = 6;

interface Cost {
  records: number;
  nodes: number;
}

async function seed(api: APIRequestContext, messages: number): Promise<string> {
  const space = await api.post("/api/spaces", { data: { name: uniq("Archive") } });
  expect(space.ok(), await space.text()).toBeTruthy();
  const id = (await space.json()).id as string;
  // Several requests at a time: the server stores them in order of arrival.
  const batch = 20;
  for (let start = 0; start < messages; start += batch) {
    const posted = await Promise.all(
      Array.from({ length: Math.min(batch, messages - start) }, (_, i) =>
        api.post(`/api/spaces/${id}/intentions`, { data: { content: `old message ${start + i}` } }),
      ),
    );
    for (const reply of posted) expect(reply.status(), await reply.text()).toBe(201);
  }
  return id;
}

/** Opens the space and scrolls back, as a reader would, until every message is in the page. */
async function openAll(page: Page, id: string, messages: number): Promise<void> {
  await page.goto(`/s/${id}`);
  await hydrated(page);
  await expect(page.locator("[data-status]")).toHaveAttribute("data-status", "live");
  const rows = messageList(page).getByRole("listitem");
  await expect(rows).toHaveCount(Math.min(messages, 50));
  for (let shown = await rows.count(); shown < messages; shown = await rows.count()) {
    // Reaching the top loads the next older page, and puts the view back where it was.
    await page.locator(".scroller").evaluate((el) => {
      el.scrollTop = 0;
    });
    await expect(rows).not.toHaveCount(shown, { timeout: 30_000 });
    expect(await page.locator(".scroller").evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  }
  await expect(rows).toHaveCount(messages);
  // Back at the newest message, where a reader follows the conversation.
  await page.locator(".scroller").evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
}

async function observe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __records: MutationRecord[]; __observer: MutationObserver };
    w.__records = [];
    w.__observer?.disconnect();
    w.__observer = new MutationObserver((records) => w.__records.push(...records));
    w.__observer.observe(document.querySelector("section.chat")!, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
}

async function cost(page: Page): Promise<Cost> {
  // Let the page finish drawing, then read what changed.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
  return page.evaluate(() => {
    const records = (window as unknown as { __records: MutationRecord[] }).__records;
    const nodes = records.reduce(
      (n, r) => n + (r.type === "childList" ? r.addedNodes.length + r.removedNodes.length : 1),
      0,
    );
    return { records: records.length, nodes };
  });
}

async function measure(page: Page, api: APIRequestContext, id: string, messages: number) {
  await openAll(page, id, messages);
  await observe(page);
  const text = uniq("one more");
  const posted = await api.post(`/api/spaces/${id}/intentions`, { data: { content: text } });
  expect(posted.ok()).toBeTruthy();
  await expect(messageItem(page, text)).toHaveCount(1);
  const add = await cost(page);

  await observe(page);
  const edited = uniq("one more, edited");
  const patched = await api.patch(`/api/intentions/${(await posted.json()).id}`, { data: { content: edited } });
  expect(patched.ok()).toBeTruthy();
  await expect(messageItem(page, edited)).toHaveCount(1);
  const edit = await cost(page);
  return { add, edit };
}

test("one new message and one edit touch a small fixed number of nodes, at 10 or 2,000 messages", async ({
  browser,
  playwright,
}) => {
  test.setTimeout(240_000);
  // Two thousand messages written as fast as the server takes them: a bulk load, not a person,
  // so on a server of its own without the write limits.
  const server = new OwnServer(Number(process.env.E2E_PORT ?? 3917) + 3, {
    RHIZOM_WRITE_RATE_PER_BEING: "off",
    RHIZOM_WRITE_RATE_PER_ADDRESS: "off",
  });
  await server.start();
  const baseURL = server.baseURL;
  const api = await playwright.request.newContext({ baseURL });
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  try {
    expect((await api.post("/api/session", { data: { name: uniq("Scribe") } })).ok()).toBeTruthy();
    const small = await seed(api, 10);
    const large = await seed(api, 2_000);

    const atSmall = await measure(page, api, small, 10);
    const atLarge = await measure(page, api, large, 2_000);
    console.log(`DOM cost at 10 messages: ${JSON.stringify(atSmall)}; at 2,000: ${JSON.stringify(atLarge)}`);

    for (const { add, edit } of [atSmall, atLarge]) {
      expect(add.nodes).toBeGreaterThan(0);
      expect(add.nodes).toBeLessThanOrEqual(BOUND);
      expect(edit.nodes).toBeGreaterThan(0);
      expect(edit.nodes).toBeLessThanOrEqual(BOUND);
    }
    expect(atLarge).toEqual(atSmall);
  } finally {
    await api.dispose();
    await context.close();
    await server.dispose();
  }
});
