// End to end, scaled out: the board example (`cargo build --example board`,
// test.sh does it) as two instances, A and B, on one redis-server of the
// test's own, in Chromium. Each test starts its own Redis and instances
// (both with one token key, LT_BOARD_SECRET_HEX) and stops them at its end.
//
// - Failover: a tab behind a TCP proxy (a load balancer, switchable from A
//   to B) posts a note on A; A is killed (SIGKILL) and the proxy switched to
//   B; the tab reconnects by itself with its token, B (which never saw the
//   page) resumes it from Redis with one full render, and the page goes on
//   with its state: the author's name, the notes; the presence line names
//   B; posting works there.
// - Broadcast across instances: a note posted on B appears in a tab on A,
//   and one posted on A in a tab on B.
// - Redis restarted mid-session (SIGKILL, then again on the same port and
//   data directory, append-only file): while it is down a post shows the
//   page's error line (the note could not be saved) and reaches nobody;
//   once it is back both sessions recover without reloading: notes posted
//   after the restart reach the other instance's tab, in both directions.
//
// Binary: $LT_BOARD_BIN, default <target dir>/debug/examples/board; Redis:
// $LT_REDIS_SERVER, default `redis-server` on PATH. Every pid is appended
// to the file $LT_TEST_PIDS names, when set (test.sh's trap).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import crypto from "node:crypto";
import path from "node:path";
import { launch } from "../test-support/browser.mjs";
import { startExample, startRedis, startProxy, redisCommand, sleep, until } from "../test-support/example.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(repo, process.env.CARGO_TARGET_DIR) : path.join(repo, "target");
const bin = process.env.LT_BOARD_BIN || path.join(targetDir, "debug", "examples", "board");
// One key for every instance: each verifies the tokens the others signed.
const secret = crypto.randomBytes(32).toString("hex");

// How long a tab may take to reconnect after its instance died: the client
// retries after 250-500 ms, then backs off (doubling, up to 15 s); the
// first attempt or two land on B.
const RECONNECT_MS = 20_000;
// How long the instances may take to find Redis again after its restart
// (they ping every 500 ms; their connections retry within about a second).
const RECOVER_MS = 20_000;

let browser;
const running = new Set(); // stop functions of what the tests started, in case a test dies midway

before(async () => {
  assert.ok(existsSync(bin), `${bin} is missing: run \`cargo build --example board\` first (test.sh does)`);
  browser = await launch();
});

after(async () => {
  for (const stop of [...running].reverse()) await stop().catch(() => {});
  running.clear();
  await browser?.close();
});

/** Runs `stop` at the end of the test (and in `after`, if the test never gets there). */
function own(list, stop) {
  const once = async () => {
    running.delete(once);
    await stop();
  };
  running.add(once);
  list.push(once);
}

/**
 * A Redis and instances A and B on it for `body({redis, a, b, own, open})`
 * (`open(name, url)`: a new tab); everything it started (and what `own` is
 * given) is stopped after it, whatever happened. A failure's message ends
 * with what the tabs show and the processes' output.
 */
async function withCluster(body) {
  const stops = [];
  let state = null; // what the tabs show, for a failure's message
  const logs = [];
  try {
    const redis = await startRedis();
    own(stops, () => redis.stop());
    logs.push(["redis", () => redis.log()]);
    const board = async (name) => {
      const server = await startExample(bin, `board ${name}`, {
        args: ({ addr }) => ["--addr", addr, "--redis", redis.url],
        env: { LT_BOARD_SECRET_HEX: secret },
        // not `/`: every GET / makes a page
        readyPath: "livetemplate.js",
      });
      own(stops, () => server.kill());
      logs.push([`board ${name} (${server.addr})`, () => server.log()]);
      return server;
    };
    const a = await board("A");
    const b = await board("B");
    const tabs = [];
    const show = async ([name, t]) =>
      `${name}: ` + JSON.stringify({ instance: await instance(t), here: await here(t), connected: await connected(t), error: await error(t), notes: await notes(t) });
    state = async () => (await Promise.all(tabs.map(show))).join("\n");
    const open = async (name, url) => {
      const t = await openTab(url, (stop) => own(stops, stop));
      tabs.push([name, t]);
      return t;
    };
    await body({ redis, a, b, own: (stop) => own(stops, stop), open });
  } catch (e) {
    if (state) e.message += `\n--- tabs:\n${await state().catch((x) => x.message)}`;
    const out = logs.map(([name, log]) => `--- ${name}:\n${log().trimEnd() || "(nothing)"}`).join("\n");
    e.message += `\n${out}`;
    throw e;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}

/**
 * A new tab on `url`, once its socket has joined; records page errors, the
 * sockets opened, the joins answered (`joined` or `render`) and the
 * `render` frames' HTML.
 */
async function openTab(url, stops) {
  const page = await browser.newPage();
  stops(() => page.close());
  const tab = { page, errors: [], renders: [], sockets: 0, joins: 0 };
  page.on("pageerror", (e) => tab.errors.push(e.message));
  page.on("websocket", (ws) => {
    tab.sockets++;
    ws.on("framereceived", (f) => {
      const msg = JSON.parse(String(f.payload));
      if (msg.type === "joined" || msg.type === "render") tab.joins++;
      if (msg.type === "render") tab.renders.push(msg.html);
    });
  });
  await page.goto(url, { timeout: 10_000 });
  await until(async () => tab.joins > 0 && (await connected(tab)), `the tab on ${url} joined`, 10_000);
  return tab;
}

const notes = (tab) => tab.page.evaluate(() => [...document.querySelectorAll("ul.notes li:not(.empty)")].map((li) => li.textContent.trim().replace(/\s+/g, " ")));
const here = (tab) => tab.page.evaluate(() => Number(document.getElementById("here").textContent));
/** The presence line's `(on ADDR)`, or null. */
const instance = (tab) => tab.page.evaluate(() => document.querySelector(".presence small")?.textContent.trim() ?? null);
/** The page's error line, or null. */
const error = (tab) => tab.page.evaluate(() => document.querySelector(".error")?.textContent.trim() ?? null);
/** The socket is open (the root has no `lt-disconnected`). */
const connected = (tab) => tab.page.evaluate(() => !document.getElementById("lt-root").classList.contains("lt-disconnected"));
const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);

