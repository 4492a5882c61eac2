import { expect, test } from "@playwright/test";
import {
  button,
  composer,
  createSpace,
  messageItem,
  presenceRow,
  spacesList,
  uniq,
} from "./helpers";

test("pages are server-rendered: a space and the home page work with JavaScript off", async ({
  browser,
  playwright,
  baseURL,
}) => {
  const name = uniq("Quiet");
  const spaceName = uniq("Reading room");
  const text = uniq("posted through the API");

  // Sign in through the HTTP API; the session cookie is all we keep.
  const api = await playwright.request.newContext({ baseURL });
  const session = await api.post("/api/session", { data: { name } });
  expect(session.ok(), await session.text()).toBeTruthy();
  const signedIn = await api.storageState();
  await api.dispose();

  // With that session, create a space in a normal (JS) browser; opening it
  // moves the guest into it. Then post into it through the API.
  const jsCtx = await browser.newContext({ baseURL, storageState: signedIn });
  let state;
  let id: string;
  try {
    const page = await jsCtx.newPage();
    await page.goto("/");
    await expect(page.getByText(`Signed in as ${name}`)).toBeVisible();
    id = await createSpace(page, spaceName);
    const posted = await jsCtx.request.post(`/api/spaces/${id}/intentions`, {
      data: { content: text },
    });
    expect(posted.ok(), await posted.text()).toBeTruthy();
    state = await jsCtx.storageState();
  } finally {
    await jsCtx.close();
  }

  const noJs = await browser.newContext({
    baseURL,
    javaScriptEnabled: false,
    storageState: state,
  });
  try {
    const page = await noJs.newPage();

    await page.goto(`/s/${id}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(spaceName);
    await expect(presenceRow(page, name)).toBeVisible();
    await expect(messageItem(page, text)).toHaveCount(1);
    await expect(messageItem(page, text)).toContainText(name);

    // The composer is a plain form: without JavaScript it posts and the page comes back.
    const typed = uniq("typed with JavaScript off");
    await composer(page).fill(typed);
    await button(page, "Send").click();
    await expect(page).toHaveURL(new RegExp(`/s/${id}/?\\??$`));
    await expect(messageItem(page, typed)).toHaveCount(1);

    await page.goto("/");
    const spaces = spacesList(page);
    await expect(spaces.getByRole("link", { name: "Lobby", exact: true })).toBeVisible();
    await expect(
      spaces.getByRole("link", { name: spaceName, exact: true }),
    ).toHaveAttribute("href", new RegExp(`/s/${id}/?$`));
  } finally {
    await noJs.close();
  }
});
