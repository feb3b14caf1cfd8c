// Browser smoke tests of the DOM half (morph, form state, events, transport)
// in a real Chromium (/usr/bin/chromium, Debian's `chromium`) through
// playwright-core: `node --test test-browser/` (test.sh installs what it
// needs). Not skipped without a browser: the suite fails.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import crypto from "node:crypto";
import { launch, defineSame } from "../test-support/browser.mjs";

const js = readFileSync(new URL("../dist/livetemplate.min.js", import.meta.url), "utf8");
let browser;
let page;

before(async () => {
  browser = await launch();
});
after(() => browser?.close());

async function fresh(body = '<div id="app"></div>') {
  page = await browser.newPage();
  page.on("pageerror", (e) => console.log("pageerror", e.message));
  await page.setContent(`<!doctype html><html><body>${body}</body></html>`);
  await page.addScriptTag({ content: js });
  await page.evaluate(defineSame);
  await page.evaluate(() => {
    // a markers fragment that replaces `from` (found in the model) by `to`
    window.swap = (view, from, to, id = "f-r") => {
      const h = view.html;
      const cs = h.indexOf(`<!--${id}-->`) + id.length + 7;
      const i = h.indexOf(from, cs);
      const b = (s) => new TextEncoder().encode(s).length;
      return [id.slice(2), 1, b(h.slice(cs, i)), b(from), to];
    };
  });
}

test("morph keeps nodes, focus, caret and typed values; the server's changes win", async () => {
  await fresh();
  const r = await page.evaluate(() => {
    const app = document.getElementById("app");
    const html =
      '<!--f-r--><h1>Hi</h1><table><tbody><!--f-t--><tr><td>1</td></tr><!--/f-t--></tbody></table>' +
      '<select name="s"><option>a</option><option>b</option></select><textarea name="ta">hello</textarea>' +
      '<input name="q" value="a"><input type="checkbox" name="c"><ul><!--f-l--><!--i--><li>1</li><!--i--><li>2</li><!--/f-l--></ul>' +
      '<svg><!--f-g--><circle r="1"></circle><!--/f-g--></svg><p><!--f-n-->n<!--/f-n--></p><!--/f-r-->';
    const view = LiveTemplate.mount(app, html);
    const out = { mount: same(view, app) };
    const $ = (s) => app.querySelector(s);
    const [sel, ta, q, cb, h1, li2] = [$("select"), $("textarea"), $("input[name=q]"), $("input[type=checkbox]"), $("h1"), $("li:nth-of-type(2)")];
    sel.value = "b";
    ta.value = "typed ta";
    q.value = "typed q";
    cb.checked = true;
    q.focus();
    q.setSelectionRange(2, 4);
    view.apply([
      ["n", 6, "N!"],
      ["t", 6, "<tr><td>2</td></tr><tr><td>3</td></tr>"],
      ["g", 6, '<rect width="2"></rect>'],
      ["l", 3, 0, "<li>0</li>"],
    ]);
    out.unrelated = [same(view, app), sel.value, ta.value, q.value, cb.checked, document.activeElement === q, q.selectionStart, q.selectionEnd, $("h1") === h1, $("li:nth-of-type(3)") === li2, $("rect").namespaceURI];
    view.apply([swap(view, '<input name="q" value="a">', '<input name="q" value="server">')]);
    view.apply([swap(view, "<option>b</option>", "<option>b</option><option selected>c</option>")]);
    view.apply([swap(view, "hello</textarea>", "bye</textarea>")]);
    view.apply([swap(view, 'name="c">', 'name="c" checked>')]);
    out.server = [same(view, app), q.value, sel.value, ta.value, cb.checked, document.activeElement === q];
    out.bad = view.apply([["x", 6, ""]]);
    out.badSame = same(view, app);
    return out;
  });
  assert.equal(r.mount, true);
  assert.deepEqual(r.unrelated, [true, "b", "typed ta", "typed q", true, true, 2, 4, true, true, "http://www.w3.org/2000/svg"]);
  assert.deepEqual(r.server, [true, "server", "c", "bye", true, true]);
  assert.equal(r.bad, false);
  assert.equal(r.badSame, true);
});

test("keyed items keep identity, focus and value across reorders", async () => {
  await fresh();
  const r = await page.evaluate(() => {
    const item = (k) => `<!--i--><li id="k${k}">item ${k} <input name="n${k}" value="v${k}"></li>`;
    const app = document.getElementById("app");
    const view = LiveTemplate.mount(app, `<!--f-r--><ul><!--f-l-->${[1, 2, 3, 4].map(item).join("")}<!--/f-l--></ul><!--/f-r-->`);
    const inp = app.querySelector("input[name=n3]");
    inp.focus();
    inp.value = "typed";
    inp.setSelectionRange(1, 3);
    view.apply([["l", 6, [3, 1, 4, 2].map(item).join("")]]);
    return [same(view, app), document.activeElement === inp, inp.value, inp.selectionStart, inp.selectionEnd];
  });
  assert.deepEqual(r, [true, true, "typed", 1, 3]);
});