/** Posts `text`, typing `author` first when given (else the name field stays as it is). */
async function post(tab, text, author) {
  if (author !== undefined) await tab.page.fill("input[name=author]", author);
  await tab.page.fill("input[name=text]", text);
  await tab.page.press("input[name=text]", "Enter");
}

/** True when a page state stored in Redis (the `s` field of a `…:page:…` hash) contains `text`. */
async function stored(redis, text) {
  const keys = (await redisCommand(redis.port, ["KEYS", "*:page:*"])).split("\r\n").filter((l) => l && !/^[*$]/.test(l));
  for (const key of keys) if ((await redisCommand(redis.port, ["HGET", key, "s"])).includes(text)) return true;
  return false;
}

test("failover: behind a load balancer, a tab whose instance dies goes on with its page on the other", async () => {
  await withCluster(async ({ redis, a, b, own, open }) => {
    const lb = await startProxy(a.port);
    own(() => lb.close());
    const tab = await open("tab behind the proxy", lb.url);
    await until(async () => (await instance(tab)) === `(on ${a.addr})` && (await here(tab)) === 1, "the tab on A, alone there");
    await post(tab, "before the failover", "Ann");
    await until(async () => same(await notes(tab), ["Ann before the failover"]), "the note in the tab");
    // A stores the page's state after each change; the failover starts
    // once the state with the note is in Redis.
    await until(() => stored(redis, "before the failover"), "the page's state (with the note) stored in Redis");
    const rendersBefore = tab.renders.length;
    const socketsBefore = tab.sockets;
    // Did the root get `lt-disconnected` at some point?
    await tab.page.evaluate(() => {
      const root = document.getElementById("lt-root");
      window.ltSawDisconnected = false;
      new MutationObserver(() => {
        if (root.classList.contains("lt-disconnected")) window.ltSawDisconnected = true;
      }).observe(root, { attributes: true, attributeFilter: ["class"] });
    });

    await a.kill("SIGKILL");
    lb.setTarget(b.port);

    await until(() => tab.page.evaluate(() => window.ltSawDisconnected), "the tab noticing that its socket dropped", 5000);
    await until(async () => (await connected(tab)) && (await instance(tab)) === `(on ${b.addr})`, "the tab reconnected, through the proxy, to B", RECONNECT_MS);
    assert.ok(tab.sockets > socketsBefore, "a new socket was opened");
    assert.equal(await tab.page.evaluate(() => window.ltSawDisconnected), true, "the same document: the page was not loaded again");
    // B never saw the page: it resumed it from Redis and sent one full render.
    const renders = tab.renders.slice(rendersBefore);
    assert.equal(renders.length, 1, `one render from B, got ${renders.length}`);
    assert.match(renders[0], /value="Ann"/, "B's render has the author from the stored state");
    assert.match(renders[0], /before the failover/, "B's render has the note from the stored state");
    // The page as the user sees it: the same state.
    assert.equal(await tab.page.getAttribute("input[name=author]", "value"), "Ann");
    assert.equal(await tab.page.inputValue("input[name=author]"), "Ann");
    assert.deepEqual(await notes(tab), ["Ann before the failover"]);
    // Presence spans instances; dead A's last count drops out within its
    // silence limit (6 s) and the board's recount (every 3 s).
    await until(async () => (await here(tab)) === 1, "dead A's tab no longer counted", 15000);
    assert.equal(await error(tab), null);

    // Posting works on B, under the name the page kept (not typed again).
    await post(tab, "after the failover");
    await until(async () => same(await notes(tab), ["Ann before the failover", "Ann after the failover"]), "the second note, posted on B, in the tab");
    assert.equal(await instance(tab), `(on ${b.addr})`);
    // B holds the page now: what it stores has the new note.
    await until(() => stored(redis, "after the failover"), "the page's new state stored by B");
    // A tab opened on B directly starts with both notes.
    const other = await open("tab on B", b.url);
    assert.deepEqual(await notes(other), ["Ann before the failover", "Ann after the failover"]);
    await until(async () => (await here(tab)) === 2 && (await here(other)) === 2, "two tabs on B", 15000);
    assert.deepEqual([...tab.errors, ...other.errors], []);
  });
});

