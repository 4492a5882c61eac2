import { expect, test } from "@playwright/test";
import {
  button,
  createSpace,
  join,
  presence,
  presenceRow,
  postMessage,
  textbox,
  uniq,
} from "./helpers";

test("renaming yourself changes your Presence row and your messages' author", async ({
  page,
}) => {
  const oldName = uniq("Ada");
  const newName = uniq("Grace");
  const text = uniq("signed message");

  await page.goto("/");
  await join(page, oldName);
  await createSpace(page, uniq("Atelier"));
  const item = await postMessage(page, text);
  await expect(item).toContainText(oldName);

  await button(presenceRow(page, oldName), "Rename").click();
  const field = textbox(page, "Display name");
  await expect(field).toBeVisible();
  await field.fill(newName);
  await button(page, "Save name").click();

  await expect(presenceRow(page, newName)).toBeVisible();
  await expect(presence(page)).not.toContainText(oldName);
  await expect(item).toContainText(newName);
  await expect(item).not.toContainText(oldName);

  // Persisted: a fresh load shows the new name everywhere.
  await page.reload();
  const me = presenceRow(page, newName);
  await expect(me).toBeVisible();
  await expect(button(me, "Rename")).toBeVisible();
  await expect(presence(page)).not.toContainText(oldName);
  await expect(item).toContainText(newName);
  await expect(item).not.toContainText(oldName);
});