test("random updates: the page is always the parse of the model", async () => {
  await fresh();
  const r = await page.evaluate((N) => {
    console.error = () => {};
    let seed = 42;
    const rnd = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const T = ["<div>", "</div>", "<p>", "</p>", "<b>", "</b>", "<li>", "<ul>", "</ul>", "<table>", "<tr>", "<td>", "</table>",
      "<input value=x>", "<input type=checkbox checked>", "<select><option>a<option selected>b</select>", "<textarea>t</textarea>",
      "text", " ", "\n", "<!--c-->", "<span id=s1>", "<span id=s2>", "</span>", "é", "😀", "<svg><circle r=1></circle></svg>",
      "<template><b>t</b></template>", "<template><b>u</b></template>", "<br>", "&amp;", "<a href=#>", "</a>", "<form>", "</form>", "<option>", "<!--i-->",
      "<li id=k1>k</li>", "<li id=k2>k2</li>", "<p class=a>", "<p class=b>", "<table><tbody><!--f-q--><tr><td>q</td></tr><!--/f-q--></tbody></table>"];
    const gen = () => { let s = ""; for (let i = rnd(8); i > 0; i--) s += T[rnd(T.length)]; return s; };
    const app = document.getElementById("app");
    const PAGE = "<!--f-r--><div><!--f-a-->A<!--/f-a--></div><ul><!--f-l--><!--i--><li>1</li><!--i--><li id=k1>2</li><!--/f-l--></ul><p><!--f-b--><b>b</b><!--/f-b--></p><!--/f-r-->";
    const view = LiveTemplate.mount(app, PAGE);
    let applied = 0;
    const diffs = [];
    for (let n = 0; n < N && diffs.length < 3; n++) {
      const id = ["f-r", "f-a", "f-l", "f-b", "f-q"][rnd(5)];
      let f;
      const k = rnd(4);
      if (k === 0) f = [id.slice(2), 6, rnd(4) ? gen() : "<!--f-a-->" + gen() + "<!--/f-a--><ul><!--f-l--><!--/f-l--></ul>" + gen()];
      else if (k === 1) {
        const op = ["append", "prepend", "insert", "remove"][rnd(4)];
        f = op === "remove" ? ["l", 5, rnd(4)] : ["l", { append: 2, prepend: 3, insert: 4 }[op], rnd(4), gen()];
      } else {
        const h = view.html, s = h.indexOf(`<!--${id}-->`);
        if (s < 0) continue;
        const cs = s + id.length + 7, ce = h.indexOf(`<!--/${id}-->`, cs);
        if (ce < 0) continue;
        const bounds = [0];
        for (const ch of h.slice(cs, ce)) bounds.push(bounds[bounds.length - 1] + new TextEncoder().encode(ch).length);
        const a = bounds[rnd(bounds.length)], rest = bounds.filter((b) => b >= a && b <= a + 30), b = rest[rnd(rest.length)];
        f = [id.slice(2), 1, a, b - a, gen()];
      }
      if (view.apply([f])) {
        applied++;
        if (!same(view, app)) diffs.push([view.html, app.innerHTML]);
      }
      if (view.html.length > 3000 || rnd(40) === 0) view.render(PAGE);
    }
    return { applied, diffs };
  }, 2000);
  assert.deepEqual(r.diffs, []);
  assert.ok(r.applied > 1000, String(r.applied));
});

test("a whole document: <html> attributes, head, body; scripts stay inert", async () => {
  page = await browser.newPage();
  const html = '<!--f-r--><!DOCTYPE html><html lang="en"><head><title>A</title></head><body class="x"><p><!--f-p-->x<!--/f-p--></p><input id="i"></body></html><!--/f-r-->';
  await page.setContent(html);
  await page.addScriptTag({ content: js });
  const r = await page.evaluate(async (html) => {
    window.ran = 0;
    document.getElementById("i").value = "typed";
    const view = LiveTemplate.mount(document, html);
    view.apply([["r", 6, '<!DOCTYPE html><html lang="fr"><head><title>B</title></head><body class="y"><p><!--f-p-->x<!--/f-p--></p><input id="i"><script>window.ran++</script></body></html>']]);
    await new Promise((r) => setTimeout(r, 100));
    return [document.documentElement.lang, document.title, document.body.className, document.getElementById("i").value, window.ran];
  }, html);
  assert.deepEqual(r, ["fr", "B", "y", "typed", 0]);
});

