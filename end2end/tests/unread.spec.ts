import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import {
  button,
  composer,
  hydrated,
  messageItem,
  postMessage,
  setShown,
  spacesList,
  status,
  twoGuests,
} from "./helpers";

// Unread messages and mentions, kept by the server: each being's mark per space moves as the
// bottom of the conversation is seen in a shown tab, and every tab and device of that being
// hears it. The home page counts unread messages and mentions per space; the conversation
// draws a "New" line where you left; the tab's title counts what waits; `@` completes names.

/** Waits until the server has a mark for the page's being in `space`. */
async function hasRead(page: Page, space: string): Promise<void> {
  await expect(async () => {
    const read = await (await page.request.get(`/api/spaces/${space}/read`)).json();
    expect(read.up_to).not.toBeNull();
  }).toPass();
}

const spaceRow = (page: Page, name: string) =>
  spacesList(page).getByRole("listitem").filter({ hasText: name });
const newLine = (page: Page) => page.getByRole("separator", { name: "New messages" });

test("the home page counts unread messages and mentions; the space shows where you left", async ({ browser }) => {
  const [ctxA, ctxB] = [await browser.newContext(), await browser.newContext()];
  const { pageA, pageB, nameB, id } = await twoGuests(ctxA, ctxB);
  const spaceName = await pageA.getByRole("heading", { level: 1 }).innerText();
  await postMessage(pageA, "before you left");
  await expect(messageItem(pageB, "before you left")).toBeVisible();
  await hasRead(pageB, id);

  await pageB.goto("/");
  await hydrated(pageB);
  await expect(spaceRow(pageB, spaceName).getByLabel(/unread|mention/)).toHaveCount(0);
  await postMessage(pageA, "hello again");
  await postMessage(pageA, `hey @${nameB}, look`);
  await pageB.reload();
  await expect(spaceRow(pageB, spaceName).getByLabel("2 unread messages")).toHaveText("2");
  await expect(spaceRow(pageB, spaceName).getByLabel("1 mention of you")).toHaveText("@1");

  await spaceRow(pageB, spaceName).getByRole("link").click();
  await expect(status(pageB)).toHaveAttribute("data-status", "live");
  // The line is drawn above the first message that came after the mark, and stays.
  await expect(newLine(pageB)).toHaveCount(1);
  await expect(messageItem(pageB, "hello again").getByRole("separator")).toHaveCount(1);
  await expect(messageItem(pageB, "look")).toHaveClass(/mentions-me/);
  await expect(messageItem(pageA, "look")).not.toHaveClass(/mentions-me/);
  // Seen at the bottom of a shown tab: read, so the home page has nothing to count.
  await expect(pageB).toHaveTitle(`${spaceName} · rhizom`);
  await expect(async () => {
    const read = await (await pageB.request.get(`/api/spaces/${id}/read`)).json();
    expect([read.unread, read.mentions]).toEqual([0, 0]);
  }).toPass();
  await pageB.goto("/");
  await expect(spaceRow(pageB, spaceName)).toBeVisible();
  await expect(spaceRow(pageB, spaceName).getByLabel(/unread|mention/)).toHaveCount(0);
  await ctxA.close();
  await ctxB.close();
});

test("reading in one tab clears the count in the others and on another device", async ({ browser }) => {
  const [ctxA, ctxB] = [await browser.newContext(), await browser.newContext()];
  const { pageA, pageB, id } = await twoGuests(ctxA, ctxB);
  const spaceName = await pageA.getByRole("heading", { level: 1 }).innerText();
  await hasRead(pageB, id);
  // Ben's second tab, and his other device (the same being, signed in there too).
  const tab2 = await ctxB.newPage();
  const ctxC: BrowserContext = await browser.newContext({ storageState: await ctxB.storageState() });
  const device = await ctxC.newPage();
  for (const page of [tab2, device]) {
    await page.goto(`/s/${id}`);
    await hydrated(page);
    await expect(status(page)).toHaveAttribute("data-status", "live");
  }
  const ben = [pageB, tab2, device];
  for (const page of ben) await setShown(page, false);

  await postMessage(pageA, "while you were away");
  for (const page of ben) {
    await expect(messageItem(page, "while you were away")).toBeVisible();
    await expect(page).toHaveTitle(`(1) ${spaceName} · rhizom`);
    await expect(newLine(page)).toHaveCount(1);
  }
  // Ben looks at one tab: every tab and the other device hear the mark move.
  await setShown(pageB, true);
  for (const page of ben) await expect(page).toHaveTitle(`${spaceName} · rhizom`);
  await ctxA.close();
  await ctxB.close();
  await ctxC.close();
});

test("@ completes the names of the space, and the mention is marked out for its reader", async ({ browser }) => {
  const [ctxA, ctxB] = [await browser.newContext(), await browser.newContext()];
  const { pageA, pageB, nameA } = await twoGuests(ctxA, ctxB);
  const options = pageB.getByRole("listbox", { name: "People to mention" });
  await composer(pageB).pressSequentially(`thanks @${nameA.slice(0, 2).toLowerCase()}`, { delay: 30 });
  await expect(options.getByRole("option")).toHaveText([`@${nameA}`]);
  await expect(options.getByRole("option", { selected: true })).toHaveText(`@${nameA}`);
  await composer(pageB).press("Escape");
  await expect(options).toHaveCount(0);
  await composer(pageB).press("Backspace");
  await composer(pageB).pressSequentially(nameA.slice(1, 2).toLowerCase());
  await expect(options).toBeVisible();
  // Enter picks the name, not sending the message.
  await composer(pageB).press("Enter");
  await expect(composer(pageB)).toHaveValue(`thanks @${nameA} `);
  await expect(options).toHaveCount(0);
  await composer(pageB).pressSequentially("!");
  await button(pageB, "Send").click();
  const said = `thanks @${nameA} !`;
  await expect(messageItem(pageA, said)).toHaveClass(/mentions-me/);
  await expect(messageItem(pageB, said)).not.toHaveClass(/mentions-me/);
  await ctxA.close();
  await ctxB.close();
});
