// End to end: the compiled todos example (`cargo build --example todos`,
// test.sh does it) on a free 127.0.0.1 port, used in Chromium as a person
// would: add, toggle, edit, filter, remove, clear completed, the live clock,
// focus and typed text across server-started updates, a second tab with its
// own state. Every WebSocket frame is recorded: the page's HTML crosses the
// wire once (in the document's boot JSON); on the socket the server answers
// the client's `join` with `joined` and then only sends `update` messages
// with fragments, never a whole page; the bytes per interaction are printed
// (the README quotes them). Also: a cut socket reconnects to the same page,
// the root's disconnected class comes and goes, and refused tokens, Origins,
// events and oversized messages each get their answer.
//
// Binary: $LT_TODOS_BIN, default <target dir>/debug/examples/todos. Its pid
// is appended to the file $LT_TEST_PIDS names, when set (test.sh's trap).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, appendFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import http from "node:http";
import path from "node:path";
import { launch } from "../test-support/browser.mjs";
import { freePort, until } from "../test-support/example.mjs";
import { Reconstructor } from "../src/reconstruct.js";
import { serverMessage } from "../test-support/wire.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(repo, process.env.CARGO_TARGET_DIR) : path.join(repo, "target");
const bin = process.env.LT_TODOS_BIN || path.join(targetDir, "debug", "examples", "todos");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let server; // the example's process
let serverLog = "";
let url;
let browser;
let documentBytes = 0; // the HTTP response of GET /


/** GET `u` (with `headers`); resolves with the status and body, or with 101 for an accepted WebSocket handshake. */
function get(u, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(u, { timeout: 2000, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode, body: "" });
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

function stopServer() {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
}
process.on("exit", stopServer);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"])
  process.on(sig, () => {
    stopServer();
    process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1));
  });

before(async () => {
  assert.ok(existsSync(bin), `${bin} is missing: run \`cargo build --example todos\` first (test.sh does)`);
  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  server = spawn(bin, [], { env: { ...process.env, LT_ADDR: `127.0.0.1:${port}` }, stdio: ["ignore", "pipe", "pipe"] });
  // test.sh kills what is listed here when it ends, whatever happened to this process
  if (process.env.LT_TEST_PIDS) appendFileSync(process.env.LT_TEST_PIDS, `${server.pid}\n`);
  server.stdout.on("data", (d) => (serverLog += d));
  server.stderr.on("data", (d) => (serverLog += d));
  let exited = null;
  server.on("exit", (code, sig) => (exited = `exited (${code ?? sig})`));
  // wait until it answers: at most ~30 s
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`todos ${exited} before answering:\n${serverLog}`);
    try {
      const r = await get(url);
      if (r.status === 200) {
        documentBytes = Buffer.byteLength(r.body);
        break;
      }
    } catch {}
    if (i >= 300) throw new Error(`todos did not answer on ${url} within 30 s:\n${serverLog}`);
    await sleep(100);
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null && server.signalCode === null) {
    const gone = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await Promise.race([gone, sleep(3000)]);
    stopServer();
  }
});

/** A tab of the app, with every WebSocket frame recorded. */
async function openTab() {
  const page = await browser.newPage();
  const tab = { page, frames: [], sockets: 0, errors: [] };
  page.on("pageerror", (e) => tab.errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    // the example serves no favicon; the browser's request for it is no error of the app
    if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) tab.errors.push(`console.error: ${m.text()} (${m.location().url})`);
  });
  page.on("websocket", (ws) => {
    tab.sockets++;
    ws.on("framereceived", (f) => tab.frames.push({ dir: "in", text: String(f.payload) }));
    ws.on("framesent", (f) => tab.frames.push({ dir: "out", text: String(f.payload) }));
  });
  await page.goto(url);
  await until(() => tab.frames.some((f) => f.dir === "in"), "the first message");
  const first = JSON.parse(tab.frames.find((f) => f.dir === "in").text);
  assert.equal(first.type, "joined", "a fresh page's client holds its render already");
  assert.deepEqual(JSON.parse(tab.frames.find((f) => f.dir === "out").text), { v: 2, type: "join", version: 0 });
  tab.boot = await page.evaluate(() => document.getElementById("lt-boot").textContent);
  tab.render = JSON.parse(tab.boot).html;
  // the root as the wire names it: a generated id is cut to its first 4 digits
  tab.root = /^<!--(f-[0-9a-f]{4})[0-9a-f]{12}-->/.exec(tab.render)[1];
  return tab;
}


