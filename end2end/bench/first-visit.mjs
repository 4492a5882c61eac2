// `first-visit` bench: a space page opened in headless Chromium throttled as Chromium's
// DevTools throttles a slow phone (1.6 Mbps down, 750 kbps up, 150 ms latency; the "Fast 3G"
// preset): the bytes that travel and the time until the page is hydrated, on a first visit (an
// empty cache) and on a second one (the same browser, a new tab).
//
//   node end2end/bench/first-visit.mjs --url http://127.0.0.1:3990 --samples 3 [--page home]
//
// The page is a space's (where a shared link lands; the default) or the home page (`--page
// home`), whose code is a lazy route loaded beside the main wasm.
//
// Bytes are what came over the network (headers and compressed bodies, as DevTools counts
// them); "text shown" is the first contentful paint, "hydrated" the moment the WASM client
// marks the page (`body[data-hydrated]`, seen by a MutationObserver in the page), both from the
// start of the navigation. Prints a
// markdown table of the median of the samples and the size of each asset the page fetched.

import { chromium } from "@playwright/test";
import { api as request } from "./api.mjs";

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const base = arg("--url", "http://127.0.0.1:3000");
const samples = Number(arg("--samples", "3"));
const which = arg("--page", "space");

const FAST_3G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (750 * 1000) / 8,
};

const api = (cookie, method, path, body) => request(base, cookie, method, path, body);

/** A space with a short conversation, made through the API. */
async function space() {
  const joined = await api(null, "POST", "/api/session", { name: "First visit" });
  const cookie = joined.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const made = await (await api(cookie, "POST", "/api/spaces", { name: "first visit bench" })).json();
  for (let i = 0; i < 20; i++) {
    await api(cookie, "POST", `/api/spaces/${made.id}/intentions`, { content: `message ${i}` });
  }
  return `${base}/s/${made.id}`;
}

/** One visit in `page`: bytes per URL, and the times. */
async function visit(page, url) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", FAST_3G);
  const urls = new Map();
  const bytes = new Map();
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => bytes.set(e.requestId, e.encodedDataLength));
  // The moment the client marks the page, seen from inside it (Playwright's own waiting polls).
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === "true") {
        window.__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
  });
  await page.goto(url, { waitUntil: "commit" });
  await page.locator("body[data-hydrated=true]").waitFor({ timeout: 60_000 });
  const times = await page.evaluate(() => {
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    return { shown: paint ? paint.startTime : NaN, hydrated: window.__hydratedAt };
  });
  // The event stream never finishes loading: it is not counted (nor anything still open).
  const fetched = [...bytes].map(([id, n]) => [urls.get(id) ?? id, n]);
  await cdp.detach();
  return { ...times, fetched, total: fetched.reduce((sum, [, n]) => sum + n, 0) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const url = which === "home" ? `${base}/` : await space();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const firsts = [];
const seconds = [];
for (let i = 0; i < samples; i++) {
  const context = await browser.newContext();
  firsts.push(await visit(await context.newPage(), url));
  seconds.push(await visit(await context.newPage(), url));
  await context.close();
}
await browser.close();

const row = (label, runs) => {
  const kb = (median(runs.map((r) => r.total)) / 1000).toFixed(1);
  const shown = (median(runs.map((r) => r.shown)) / 1000).toFixed(2);
  const hydrated = (median(runs.map((r) => r.hydrated)) / 1000).toFixed(2);
  return `| ${label} | ${samples} | ${kb} | ${shown} | ${hydrated} |`;
};
console.log("| visit | samples | KB transferred | text shown s | hydrated s |");
console.log("|---|---|---|---|---|");
console.log(row("first (empty cache)", firsts));
console.log(row("second (same browser)", seconds));
console.log("");
console.log("| asset, first visit | KB transferred |");
console.log("|---|---|");
for (const [where, n] of firsts[0].fetched.sort((a, b) => b[1] - a[1])) {
  console.log(`| ${new URL(where).pathname} | ${(n / 1000).toFixed(1)} |`);
}