test("events: lt-click, lt-submit (and the reset after it), lt-input, lt-change", async () => {
  await fresh();
  await page.evaluate(() => {
    window.sent = [];
    const html =
      '<!--f-r--><form lt-submit="add" lt-value-list="7"><input name="title" value=""><input type="checkbox" name="done"><select name="pri"><option>low</option><option>high</option></select><button name="btn" value="go">Add</button></form>' +
      '<a href="/x" lt-click="nav" lt-value-to="home"><span id="sp">link</span></a><input id="search" name="q" lt-input="search" value="">' +
      '<input id="fast" name="f" lt-input="fast" lt-debounce="0"><select id="ch" name="c" lt-change="pick"><option>x</option><option>y</option></select><p><!--f-n-->0<!--/f-n--></p><!--/f-r-->';
    window.view = LiveTemplate.mount(document.getElementById("app"), html, { onEvent: (m) => sent.push(m) });
  });
  const sent = async () => page.evaluate(() => sent.splice(0));
  await page.click("#sp");
  await page.fill("input[name=title]", "buy milk");
  await page.check("input[name=done]");
  await page.selectOption("select[name=pri]", "high");
  await page.click("button");
  assert.deepEqual(await sent(), [
    { type: "event", action: "nav", values: { to: "home" } },
    { type: "event", action: "add", values: { title: "buy milk", done: "on", pri: "high", btn: "go", list: "7" } },
  ]);
  assert.equal(page.url(), "about:blank");
  await page.evaluate(() => view.apply([["n", 6, "1"]]));
  assert.equal(await page.evaluate(() => [...new FormData(document.querySelector("form"))].join(";")), "title,;pri,low");
  await page.type("#search", "abc", { delay: 30 });
  assert.deepEqual(await sent(), []);
  await page.waitForTimeout(400);
  assert.deepEqual(await sent(), [{ type: "event", action: "search", values: { q: "abc" } }]);
  // the server echoes the sent value while the user typed on: the user's text stays
  await page.type("#search", "d");
  await page.evaluate(() => view.apply([swap(view, 'lt-input="search" value=""', 'lt-input="search" value="abc"')]));
  assert.equal(await page.inputValue("#search"), "abcd");
  await page.waitForTimeout(400);
  await sent();
  await page.type("#fast", "z");
  await page.selectOption("#ch", "y");
  assert.deepEqual(await sent(), [
    { type: "event", action: "fast", values: { f: "z" } },
    { type: "event", action: "pick", values: { c: "y" } },
  ]);
});

test("websocket transport: render, updates, events, reconnect after a drop and after a refused update", async () => {
  const log = [];
  let conns = 0;
  const frame = (s) => {
    const b = Buffer.from(s);
    return Buffer.concat([Buffer.from(b.length < 126 ? [0x81, b.length] : [0x81, 126, b.length >> 8, b.length & 255]), b]);
  };
  const server = http.createServer((req, res) => {
    if (req.url === "/lt.js") return res.end(js);
    res.setHeader("content-type", "text/html");
    res.end('<!doctype html><div id="app"></div><script src="/lt.js"></script><script>LiveTemplate.mount(document.getElementById("app"), null, {transport: LiveTemplate.websocket("/live", {minDelay: 50})})</script>');
  });
  server.on("upgrade", (req, sock) => {
    const accept = crypto.createHash("sha1").update(req.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
    sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const n = ++conns;
    let count = 0;
    sock.on("error", () => {});
    sock.write(frame(JSON.stringify({ type: "render", html: `<!--f-r--><button lt-click="inc">+</button><p><!--f-n-->conn ${n}<!--/f-n--></p><!--/f-r-->` })));
    sock.on("data", (d) => {
      if ((d[0] & 15) === 8) return sock.end();
      const len = d[1] & 127;
      const mask = d.subarray(2, 6);
      log.push([n, JSON.parse(Buffer.from(d.subarray(6, 6 + len).map((x, i) => x ^ mask[i % 4])).toString())]);
      count++;
      const f = (id, content) => [count, [id.slice(2), 6, content]];
      sock.write(frame(JSON.stringify(f("f-n", `conn ${n} count ${count}`))));
      if (n === 1 && count === 2) setTimeout(() => sock.destroy(), 20);
      if (n === 2) sock.write(frame(JSON.stringify(f("f-zz", ""))));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const text = async (t) => (await page.waitForFunction((t) => document.querySelector("p")?.textContent === t, t), t);
  await text("conn 1");
  await page.click("button");
  await text("conn 1 count 1");
  await page.click("button");
  await text("conn 2");
  await page.click("button");
  await text("conn 3");
  assert.deepEqual(log.map(([n, m]) => [n, m.type, m.action]), [[1, "event", "inc"], [1, "event", "inc"], [2, "event", "inc"]]);
  server.closeAllConnections();
  server.close();
});
