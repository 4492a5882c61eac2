import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { createSpace, hydrated, join, messageItem, status, uniq } from "./helpers";
import { OwnServer } from "./server";

// One connection per browser (docs/SYNC.md): over plain HTTP/1.1, where Chromium opens at most
// six connections to a host, twelve tabs of one browser on twelve spaces all load and go live,
// because they share one stream held by the tab that leads. Each message reaches its tab once,
// and when the leading tab closes, another leads and the next messages arrive once in every tab
// left.

/** How many event streams the server holds open (its own metric). */
async function streamsOpen(request: APIRequestContext): Promise<number> {
  const text = await (await request.get("/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith("rhizom_streams_open "));
  return Number(line?.split(" ")[1]);
}

/** Posts `text` in each space, through the API, as the writer. */
async function postEach(writer: APIRequestContext, ids: string[], prefix: string): Promise<string[]> {
  const texts: string[] = [];
  for (const id of ids) {
    const text = uniq(prefix);
    const posted = await writer.post(`/api/spaces/${id}/intentions`, { data: { content: text } });
    expect(posted.ok(), await posted.text()).toBeTruthy();
    texts.push(text);
  }
  return texts;
}

/** Each tab shows its own message exactly once (and still once a moment later). */
async function eachOnce(tabs: Page[], texts: string[]): Promise<void> {
  for (const [i, tab] of tabs.entries()) {
    await expect(messageItem(tab, texts[i])).toHaveCount(1);
  }
  await tabs[0].waitForTimeout(500);
  for (const [i, tab] of tabs.entries()) {
    await expect(messageItem(tab, texts[i])).toHaveCount(1);
  }
}

test("twelve tabs share one stream over HTTP/1.1, and closing the leading tab loses nothing", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const server = new OwnServer(Number(process.env.E2E_PORT ?? 3917) + 7);
  await server.start();
  const reader = await browser.newContext({ baseURL: server.baseURL });
  const writing = await browser.newContext({ baseURL: server.baseURL });
  try {
    const writerPage = await writing.newPage();
    await writerPage.goto("/");
    await join(writerPage, uniq("Wren"));
    await writerPage.goto("about:blank");
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const made = await writing.request.post("/api/spaces", { data: { name: uniq(`Room ${i}`) } });
      expect(made.ok(), await made.text()).toBeTruthy();
      ids.push((await made.json()).id);
    }

    const first = await reader.newPage();
    await first.goto("/");
    await join(first, uniq("Rhea"));
    await first.goto(`/s/${ids[0]}`);
    const tabs = [first];
    for (const id of ids.slice(1)) {
      const tab = await reader.newPage();
      await tab.goto(`/s/${id}`);
      tabs.push(tab);
    }
    for (const tab of tabs) {
      await hydrated(tab);
      await expect(status(tab)).toHaveAttribute("data-status", "live");
    }
    // One stream for the whole browser.
    await expect.poll(() => streamsOpen(writing.request)).toBe(1);

    await eachOnce(tabs, await postEach(writing.request, ids, "first round"));

    // The leading tab closes: another leads, and nothing is lost or shown twice.
    const leaders = [];
    for (const tab of tabs) {
      if ((await tab.locator("body[data-leads]").count()) > 0) leaders.push(tab);
    }
    expect(leaders).toHaveLength(1);
    const left = tabs.filter((tab) => tab !== leaders[0]);
    const leftIds = ids.filter((_, i) => tabs[i] !== leaders[0]);
    const closedAt = Date.now();
    await leaders[0].close();
    await expect.poll(async () => {
      let leading = 0;
      for (const tab of left) leading += await tab.locator("body[data-leads]").count();
      return leading;
    }).toBe(1);
    const ledAt = Date.now();
    const after = await postEach(writing.request, leftIds, "after the leader left");
    const postedAt = Date.now();
    for (const [i, tab] of left.entries()) await expect(messageItem(tab, after[i])).toHaveCount(1);
    const reachedAt = Date.now();
    await eachOnce(left, after);
    console.log(
      `leader closed: another led within ${ledAt - closedAt} ms; 11 messages posted ` +
        `(${postedAt - ledAt} ms) were all shown within ${reachedAt - postedAt} ms of the last post`,
    );
    await expect.poll(() => streamsOpen(writing.request)).toBe(1);
  } finally {
    await reader.close();
    await writing.close();
    await server.dispose();
  }
});

// A tab that opens another space while the stream is down (waiting out its backoff) brings the
// stream back as a new one: every tab shows it catching up, then live, not "reconnecting" for
// good.
test("a tab opening a space while the stream waits to reconnect brings every tab back live", async ({
  browser,
}) => {
  const context = await browser.newContext();
  try {
    const first = await context.newPage();
    await first.goto("/");
    await join(first, uniq("Remy"));
    const other = await createSpace(first, uniq("Other room"));
    await first.goto("/");
    await createSpace(first, uniq("First room"));
    await expect(status(first)).toHaveAttribute("data-status", "live");

    // The stream is cut and every attempt refused for a while: the backoff grows.
    await context.route("**/api/live*", (route) => route.abort());
    await context.setOffline(true);
    await context.setOffline(false);
    await expect(status(first)).toHaveAttribute("data-status", "reconnecting");
    await first.waitForTimeout(4_000);
    await context.unroute("**/api/live*");

    const second = await context.newPage();
    await second.goto(`/s/${other}`);
    await hydrated(second);
    await expect(status(second)).toHaveAttribute("data-status", "live");
    await expect(status(first)).toHaveAttribute("data-status", "live");
  } finally {
    await context.close();
  }
});