const seconds = (tab) => tab.page.evaluate(() => Number(document.getElementById("seconds").textContent));

// What the page shows, read from the live DOM (properties, not only attributes).
function shown(tab) {
  return tab.page.evaluate(() => {
    const items = [...document.querySelectorAll("ul.todo-list > li")].map((li) => {
      if (li.classList.contains("empty")) return { empty: li.textContent.trim() };
      const box = li.querySelector("input.toggle");
      const text = li.querySelector("form.edit input[name=text]");
      return {
        id: li.id,
        class: li.className,
        checked: box.checked,
        checkedAttr: box.hasAttribute("checked"),
        text: text.value,
        textAttr: text.getAttribute("value"),
      };
    });
    return {
      items,
      count: document.querySelector(".count").textContent.replace(/\s+/g, " ").trim(),
      selected: [...document.querySelectorAll(".filters a.selected")].map((a) => a.textContent),
      clear: document.querySelector("button.clear")?.textContent ?? null,
    };
  });
}

// What the page must show for a list of todos and a filter.
function expected(todos, filter) {
  const visible = todos.filter((t) => (filter === "active" ? !t.done : filter === "done" ? t.done : true));
  const left = todos.filter((t) => !t.done).length;
  const completed = todos.length - left;
  return {
    items: visible.length
      ? visible.map((t) => ({
          id: `todo-${t.id}`,
          class: t.done ? "completed" : "",
          checked: t.done,
          checkedAttr: t.done,
          text: t.text,
          textAttr: t.text,
        }))
      : [{ empty: "Nothing to do." }],
    count: `${left} ${left === 1 ? "item" : "items"} left`,
    selected: [{ all: "All", active: "Active", done: "Completed" }[filter]],
    clear: completed ? `Clear completed (${completed})` : null,
  };
}

async function expectShown(tab, todos, filter, what) {
  const want = expected(todos, filter);
  try {
    await until(async () => JSON.stringify(await shown(tab)) === JSON.stringify(want), what);
  } catch {
    assert.deepEqual(await shown(tab), want, `after ${what}`);
  }
  await expectModel(tab, what);
}

// The server's update messages; the clock's updates told apart from the
// interactions' (a clock tick changes only the seconds slot of the root).
function updates(tab, from = 0) {
  return tab.frames
    .slice(from)
    .filter((f) => f.dir === "in")
    .map((f) => ({ ...f, msg: serverMessage(f.text), bytes: Buffer.byteLength(f.text) }))
    .filter((u) => u.msg.type === "update");
}
// The page model, replayed here from the recorded messages with the client's
// Reconstructor: the page size after each update, and what the DOM must be.
function model(tab) {
  tab.replayed ??= 0;
  const msgs = updates(tab);
  if (!tab.model) {
    tab.model = new Reconstructor(tab.render);
    tab.pageBytes = [Buffer.byteLength(tab.render)];
  }
  for (; tab.replayed < msgs.length; tab.replayed++) {
    tab.model.apply(msgs[tab.replayed].msg.fragments); // throws on a refused update
    tab.pageBytes.push(Buffer.byteLength(tab.model.html));
  }
  return tab.model.html;
}

/** Waits until the page is the browser's parse of the model. */
async function expectModel(tab, what) {
  const same = () =>
    tab.page.evaluate((html) => {
      const app = document.getElementById("lt-root");
      const fresh = app.cloneNode(false);
      fresh.innerHTML = html;
      return fresh.isEqualNode(app);
    }, model(tab));
  try {
    await until(same, `the page to be the parse of the model after ${what}`, 3000);
  } catch (e) {
    const [got, want] = await tab.page.evaluate((html) => [document.getElementById("lt-root").innerHTML, html], model(tab));
    assert.fail(`${e.message}\n  page:  ${JSON.stringify(got)}\n  model: ${JSON.stringify(want)}`);
  }
}

/** The patch of a clock-only update (one markers patch of the root's digits), or null. */
function clockPatch(tab, msg) {
  const f = msg.parsed;
  if (f.length !== 1 || f[0].id !== tab.root || f[0].strategy !== "markers") return null;
  const [p, ...more] = f[0].data.patches;
  return more.length === 0 && /^\d+$/.test(p.new_value) ? p : null;
}

function isClock(tab, msg) {
  return tab.clockAt !== undefined && clockPatch(tab, msg)?.position === tab.clockAt;
}

