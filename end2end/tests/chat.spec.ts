import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import {
  button,
  composer,
  createSpace,
  hydrated,
  join,
  messageItem,
  messageList,
  postMessage,
  presence,
  presenceRow,
  status,
  textbox,
  twoGuests,
  uniq,
} from "./helpers";

const section = (page: Page, title: string) =>
  presence(page).getByRole("list", { name: new RegExp(`^${title}`) });


test("two people: presence, messages both ways, edits, deletes and a rename, live", async ({ browser, baseURL }) => {
  const ctxA = await browser.newContext({ baseURL });
  const ctxB = await browser.newContext({ baseURL });
  try {
    const { pageA, pageB, nameA, nameB } = await twoGuests(ctxA, ctxB);

    // Each sees the other online, in the Online section.
    await expect(section(pageA, "Online").getByText(nameB)).toBeVisible();
    await expect(section(pageB, "Online").getByText(nameA)).toBeVisible();

    // Messages both ways; a second message from the same author joins its run (no header).
    const fromA = uniq("hello from A");
    const againA = uniq("and again");
    const fromB = uniq("hi from B");
    await postMessage(pageA, fromA);
    await postMessage(pageA, againA);
    await postMessage(pageB, fromB);
    for (const page of [pageA, pageB]) {
      await expect(messageItem(page, fromA)).toContainText(nameA);
      await expect(messageItem(page, againA)).not.toContainText(nameA);
      await expect(messageItem(page, fromB)).toContainText(nameB);
    }

    // A edits; B deletes its own: each side sees the other's change.
    const edited = uniq("edited by A");
    await button(messageItem(pageA, againA), "Edit").click();
    await textbox(pageA, "Edit message").fill(edited);
    await textbox(pageA, "Edit message").press("Enter");
    await expect(messageItem(pageB, edited)).toHaveCount(1);
    await expect(messageItem(pageB, againA)).toHaveCount(0);
    await button(messageItem(pageB, fromB), "Delete").click();
    await expect(messageItem(pageA, fromB)).toHaveCount(0);

    // Nobody can edit or delete someone else's message.
    await expect(button(messageItem(pageB, fromA), "Edit")).toHaveCount(0);
    await expect(button(messageItem(pageB, fromA), "Delete")).toHaveCount(0);

    // B renames itself: A sees the new name in presence and on B's messages.
    const renamed = uniq("Benedict");
    const fromB2 = uniq("B once more");
    await postMessage(pageB, fromB2);
    await button(presenceRow(pageB, nameB), "Rename").click();
    await textbox(pageB, "Display name").fill(renamed);
    await button(pageB, "Save name").click();
    await expect(presenceRow(pageA, renamed)).toBeVisible();
    await expect(messageItem(pageA, fromB2)).toContainText(renamed);
    await expect(presenceRow(pageA, nameB)).toHaveCount(0);
    // Only your own name has a rename control.
    await expect(button(presenceRow(pageA, renamed), "Rename")).toHaveCount(0);

    // B closes the page: after the grace period A shows B offline.
    await pageB.close();
    await expect(section(pageA, "Offline").getByText(renamed)).toBeVisible({ timeout: 15_000 });
    await expect(section(pageA, "Online").getByText(renamed)).toHaveCount(0);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test("a page offline while 30 messages are posted shows each exactly once, in order", async ({ browser, baseURL }) => {
  const ctxA = await browser.newContext({ baseURL });
  const ctxB = await browser.newContext({ baseURL });
  try {
    const { pageA, pageB } = await twoGuests(ctxA, ctxB);
    await ctxB.setOffline(true);
    await expect(status(pageB)).toHaveAttribute("data-status", "offline");

    // A types 30 messages as fast as the keyboard goes; each shows at once, then is confirmed.
    const lines = Array.from({ length: 30 }, (_, i) => `${uniq("burst")} #${i}`);
    for (const line of lines) {
      await composer(pageA).fill(line);
      await composer(pageA).press("Enter");
    }
    await expect(messageList(pageA).locator("li.pending")).toHaveCount(0, { timeout: 20_000 });
    const onA = await messageList(pageA).locator("li .content").allTextContents();
    expect(onA.filter((t) => lines.includes(t))).toEqual(lines);

    // B still shows what it knew, and none of the burst.
    await expect(messageItem(pageB, lines[0])).toHaveCount(0);
    await ctxB.setOffline(false);
    await expect(status(pageB)).toHaveAttribute("data-status", "live");
    await expect(messageItem(pageB, lines[29])).toHaveCount(1);
    const onB = await messageList(pageB).locator("li .content").allTextContents();
    expect(onB.filter((t) => lines.includes(t))).toEqual(lines);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test("a message written offline waits, says so, and is sent once when back", async ({ browser, baseURL }) => {
  const ctxA = await browser.newContext({ baseURL });
  const ctxB = await browser.newContext({ baseURL });
  try {
    const { pageA, pageB } = await twoGuests(ctxA, ctxB);
    await ctxA.setOffline(true);
    await expect(status(pageA)).toHaveAttribute("data-status", "offline");
    await expect(pageA.getByText("You are offline.", { exact: false })).toBeVisible();
    const text = uniq("written on the train");
    await composer(pageA).fill(text);
    await composer(pageA).press("Enter");
    await expect(messageItem(pageA, text)).toContainText("will send when you are back online");
    await expect(messageItem(pageB, text)).toHaveCount(0);

    await ctxA.setOffline(false);
    await expect(messageItem(pageB, text)).toHaveCount(1);
    await expect(messageList(pageA).locator("li.pending")).toHaveCount(0);
    await expect(messageItem(pageA, text)).toHaveCount(1);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test("a refused message says 'not sent' and can be retried or discarded; a refused edit is undone", async ({ page }) => {
  await page.goto("/");
  await join(page, uniq("Cam"));
  const id = await createSpace(page, uniq("Refusals"));

  // The server refuses the next post: the row stays, marked, with a retry.
  let refuse = true;
  await page.route("**/rpc/post_message*", async (route) => {
    if (refuse) {
      await route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({ code: "internal", message: "the server had a problem" }),
      });
    } else {
      await route.continue();
    }
  });
  const text = uniq("refused once");
  await composer(page).fill(text);
  await composer(page).press("Enter");
  await expect(messageItem(page, text)).toContainText("not sent");
  refuse = false;
  await button(messageItem(page, text), "Retry").click();
  await expect(messageItem(page, text)).not.toContainText("not sent");
  await expect(messageList(page).locator("li.pending")).toHaveCount(0);

  // An edit the server refuses goes back to what it was, with a notice.
  await page.route("**/rpc/edit_message*", (route) =>
    route.fulfill({
      status: 403,
      contentType: "application/json",
      body: JSON.stringify({ code: "forbidden", message: "not yours" }),
    }),
  );
  await button(messageItem(page, text), "Edit").click();
  await textbox(page, "Edit message").fill("never kept");
  await textbox(page, "Edit message").press("Enter");
  await expect(page.getByRole("alert").filter({ hasText: "Your edit was not saved" })).toBeVisible();
  await expect(messageItem(page, text)).toHaveCount(1);
  await expect(messageItem(page, "never kept")).toHaveCount(0);

  // After a reload the message is there once: the retry did not store it twice.
  await page.unrouteAll();
  await page.goto(`/s/${id}`);
  await expect(messageItem(page, text)).toHaveCount(1);
});

test("a bot's message shows its progress while it streams, and its error when it fails", async ({ page }) => {
  await page.goto("/");
  await join(page, uniq("Operator"));
  const id = await createSpace(page, uniq("Bot lab"));
  const api = page.request;
  const bot = await (await api.post("/api/beings", { data: { kind: "bot", name: uniq("Helper"), location_id: id } })).json();
  await expect(section(page, "Spaces and bots").getByText(bot.name)).toBeVisible();

  const said = await api.post(`/api/spaces/${id}/intentions`, {
    data: { content: "Let me think", state: "draft", as: bot.id },
  });
  expect(said.status()).toBe(201);
  const answer = await said.json();
  const row = messageItem(page, "Let me think");
  await expect(row).toContainText("starting…");
  await expect(row).toContainText(bot.name);
  await expect(row).toHaveAttribute("aria-busy", "true");

  await api.patch(`/api/intentions/${answer.id}`, { data: { content: "Let me think about that", state: "active" } });
  await expect(messageItem(page, "Let me think about that")).toContainText("writing…");
  await api.patch(`/api/intentions/${answer.id}`, { data: { content: "The answer is 42.", state: "complete" } });
  const done = messageItem(page, "The answer is 42.");
  await expect(done).toHaveAttribute("aria-busy", "false");
  await expect(done).not.toContainText("writing…");

  const broken = await (
    await api.post(`/api/spaces/${id}/intentions`, { data: { content: "Working", state: "active", as: bot.id } })
  ).json();
  await api.patch(`/api/intentions/${broken.id}`, { data: { content: "the model timed out", state: "failed" } });
  await expect(messageItem(page, "the model timed out")).toContainText("failed");
  await expect(messageItem(page, "the model timed out")).toHaveClass(/failed/);
});
