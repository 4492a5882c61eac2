import { expect, test } from "@playwright/test";
import { createSpace, hydrated, join, postMessage, uniq } from "./helpers";

// Times show in the reader's own time zone once the page is hydrated; the server, which
// cannot know it, renders UTC in the same format, so the switch moves nothing.

/** `HH:MM` of an instant in a time zone. */
const hourMinute = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(iso),
  );

// Kolkata is UTC+5:30 all year: every time differs from UTC's.
test.use({ timezoneId: "Asia/Kolkata" });

test("a message's time is the reader's, after the server's UTC", async ({ page, browser }) => {
  await page.goto("/");
  await join(page, uniq("Ada"));
  await createSpace(page, uniq("Clock"));
  const message = await postMessage(page, "what time is it");
  // The server's copy, with the server's time.
  await expect(message).not.toHaveClass(/pending/);
  const time = message.locator("time");
  const at = await time.getAttribute("datetime");
  expect(at).not.toBeNull();
  const local = hourMinute(at!, "Asia/Kolkata");
  expect(local).not.toBe(hourMinute(at!, "UTC"));
  await expect(time).toHaveText(local);

  // The page as the server renders it, before any script runs: UTC, same width.
  const plain = await browser.newContext({ javaScriptEnabled: false, timezoneId: "Asia/Kolkata" });
  const raw = await plain.newPage();
  await raw.goto(page.url());
  await expect(raw.locator(`time[datetime="${at}"]`)).toHaveText(hourMinute(at!, "UTC"));
  await plain.close();

  // Reloaded with scripts, it turns local once hydrated.
  await page.reload();
  await hydrated(page);
  await expect(page.locator(`time[datetime="${at}"]`)).toHaveText(local);
});
