// `client` bench: in headless Chromium, the time and the DOM mutations for the page to apply
// one delta (a new message posted by someone else), in a space of 10 and of 10,000 messages.
//
//   node end2end/bench/client.mjs --url http://127.0.0.1:3990 --sizes 10,10000 --samples 40
//
// The page is rhizom's own, unchanged: a script added before it loads wraps the listeners the
// client puts on its EventSource, so each `delta` event is timed from its dispatch to the last
// DOM mutation it causes (Leptos applies the store synchronously and redraws in microtasks).
// Prints a markdown table.

import { chromium } from "@playwright/test";
import { api as request } from "./api.mjs";

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const base = arg("--url", "http://127.0.0.1:3000");
const sizes = arg("--sizes", "10,10000").split(",").map(Number);
const samples = Number(arg("--samples", "40"));

const api = (cookie, method, path, body) => request(base, cookie, method, path, body);

async function seededSpace(cookie, messages) {
  const space = await (await api(cookie, "POST", "/api/spaces", { name: `client bench ${messages}` })).json();
  const batch = 32;
  for (let start = 0; start < messages; start += batch) {
    const n = Math.min(batch, messages - start);
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        api(cookie, "POST", `/api/spaces/${space.id}/intentions`, { content: `seed ${start + i}` }),
      ),
    );
  }
  return space.id;
}

// Runs in the page before its scripts.
function instrument() {
  window.__applied = [];
  const add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (type, listener, options) {
    if (type !== "delta") return add.call(this, type, listener, options);
    const timed = function (event) {
      const began = performance.now();
      let nodes = 0;
      let last = began;
      const observer = new MutationObserver((records) => {
        last = performance.now();
        for (const r of records) nodes += r.type === "childList" ? r.addedNodes.length + r.removedNodes.length : 1;
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      listener.call(this, event);
      const sync = performance.now() - began;
      setTimeout(() => {
        observer.disconnect();
        window.__applied.push({ sync, total: last - began, nodes });
      }, 0);
    };
    return add.call(this, type, timed, options);
  };
}

const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.round((s.length - 1) * p)];
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const cookie = (await api(null, "POST", "/api/session", { name: "client bench" })).headers
  .get("set-cookie")
  .split(";")[0];
console.log("| messages in the space | rows in the page | samples | apply p50 ms | apply p90 ms | store (sync) p50 ms | DOM nodes touched per delta |");
console.log("|---|---|---|---|---|---|---|");
for (const size of sizes) {
  const id = await seededSpace(cookie, size);
  const page = await browser.newPage();
  await page.addInitScript(instrument);
  await page.goto(`${base}/s/${id}`);
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.locator('[data-status="live"]').waitFor();
  const rows = await page.locator("ol.messages > li").count();
  for (let i = 0; i < samples + 5; i++) {
    const before = await page.evaluate(() => window.__applied.length);
    await api(cookie, "POST", `/api/spaces/${id}/intentions`, { content: `sample ${i}` });
    await page.waitForFunction((n) => window.__applied.length > n, before);
  }
  // The first few warm the page up.
  const applied = (await page.evaluate(() => window.__applied)).slice(5);
  const total = applied.map((a) => a.total);
  // How many samples touched each number of nodes, the commonest first: "2 ×37, 5 ×1".
  const counts = new Map();
  for (const a of applied) counts.set(a.nodes, (counts.get(a.nodes) ?? 0) + 1);
  const nodes = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([n, times]) => `${n} ×${times}`)
    .join(", ");
  console.log(
    `| ${size} | ${rows} | ${applied.length} | ${quantile(total, 0.5).toFixed(2)} | ${quantile(total, 0.9).toFixed(2)} | ${quantile(applied.map((a) => a.sync), 0.5).toFixed(2)} | ${nodes} |`,
  );
  await page.close();
}
await browser.close();
