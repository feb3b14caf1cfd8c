// End to end: the board example (`cargo build --example board`, test.sh does
// it) on a free 127.0.0.1 port, in Chromium: two tabs see each other's
// notes (a broadcast on a topic, each page sending its own fragments), the
// presence count follows tabs arriving and leaving, and a tab opened later
// starts with the notes so far.
//
// Binary: $LT_BOARD_BIN, default <target dir>/debug/examples/board. Its pid
// is appended to the file $LT_TEST_PIDS names, when set (test.sh's trap).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { launch } from "../test-support/browser.mjs";
import { startExample, until } from "../test-support/example.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(repo, process.env.CARGO_TARGET_DIR) : path.join(repo, "target");
const bin = process.env.LT_BOARD_BIN || path.join(targetDir, "debug", "examples", "board");

let server;
let url;
let browser;

before(async () => {
  assert.ok(existsSync(bin), `${bin} is missing: run \`cargo build --example board\` first (test.sh does)`);
  server = await startExample(bin, "board");
  url = server.url;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function openTab() {
  const page = await browser.newPage();
  const tab = { page, errors: [], updates: 0 };
  page.on("pageerror", (e) => tab.errors.push(e.message));
  page.on("websocket", (ws) => ws.on("framereceived", (f) => Array.isArray(JSON.parse(String(f.payload))) && tab.updates++));
  await page.goto(url);
  return tab;
}

const notes = (tab) => tab.page.evaluate(() => [...document.querySelectorAll("ul.notes li:not(.empty)")].map((li) => li.textContent.trim().replace(/\s+/g, " ")));
const here = (tab) => tab.page.evaluate(() => Number(document.getElementById("here").textContent));

async function post(tab, author, text) {
  await tab.page.fill("input[name=author]", author);
  await tab.page.fill("input[name=text]", text);
  await tab.page.press("input[name=text]", "Enter");
}

test("two tabs see each other's notes, and presence follows the tabs", async () => {
  const a = await openTab();
  await until(async () => (await here(a)) === 1, "one tab here");
  const b = await openTab();
  await until(async () => (await here(a)) === 2 && (await here(b)) === 2, "two tabs here, in both");
  await post(a, "Ann", "hello from A");
  await post(b, "Bob", "hello from B");
  const want = ["Ann hello from A", "Bob hello from B"];
  for (const t of [a, b]) await until(async () => JSON.stringify(await notes(t)) === JSON.stringify(want), "both notes in both tabs");
  // The poster's name stays in its own form only.
  assert.equal(await a.page.inputValue("input[name=author]"), "Ann");
  assert.equal(await b.page.inputValue("input[name=author]"), "Bob");
  // A tab opened later starts with the notes so far.
  const c = await openTab();
  assert.deepEqual(await notes(c), want);
  await until(async () => (await here(a)) === 3, "three tabs here");
  await c.page.close();
  await until(async () => (await here(a)) === 2 && (await here(b)) === 2, "back to two after a tab left");
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.page.close();
  await b.page.close();
});
