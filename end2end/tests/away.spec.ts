import { expect, test } from "@playwright/test";
import { hydrated, presenceRow, setShown, status, twoGuests } from "./helpers";

// Away: a being whose every tab of a space has been hidden for a while (here 1 s,
// RHIZOM_AWAY_AFTER_MS) shows as away to the others, not online; one tab shown again brings
// them back at once.

test("away once every tab is hidden a while, online again when one is shown", async ({ browser }) => {
  const [ctxA, ctxB] = [await browser.newContext(), await browser.newContext()];
  const { pageA, pageB, nameB, id } = await twoGuests(ctxA, ctxB);
  const ben = presenceRow(pageA, nameB);
  await expect(ben).toHaveAttribute("data-online", "true");
  await expect(ben).toHaveAttribute("data-away", "false");

  // One of his two tabs hidden: the other still shows him here.
  const tab2 = await ctxB.newPage();
  await tab2.goto(`/s/${id}`);
  await hydrated(tab2);
  await expect(status(tab2)).toHaveAttribute("data-status", "live");
  await setShown(pageB, false);
  await pageA.waitForTimeout(2_500);
  await expect(ben).toHaveAttribute("data-away", "false");

  // Both hidden: away, still listed among those online.
  await setShown(tab2, false);
  await expect(ben).toHaveAttribute("data-away", "true", { timeout: 5_000 });
  await expect(ben.getByText("away", { exact: true })).toBeVisible();
  await expect(ben).toHaveAttribute("data-online", "true");

  // One shown again: back at once.
  await setShown(pageB, true);
  await expect(ben).toHaveAttribute("data-away", "false", { timeout: 3_000 });
  await expect(ben.getByText("away", { exact: true })).toHaveCount(0);
  await ctxA.close();
  await ctxB.close();
});