const report = []; // [interaction, event bytes, update bytes, update messages, page bytes after]

/** Does `act`, waits for the page to show `todos`/`filter`, and records the bytes of the interaction. */
async function interact(tab, name, act, todos, filter) {
  const mark = tab.frames.length;
  await act();
  await expectShown(tab, todos, filter, name);
  // the interaction's update may be reported by the browser a little after the DOM changed
  let own = [];
  await until(() => (own = updates(tab, mark).filter((u) => !isClock(tab, u.msg))).length > 0, `the update of ${name}`, 3000);
  const sent = tab.frames.slice(mark).filter((f) => f.dir === "out");
  assert.ok(sent.length >= 1, `${name}: no event sent`);
  model(tab);
  report.push([name, sent.reduce((n, f) => n + Buffer.byteLength(f.text), 0), own.reduce((n, u) => n + u.bytes, 0), own.length, tab.pageBytes.at(-1)]);
}

function checkProtocol(tab) {
  const all = tab.frames.filter((f) => f.dir === "in").map((f) => serverMessage(f.text));
  assert.equal(all[0].type, "joined");
  assert.ok(all.slice(1).every((m) => m.type === "update"), "after joined, only updates");
  const msgs = updates(tab);
  model(tab);
  for (const [i, { msg, bytes, text }] of msgs.entries()) {
    const page = tab.pageBytes[i + 1]; // the page after this update
    assert.ok(Array.isArray(JSON.parse(text)), `an update is an array: ${text}`);
    assert.equal(msg.version, i + 1, `versions count the updates: ${text}`);
    assert.ok(msg.fragments.length > 0, text);
    for (const f of msg.parsed) {
      assert.ok(["static_dynamic", "markers", "granular", "replacement"].includes(f.strategy), text);
      assert.ok(!(f.id === tab.root && f.strategy === "replacement"), `a whole-page replacement: ${text}`);
    }
    // No whole page: the root is never re-sent as HTML, the page's skeleton
    // travels once (the root's statics, in the first update), and every
    // update is smaller than the page it produces.
    const statics = msg.parsed.some((f) => f.id === tab.root && f.data.statics);
    if (statics) assert.equal((tab.staticsSent = (tab.staticsSent || 0) + 1), 1, `the root's statics sent again: ${text}`);
    else assert.ok(!text.includes('<section class=\\"todoapp\\">') && !text.includes("<footer>"), `the page's skeleton in an update: ${text}`);
    assert.ok(bytes < page, `an update of ${bytes} bytes for a page of ${page}: ${text.slice(0, 300)}`);
    tab.maxShare = Math.max(tab.maxShare || 0, bytes / page);
  }
  assert.equal(tab.sockets, 1, "the client reconnected");
  assert.deepEqual(tab.errors, []);
}

// The tests below run in order on one tab (`node:test` runs a file's tests
// one after the other); a failing step fails the ones after it too.
const start = [
  { id: 1, text: "Try livetemplate", done: false },
  { id: 2, text: "Open a second tab", done: false },
];
let todos = structuredClone(start);
let tab;
let tab2;

test("the page loads: its HTML once, in the document; the socket only joins", async () => {
  tab = await openTab();
  await expectShown(tab, todos, "all", "the first render");
});

test("the live clock ticks: updates the server starts", async () => {
  // Even the first update is a patch of the HTML the client holds: no statics.
  const s0 = await seconds(tab);
  await until(async () => (await seconds(tab)) > s0, "the clock to tick", 5000);
  await until(() => updates(tab).length >= 1, "the first clock update");
  const firstUpdate = updates(tab)[0];
  const patch = clockPatch(tab, firstUpdate.msg);
  assert.ok(patch, `the first update is one patch of the root: ${firstUpdate.text ?? JSON.stringify(firstUpdate.msg.parsed)}`);
  const once = new Reconstructor(tab.render);
  once.apply(firstUpdate.msg.fragments);
  assert.ok(once.html.includes(`<b id="seconds">${patch.new_value}</b>`), "the patch is the clock's");
  model(tab);
  assert.ok(firstUpdate.bytes < 100, `the first tick costs ${firstUpdate.bytes} B`);
  tab.clockAt = patch.position;
  report.push(["clock tick, first", 0, firstUpdate.bytes, 1, tab.pageBytes[1]]);
  const mark = tab.frames.length;
  const s1 = await seconds(tab);
  await until(async () => (await seconds(tab)) > s1, "a clock tick", 5000);
  await expectShown(tab, todos, "all", "a clock tick");
  const clock = updates(tab, mark).filter((u) => isClock(tab, u.msg));
  assert.ok(clock.length >= 1, "a tick is a clock-only update");
  report.push(["clock tick", 0, clock[0].bytes, 1, tab.pageBytes.at(-1)]);
});