test("broadcast across instances: a note posted on B appears in a tab on A, and one posted on A in a tab on B", async () => {
  await withCluster(async ({ a, b, open }) => {
    const ta = await open("tab on A", a.url);
    const tb = await open("tab on B", b.url);
    // Presence spans instances: one tab on each, two in all.
    await until(async () => (await instance(ta)) === `(on ${a.addr})` && (await here(ta)) === 2, "the first tab on A, counting both");
    await until(async () => (await instance(tb)) === `(on ${b.addr})` && (await here(tb)) === 2, "the second tab on B, counting both");
    await post(tb, "hello from B", "Bob");
    for (const t of [ta, tb]) await until(async () => same(await notes(t), ["Bob hello from B"]), "B's note in both tabs");
    await post(ta, "hello from A", "Ann");
    const want = ["Bob hello from B", "Ann hello from A"];
    for (const t of [ta, tb]) await until(async () => same(await notes(t), want), "A's note in both tabs, after B's");
    // Each poster's name stays in its own form.
    assert.equal(await ta.page.inputValue("input[name=author]"), "Ann");
    assert.equal(await tb.page.inputValue("input[name=author]"), "Bob");
    assert.equal(await here(ta), 2);
    assert.equal(await here(tb), 2);
    assert.deepEqual([...ta.errors, ...tb.errors], []);
  });
});

test("Redis restarted mid-session: a post fails while it is down, and both instances' tabs recover after", async () => {
  await withCluster(async ({ redis, a, b, own, open }) => {
    const ta = await open("tab on A", a.url);
    const tb = await open("tab on B", b.url);
    await until(async () => (await instance(ta)) === `(on ${a.addr})` && (await instance(tb)) === `(on ${b.addr})`, "a tab on each instance");
    await post(tb, "before the outage", "Bob");
    for (const t of [ta, tb]) await until(async () => same(await notes(t), ["Bob before the outage"]), "the first note in both tabs");

    await redis.kill();
    // The sockets are the instances' own: the tabs stay connected.
    await post(tb, "during the outage");
    await until(async () => /could not be saved/.test((await error(tb)) ?? ""), "the error line in B's tab (the note could not be saved)", 10_000);
    await sleep(500);
    for (const t of [ta, tb]) assert.deepEqual(await notes(t), ["Bob before the outage"], "the unsaved note reaches nobody");
    assert.equal(await error(ta), null, "the error is the poster's only");
    assert.ok((await connected(ta)) && (await connected(tb)), "the tabs stay connected while Redis is down");

    await redis.restart();
    // A user tries again until the note is saved; each try has its own text.
    const end = Date.now() + RECOVER_MS;
    let saved = null;
    for (let i = 1; saved === null; i++) {
      assert.ok(Date.now() < end, `B's tab could not post within ${RECOVER_MS} ms of the restart (error: ${await error(tb)})`);
      const text = `after the restart, try ${i}`;
      await post(tb, text);
      try {
        await until(async () => (await notes(tb)).includes(`Bob ${text}`), `try ${i} saved`, 3000);
        saved = `Bob ${text}`;
      } catch {
        // not saved (yet): try again
      }
    }
    await until(async () => (await error(tb)) === null, "the error line gone from B's tab after a saved note", 5000);
    // What B's tab shows after the restart, A's shows too (by broadcast, or
    // by the reload of the notes when A's subscription came back).
    await until(async () => same(await notes(ta), await notes(tb)), "the notes posted on B after the restart in A's tab", RECOVER_MS);
    assert.ok((await notes(ta)).includes(saved));
    assert.equal((await notes(ta))[0], "Bob before the outage", "the notes from before the outage are kept (Redis' append-only file)");
    // Both directions work again, by broadcast.
    await post(ta, "from A after the restart", "Ann");
    await until(async () => (await notes(tb)).at(-1) === "Ann from A after the restart", "A's note in B's tab", 10_000);
    await post(tb, "from B after the restart");
    await until(async () => (await notes(ta)).at(-1) === "Bob from B after the restart", "B's note in A's tab", 10_000);
    await until(async () => same(await notes(ta), await notes(tb)), "the same notes in both tabs", 5000);
    // Each note once, though after the restart a note may reach a page both
    // by broadcast and by the reload of the notes.
    const shown = await notes(ta);
    assert.equal(new Set(shown).size, shown.length, `a note shown twice: ${JSON.stringify(shown)}`);
    assert.equal(await error(ta), null);
    assert.equal(await error(tb), null);
    assert.ok((await connected(ta)) && (await connected(tb)));
    assert.deepEqual([...ta.errors, ...tb.errors], []);
  });
});
