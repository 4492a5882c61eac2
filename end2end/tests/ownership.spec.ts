import { expect, test } from "@playwright/test";
import {
  button,
  createSpace,
  join,
  messageItem,
  postMessage,
  presenceRow,
  uniq,
} from "./helpers";

test("another guest gets no Edit/Delete on your messages; the space's owner gets Delete only", async ({
  browser,
  baseURL,
}) => {
  const nameA = uniq("Alice");
  const nameB = uniq("Bob");
  const fromA = uniq("hello from Alice");
  const fromB = uniq("hello from Bob");

  const ctxA = await browser.newContext({ baseURL });
  const ctxB = await browser.newContext({ baseURL });
  try {
    // A creates a space and posts; A may edit and delete it.
    const pageA = await ctxA.newPage();
    await pageA.goto("/");
    await join(pageA, nameA);
    const id = await createSpace(pageA, uniq("Commons"));
    const aOnA = await postMessage(pageA, fromA);
    await expect(button(aOnA, "Edit")).toBeVisible();
    await expect(button(aOnA, "Delete")).toBeVisible();

    // B joins and opens the same space (no live updates yet: a fresh load).
    const pageB = await ctxB.newPage();
    await pageB.goto("/");
    await join(pageB, nameB);
    await pageB.goto(`/s/${id}`);
    // B's own message gets the buttons (so the page is hydrated and the
    // buttons are rendered at all)...
    const bOnB = await postMessage(pageB, fromB);
    await expect(button(bOnB, "Edit")).toBeVisible();
    await expect(button(bOnB, "Delete")).toBeVisible();
    // ...A's does not.
    const aOnB = messageItem(pageB, fromA);
    await expect(aOnB).toHaveCount(1);
    await expect(aOnB).toContainText(nameA);
    await expect(button(aOnB, "Edit")).toHaveCount(0);
    await expect(button(aOnB, "Delete")).toHaveCount(0);
    // Only your own Presence row can be renamed.
    await expect(button(presenceRow(pageB, nameB), "Rename")).toBeVisible();
    await expect(presenceRow(pageB, nameA)).toBeVisible();
    await expect(button(presenceRow(pageB, nameA), "Rename")).toHaveCount(0);

    // And the other way round, after A reloads: A owns the space, so A moderates it and may
    // delete B's message, but never edit it.
    await pageA.reload();
    await expect(button(messageItem(pageA, fromA), "Edit")).toBeVisible();
    const bOnA = messageItem(pageA, fromB);
    await expect(bOnA).toHaveCount(1);
    await expect(button(bOnA, "Edit")).toHaveCount(0);
    await expect(button(bOnA, "Delete")).toBeVisible();
    // B may remove nobody; A may remove B from the space, but nobody removes A.
    await expect(button(presenceRow(pageB, nameA), "Remove " + nameA + " from this space")).toHaveCount(0);
    await expect(button(presenceRow(pageA, nameA), "Remove " + nameA + " from this space")).toHaveCount(0);
    await expect(button(presenceRow(pageA, nameB), "Remove " + nameB + " from this space")).toBeVisible();
    // Removing B: B leaves the space's presence, and can speak there no more.
    await button(presenceRow(pageA, nameB), "Remove " + nameB + " from this space").click();
    await expect(presenceRow(pageA, nameB)).toHaveCount(0);
    await button(bOnA, "Delete").click();
    await expect(messageItem(pageA, fromB)).toHaveCount(0);
    await expect(messageItem(pageB, fromB)).toHaveCount(0);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