test("typed text, focus and caret survive server updates that do not touch the control", async () => {
  const input = tab.page.locator("form.new input[name=text]");
  await input.click();
  await input.pressSequentially("half typ", { delay: 10 });
  const s1 = await seconds(tab);
  await until(async () => (await seconds(tab)) >= s1 + 2, "two clock ticks while typing", 6000);
  assert.deepEqual(
    await tab.page.evaluate(() => {
      const el = document.querySelector("form.new input[name=text]");
      return [el.value, document.activeElement === el, el.selectionStart, el.selectionEnd];
    }),
    ["half typ", true, 8, 8],
  );
  await input.fill("");

  // a todo's own input, inside the list fragment
  const other = tab.page.locator("#todo-2 form.edit input[name=text]");
  await other.click();
  await other.press("End");
  await other.pressSequentially("!!", { delay: 5 });
  const s2 = await seconds(tab);
  await until(async () => (await seconds(tab)) > s2, "a clock tick while editing", 5000);
  assert.deepEqual(
    await tab.page.evaluate(() => {
      const el = document.querySelector("#todo-2 form.edit input[name=text]");
      return [el.value, el.getAttribute("value"), document.activeElement === el];
    }),
    ["Open a second tab!!", "Open a second tab", true],
  );
  await other.fill("Open a second tab");
  await tab.page.locator("h1").click(); // blur
});

test("add two todos by typing and submitting; the form is emptied", async () => {
  const input = tab.page.locator("form.new input[name=text]");
  for (const text of ["Buy milk", "Walk dog"]) {
    todos.push({ id: todos.length + 1, text, done: false });
    await interact(
      tab,
      `add "${text}"`,
      async () => {
        await input.click();
        await input.pressSequentially(text, { delay: 5 });
        await input.press("Enter");
      },
      todos,
      "all",
    );
    await until(async () => (await input.inputValue()) === "", "the new-todo input to be emptied");
  }
});

test("toggle one, edit one", async () => {
  todos[2].done = true;
  await interact(tab, "toggle", () => tab.page.click("#todo-3 input.toggle"), todos, "all");
  const edit = tab.page.locator("#todo-4 form.edit input[name=text]");
  todos[3].text = "Walk the dog";
  await interact(
    tab,
    "edit",
    async () => {
      await edit.fill("");
      await edit.pressSequentially("Walk the dog", { delay: 5 });
      await edit.press("Enter");
    },
    todos,
    "all",
  );
});

test("filter active, completed, all", async () => {
  await interact(tab, "filter active", () => tab.page.click("a[href='#active']"), todos, "active");
  await interact(tab, "filter completed", () => tab.page.click("a[href='#done']"), todos, "done");
  await interact(tab, "filter all", () => tab.page.click("a[href='#all']"), todos, "all");
});

test("remove one, clear completed", async () => {
  todos = todos.filter((t) => t.id !== 1);
  await interact(tab, "remove", () => tab.page.click("#todo-1 button.destroy"), todos, "all");
  todos = todos.filter((t) => !t.done);
  await interact(tab, "clear completed", () => tab.page.click("button.clear"), todos, "all");
});

test("a second tab has its own page, state and clock", async () => {
  tab2 = await openTab();
  await expectShown(tab2, start, "all", "the second tab's first render");
  const mine = structuredClone([...start, { id: 3, text: "Only in tab 2", done: false }]);
  const input = tab2.page.locator("form.new input[name=text]");
  await input.fill("Only in tab 2");
  await input.press("Enter");
  await expectShown(tab2, mine, "all", "adding in the second tab");
  await tab2.page.click("#todo-1 input.toggle");
  mine[0].done = true;
  await expectShown(tab2, mine, "all", "toggling in the second tab");
  await expectShown(tab, todos, "all", "the first tab, untouched by the second");
  await tab.page.click("a[href='#active']");
  await expectShown(tab, todos, "active", "filtering in the first tab");
  await expectShown(tab2, mine, "all", "the second tab, untouched by the first");
  const [c1, c2] = [await seconds(tab), await seconds(tab2)];
  assert.ok(c1 > c2, `each tab has its own clock (${c1} vs ${c2})`);
});

