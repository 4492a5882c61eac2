import { expect, test } from "@playwright/test";
import {
  button,
  createSpace,
  join,
  presenceRow,
  spacesList,
  textbox,
  uniq,
} from "./helpers";

test("a guest picks a name, creates a space and lands in it", async ({ page }) => {
  const name = uniq("Ada");
  const spaceName = uniq("Garden");

  await page.goto("/");
  await expect(
    spacesList(page).getByRole("link", { name: "Lobby", exact: true }),
  ).toBeVisible();

  await join(page, name);
  await expect(page.getByText(`Signed in as ${name}`)).toBeVisible();
  await expect(textbox(page, "Your name")).toHaveCount(0);

  const id = await createSpace(page, spaceName);
  expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/s/${id}/?$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(spaceName);

  // Opening a space moves you into it: you are listed in its Presence, and
  // your own row is the one you can rename.
  const me = presenceRow(page, name);
  await expect(me).toBeVisible();
  await expect(button(me, "Rename")).toBeVisible();

  // The home page now lists the new space, linking to its page.
  await page.goto("/");
  const link = spacesList(page).getByRole("link", { name: spaceName, exact: true });
  await expect(link).toHaveCount(1);
  await expect(link).toHaveAttribute("href", new RegExp(`/s/${id}/?$`));
});

test("a visitor on a space page can join there and is then in its Presence", async ({
  page,
}) => {
  const name = uniq("Wanderer");

  await page.goto("/");
  await spacesList(page).getByRole("link", { name: "Lobby", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Lobby");

  // Not signed in: the same form as on the home page.
  await expect(textbox(page, "Your name")).toBeVisible();
  await expect(button(page, "Join")).toBeVisible();

  await join(page, name);

  // Opening the space while signed in puts you in it (checked on a fresh load,
  // so it does not depend on whether joining itself moves you).
  await page.reload();
  await expect(textbox(page, "Your name")).toHaveCount(0);
  await expect(presenceRow(page, name)).toBeVisible();
});
