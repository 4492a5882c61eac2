import { expect, type Page, test } from "@playwright/test";
import { button, composer, messageItem, status, twoGuests } from "./helpers";

// "Ada is typing…" reaches the others within a second or two, clears a few seconds after the
// typing stops (at once when her message arrives), never shows to herself, and is not brought
// back by a reconnect: it is never kept anywhere.

const typing = (page: Page) => page.getByRole("status", { name: "Typing", exact: true });

test("typing shows to the others, clears when it stops, and a reload does not bring it back", async ({ browser }) => {
  const [ctxA, ctxB] = [await browser.newContext(), await browser.newContext()];
  const { pageA, pageB, nameA } = await twoGuests(ctxA, ctxB);

  await composer(pageA).pressSequentially("hello the", { delay: 40 });
  await expect(typing(pageB)).toHaveText(`${nameA} is typing…`, { timeout: 2_000 });
  await expect(typing(pageA)).toHaveText("");
  // She stops: a few seconds later it is gone.
  await expect(typing(pageB)).toHaveText("", { timeout: 10_000 });

  // She types again; Ben's page reloads meanwhile: it comes back live without the old news.
  await composer(pageA).pressSequentially("re", { delay: 40 });
  await expect(typing(pageB)).toHaveText(`${nameA} is typing…`, { timeout: 2_000 });
  await pageB.reload();
  await expect(status(pageB)).toHaveAttribute("data-status", "live");
  // Live again, and a moment later still nothing: the stream did not bring it back.
  await pageB.waitForTimeout(1_500);
  await expect(typing(pageB)).toHaveText("");

  // Her message clears it at once, well before it would time out. (A page says it is typing
  // at most once in three seconds: wait those out first.)
  await pageA.waitForTimeout(3_100);
  await composer(pageA).pressSequentially("!", { delay: 40 });
  await expect(typing(pageB)).toHaveText(`${nameA} is typing…`, { timeout: 2_000 });
  await button(pageA, "Send").click();
  await expect(messageItem(pageB, "hello there!")).toBeVisible();
  await expect(typing(pageB)).toHaveText("", { timeout: 1_500 });
  await ctxA.close();
  await ctxB.close();
});