test("after joined the server sends only updates with fragments, never a whole page", async () => {
  checkProtocol(tab);
  checkProtocol(tab2);
  await tab2.page.close();
  await tab.page.close();
  const lines = [
    `todos e2e: WebSocket bytes per interaction vs the page's full HTML (first Page::render() = ${Buffer.byteLength(tab.render)} bytes, whole HTTP document = ${documentBytes} bytes, boot JSON (the render and token, once) = ${Buffer.byteLength(tab.boot)} bytes, joined message = ${Buffer.byteLength(tab.frames.find((f) => f.dir === "in").text)} bytes; largest update = ${(100 * tab.maxShare).toFixed(1)}% of its page)`,
    "  interaction                                  event  update  page after  update/page",
    ...report.map(
      ([name, ev, up, n, page]) =>
        `  ${name.padEnd(44)} ${String(ev).padStart(5)} ${String(up).padStart(7)} ${String(page).padStart(11)} ${((100 * up) / page).toFixed(1).padStart(11)}%${n > 1 ? ` (${n} messages)` : ""}`,
    ),
  ];
  console.log(lines.join("\n"));
});

test("a dropped socket reconnects to the same page: the list survives, the clock goes on", async () => {
  const page = await browser.newPage();
  // Keep every WebSocket the page opens, so that the test can cut one.
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    // Every change of the root's disconnected class, in order.
    window.__disconnected = [];
    document.addEventListener("DOMContentLoaded", () => {
      const root = document.getElementById("lt-root");
      new MutationObserver(() => window.__disconnected.push(root.classList.contains("lt-disconnected"))).observe(root, { attributes: true, attributeFilter: ["class"] });
    });
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
  const tab3 = { page, frames: [], sockets: 0, errors: [] };
  page.on("websocket", (ws) => {
    tab3.sockets++;
    ws.on("framereceived", (f) => tab3.frames.push({ dir: "in", text: String(f.payload) }));
  });
  await page.goto(url);
  const input = page.locator("form.new input[name=text]");
  await input.fill("Survives the drop");
  await input.press("Enter");
  const mine = structuredClone([...start, { id: 3, text: "Survives the drop", done: false }]);
  await until(async () => JSON.stringify(await shown(tab3)) === JSON.stringify(expected(mine, "all")), "the added todo");
  await page.click("#todo-2 input.toggle");
  mine[1].done = true;
  await until(async () => JSON.stringify(await shown(tab3)) === JSON.stringify(expected(mine, "all")), "the toggle");
  const before = await seconds(tab3);
  // Cut the socket as a network drop would: the client reconnects with its token.
  await page.evaluate(() => window.__sockets.at(-1).close());
  await until(() => tab3.sockets >= 2, "the reconnection", 10000);
  const answers = () => tab3.frames.filter((f) => f.dir === "in").map((f) => serverMessage(f.text)).filter((m) => m.type === "joined" || m.type === "render");
  await until(() => answers().length >= 2, "the answer to the new socket's join", 10000);
  // Nothing was missed while the socket was down (the clock stops with it): no HTML again.
  assert.equal(answers().at(-1).type, "joined", JSON.stringify(answers().at(-1)));
  await until(() => page.evaluate(() => !document.getElementById("lt-root").classList.contains("lt-disconnected")), "the disconnected class to go", 5000);
  const classes = await page.evaluate(() => window.__disconnected);
  assert.deepEqual(classes.slice(-2), [true, false], `the root's disconnected class came and went: ${classes}`);
  await until(async () => JSON.stringify(await shown(tab3)) === JSON.stringify(expected(mine, "all")), "the list after the reconnect");
  // The state is the one before the drop (the clock did not start again), and it goes on.
  await until(async () => (await seconds(tab3)) > before, "the clock after the reconnect", 5000);
  // The new socket works: an interaction after the reconnect.
  await page.click("#todo-3 input.toggle");
  mine[2].done = true;
  await until(async () => JSON.stringify(await shown(tab3)) === JSON.stringify(expected(mine, "all")), "a toggle after the reconnect");
  await page.close();
});

