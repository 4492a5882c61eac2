// rhizom's service worker (served at /sw.js by server/offline/mod.rs): the page's files and
// the last copy of each page, so that a page loads when the server cannot be reached
// (docs/ARCHITECTURE.md, "Offline"). Pages come from the network first, and only from here
// when it fails; the client's files carry their hash in their name, so a kept one is never
// stale. Each cache keeps only the newest: the last pages visited, and a few builds' files (one
// build's are some twenty: the script, the style, the main wasm, the split loader, the pages'
// parts).
// Nothing else (the API, server functions, streams) passes through here.

const FILES = "rhizom-files-v1";
const PAGES = "rhizom-pages-v1";
const PAGES_KEPT = 50;
const FILES_KEPT = 64;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(pageFromNetworkFirst(request));
  } else if (url.pathname.startsWith("/pkg/")) {
    event.respondWith(fileKept(request));
  }
});

async function pageFromNetworkFirst(request) {
  const pages = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await pages.put(request, response.clone());
      await keepNewest(pages, PAGES_KEPT);
    }
    return response;
  } catch (unreachable) {
    const kept = await pages.match(request);
    if (kept) return kept;
    throw unreachable;
  }
}

async function fileKept(request) {
  const files = await caches.open(FILES);
  const kept = await files.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) {
    await files.put(request, response.clone());
    await keepNewest(files, FILES_KEPT);
  }
  return response;
}

// A cache lists what it holds in the order it was put there (a page put again moves to the
// end): all but the newest `count` go.
async function keepNewest(cache, count) {
  const kept = await cache.keys();
  for (const old of kept.slice(0, Math.max(0, kept.length - count))) await cache.delete(old);
}
