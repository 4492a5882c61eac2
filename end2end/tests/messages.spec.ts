import { expect, test } from "@playwright/test";
import {
  button,
  composer,
  createSpace,
  join,
  messageItem,
  postMessage,
  textbox,
  uniq,
} from "./helpers";

test("post, edit and delete messages; the result is server-rendered after a reload", async ({
  page,
}) => {
  const author = uniq("Poster");
  const original = uniq("first draft");
  const edited = uniq("second take");
  const doomed = uniq("doomed note");
  const unsaved = uniq("never saved");

  await page.goto("/");
  await join(page, author);
  await createSpace(page, uniq("Workshop"));

  // Post: the message shows, with its author, and the composer is cleared.
  const item = await postMessage(page, original);
  await expect(item).toContainText(author);
  await expect(composer(page)).toHaveValue("");
  await postMessage(page, doomed);

  // Edit, then cancel: nothing changes.
  await button(messageItem(page, doomed), "Edit").click();
  const editor = textbox(page, "Edit message");
  await expect(editor).toHaveValue(doomed);
  await editor.fill(unsaved);
  await button(page, "Cancel").click();
  await expect(editor).toHaveCount(0);
  await expect(messageItem(page, doomed)).toHaveCount(1);
  await expect(messageItem(page, unsaved)).toHaveCount(0);

  // Edit and save: the new text replaces the old.
  await button(messageItem(page, original), "Edit").click();
  await expect(editor).toHaveValue(original);
  await expect(button(page, "Cancel")).toBeVisible();
  await editor.fill(edited);
  await button(page, "Save").click();
  await expect(messageItem(page, edited)).toHaveCount(1);
  await expect(messageItem(page, original)).toHaveCount(0);
  await expect(editor).toHaveCount(0);

  // Delete (no confirmation): it is gone; the other message stays.
  await button(messageItem(page, doomed), "Delete").click();
  await expect(messageItem(page, doomed)).toHaveCount(0);
  await expect(messageItem(page, edited)).toHaveCount(1);

  // The state persisted on the server: a reload shows the same...
  await page.reload();
  await expect(messageItem(page, edited)).toHaveCount(1);
  await expect(messageItem(page, edited)).toContainText(author);
  await expect(messageItem(page, original)).toHaveCount(0);
  await expect(messageItem(page, doomed)).toHaveCount(0);

  // ...and it is in the server-rendered HTML itself, not only after hydration.
  const res = await page.request.get(page.url());
  expect(res.ok()).toBeTruthy();
  const html = await res.text();
  expect(html).toContain(edited);
  expect(html).not.toContain(original);
  expect(html).not.toContain(doomed);
});