/** A WebSocket handshake for `path`; resolves with the HTTP answer (101 or a refusal). */
const handshake = (path) =>
  get(new URL(path, url), { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==" });

test("a forged, tampered or missing token gets no socket, and the answer never echoes it", async () => {
  const page = await get(url);
  const token = JSON.parse(/<script type="application\/json" id="lt-boot">([\s\S]*?)<\/script>/.exec(page.body)[1]).token;
  assert.equal((await handshake(`/live?token=${token}`)).status, 101, "the real token attaches");
  const last = token.at(-2) === "A" ? "B" : "A";
  const forged = [
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJhcHBfaWQiOiJ4In0.", // alg none
    token.slice(0, -2) + last + token.at(-1), // one byte of the signature
    token.split(".").slice(0, 2).join("."), // two parts
    "",
  ];
  for (const t of forged) {
    const r = await handshake(`/live?token=${encodeURIComponent(t)}`);
    assert.equal(r.status, 403, `${t}: ${r.body}`);
    if (t) assert.ok(!r.body.includes(t), r.body);
  }
});

/** In a page of the app: a new page's own socket (fetched token), `steps` sent in order; resolves with what came back and how it closed. */
function rawSocket(tab, steps) {
  return tab.evaluate(async (steps) => {
    const doc = await (await fetch("/")).text();
    const boot = JSON.parse(/<script type="application\/json" id="lt-boot">([\s\S]*?)<\/script>/.exec(doc)[1]);
    const ws = new WebSocket(new URL("live?token=" + encodeURIComponent(boot.token), location.href).href.replace(/^http/, "ws"));
    const got = [];
    const closed = new Promise((r) => (ws.onclose = (e) => r(e.code)));
    await new Promise((r) => (ws.onopen = r));
    ws.onmessage = (e) => got.push(e.data);
    for (const step of steps) {
      ws.send(typeof step === "string" ? step : JSON.stringify(step));
      await new Promise((r) => setTimeout(r, 150));
    }
    const code = await Promise.race([closed, new Promise((r) => setTimeout(() => r(null), 300))]);
    if (code === null) ws.close();
    return { got, code };
  }, steps).then(({ got, code }) => ({ got: got.map(serverMessage), code }));
}

test("an unknown action, a malformed event and an oversized message each get their answer, and the state survives", async () => {
  const page = await browser.newPage();
  await page.goto(url);
  const join = { v: 2, type: "join", version: 0 };
  const { got } = await rawSocket(page, [
    join,
    { v: 2, type: "event", action: "tgl", values: { id: "1" }, ref: 7 },
    { v: 2, type: "event", action: "toggle", values: { id: "not a number" } },
    "{not json",
    { v: 9, type: "event", action: "toggle", values: { id: "1" } },
    { v: 2, type: "event", action: "toggle", values: { id: "1" } },
  ]);
  const types = got.map((m) => (m.type === "error" ? `error:${m.code}` : m.type));
  // joined; the four refusals; then the real toggle's update (clock ticks may interleave).
  assert.deepEqual(types.filter((t) => t !== "update").slice(0, 5), ["joined", "error:unknown_action", "error:bad_values", "error:malformed", "error:unsupported_version"], JSON.stringify(got));
  assert.equal(got.find((m) => m.code === "unknown_action").ref, 7);
  assert.match(got.find((m) => m.code === "unknown_action").message, /tgl/);
  // Nothing was applied by the refused events: the first update is the toggle (the first todo done), version 1.
  const first = got.find((m) => m.type === "update");
  assert.ok(first && first.version === 1, JSON.stringify(got));
  assert.ok(JSON.stringify(first.fragments).includes("checked") || JSON.stringify(first.fragments).includes("completed"), JSON.stringify(first));
  // A message over the 64 KiB limit closes the socket (1009, message too big).
  const big = await rawSocket(page, [join, { v: 2, type: "event", action: "add", values: { text: "x".repeat(70000) } }]);
  assert.equal(big.code, 1009, JSON.stringify(big));
  assert.ok(!big.got.some((m) => m.type === "update"), "the oversized event changed nothing");
  await page.close();
});

test("a WebSocket from another Origin is refused with 403", async () => {
  const page = await get(url);
  const token = JSON.parse(/<script type="application\/json" id="lt-boot">([\s\S]*?)<\/script>/.exec(page.body)[1]).token;
  const headers = (origin) => ({ Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", Origin: origin });
  const evil = await get(new URL(`/live?token=${token}`, url), headers("http://evil.example"));
  assert.equal(evil.status, 403, evil.body);
  const own = await get(new URL(`/live?token=${token}`, url), headers(url.replace(/\/$/, "")));
  assert.equal(own.status, 101);
});
