import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { button, createSpace, join, messageList, postMessage, textbox, uniq } from "./helpers";

// A bot in a space, answered by a model (a local stand-in that speaks the OpenAI streaming
// format: end2end/model-server.mjs): its reply appears at once, grows in place — only its own
// row changes — and completes; a reply can be stopped while it streams; a failure says why.

function startModel(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn("node", [path.join(__dirname, "../model-server.mjs")], {
    env: { ...process.env, MODEL_PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (part) => {
      seen += part.toString();
      const found = /listening=(\d+)/.exec(seen);
      if (found) resolve({ child, port: Number(found[1]) });
    });
    child.once("exit", (code) => reject(new Error(`the model server exited with ${code}`)));
  });
}

test("a bot answers while the page watches its text grow; Stop works; a failure says why", async ({ page }) => {
  test.setTimeout(120_000);
  const model = await startModel();
  try {
    const bot = uniq("Echo");
    await page.goto("/");
    await join(page, uniq("Ada"));
    await createSpace(page, uniq("Lab"));
    await expect(page.locator("[data-status]")).toHaveAttribute("data-status", "live");

    await button(page, "Add a bot").click();
    await textbox(page, "Bot's name").fill(bot);
    await textbox(page, "Base URL").fill(`http://127.0.0.1:${model.port}/v1`);
    await textbox(page, "Model").fill("e2e-model");
    await textbox(page, "System prompt").fill("Echo what you hear.");
    await button(page, "Add the bot").click();
    await expect(page.getByRole("status").filter({ hasText: `${bot} is here.` })).toBeVisible();

    // Watch what changes in the list while the reply streams.
    await messageList(page).evaluate((list) => {
      const touched = new Set<string>();
      (window as any).__touched = touched;
      new MutationObserver((records) => {
        for (const record of records) {
          const node = record.target instanceof Element ? record.target : record.target.parentElement;
          const row = node?.closest("li.message");
          touched.add(row?.getAttribute("data-id") ?? "the list itself");
        }
      }).observe(list, { subtree: true, childList: true, characterData: true });
    });
    const asked = uniq("hello there");
    await postMessage(page, asked);
    const reply = messageList(page).getByRole("listitem").filter({ hasText: `You said: ${asked}` });
    // It grows: seen partly written, then whole.
    const partly = messageList(page).getByRole("listitem").filter({ hasText: "You said:" }).filter({ hasText: "writing…" });
    await expect(partly).toBeVisible();
    await expect(reply).toBeVisible();
    await expect(reply).not.toHaveAttribute("aria-busy", "true");
    const touched: string[] = await messageList(page).evaluate(() => [...(window as any).__touched]);
    const replyId = await reply.getAttribute("data-id");
    // Only the new rows (the message and the reply) changed; no other row was touched.
    expect(touched.filter((id) => id !== replyId).length).toBeLessThanOrEqual(2);
    expect(touched).toContain(replyId);

    // A long answer, stopped while it streams.
    await postMessage(page, "slow, please");
    const long = messageList(page).getByRole("listitem").filter({ hasText: "and so it goes on" });
    await expect(long).toHaveAttribute("aria-busy", "true");
    await button(long, "Stop").click();
    await expect(long).toHaveAttribute("aria-busy", "false");
    const stoppedAt = await long.locator(".content").innerText();
    await page.waitForTimeout(1_000);
    expect(await long.locator(".content").innerText()).toBe(stoppedAt);

    // A refusal: failed, with its reason, in the error colour.
    await postMessage(page, "please fail now");
    const failed = messageList(page).getByRole("listitem").filter({ hasText: "the model refused" });
    await expect(failed).toBeVisible();
    await expect(failed).toHaveClass(/failed/);
  } finally {
    model.child.kill();
  }
});
