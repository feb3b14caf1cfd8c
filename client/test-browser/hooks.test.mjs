// Browser tests of what page scripts meet (issue 14, item 9), in a real
// Chromium (test-support/browser.mjs; needs no cargo build, no env var):
// a changed <template>'s content follows the server, the `lt:updated` event
// after every render and update, and the console warning for an unknown
// `lt-*` attribute. Not skipped without a browser: the suite fails.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launch, defineSame } from "../test-support/browser.mjs";

const js = readFileSync(new URL("../dist/livetemplate.min.js", import.meta.url), "utf8");
let browser;
let page;
let warnings;

before(async () => {
  browser = await launch();
});
after(() => browser?.close());

async function fresh() {
  page = await browser.newPage();
  warnings = [];
  page.on("pageerror", (e) => console.log("pageerror", e.message));
  // a warning's text; the element itself, its second argument, shows as JSHandle@node
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  await page.setContent('<!doctype html><html><body><div id="app"></div></body></html>');
  await page.addScriptTag({ content: js });
  await page.evaluate(defineSame);
}

test("a <template> whose content changed is morphed to the new content", async () => {
  await fresh();
  const r = await page.evaluate(() => {
    const app = document.getElementById("app");
    const row = (t) => `<template><tr><td>${t}</td></tr></template>`;
    const view = LiveTemplate.mount(app, `<!--f-r--><p>x</p>${row("a")}<div><template id="k"><b>1</b></template><!--f-t-->${row("x")}<!--/f-t--></div><!--/f-r-->`);
    const [t1, t2] = app.querySelectorAll("template:not(#k)");
    const out = [same(view, app)];
    // an unkeyed template, alone in its region
    view.apply([["t", 6, row("y")]]);
    out.push(same(view, app), app.querySelectorAll("template")[2] === t2, t2.innerHTML);
    // a template in a template, and a keyed one
    view.apply([["r", 6, `<p>x</p><template><tr><td>a</td></tr><template><i>in</i></template></template><div><template id="k"><b>2</b></template><!--f-t-->${row("y")}<!--/f-t--></div>`]]);
    out.push(same(view, app), app.querySelector("template") === t1, app.querySelector("#k").innerHTML);
    view.apply([["r", 1, 50, 2, "out"]]); // <i>in</i> → <i>out</i>
    out.push(same(view, app), t1.innerHTML);
    return out;
  });
  assert.deepEqual(r, [
    true,
    true, true, "<tr><td>y</td></tr>",
    true, true, "<b>2</b>",
    true, "<tr><td>a</td></tr><template><i>out</i></template>",
  ]);
});

test("random updates of templates: the page is the parse of the model", async () => {
  await fresh();
  const r = await page.evaluate((N) => {
    let seed = 7;
    const rnd = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const T = ["<template><b>a</b></template>", "<template><b>b</b></template>", "<template><i>a</i><template>x</template></template>",
      "<template><i>a</i><template>y</template></template>", "<template id=k><b>a</b></template>", "<template id=k><b>c</b></template>",
      "<p>p</p>", "<b>a</b>", "t"];
    const gen = () => { let s = ""; for (let i = 1 + rnd(5); i > 0; i--) s += T[rnd(T.length)]; return s; };
    const app = document.getElementById("app");
    const view = LiveTemplate.mount(app, "<!--f-r--><div><!--f-a-->a<!--/f-a--></div><!--/f-r-->");
    const diffs = [];
    for (let n = 0; n < N && diffs.length < 3; n++) {
      view.apply([rnd(3) ? ["a", 6, gen()] : ["r", 6, `<div><!--f-a-->${gen()}<!--/f-a--></div>${gen()}`]]);
      if (!same(view, app)) diffs.push(view.html);
    }
    return diffs;
  }, 300);
  assert.deepEqual(r, []);
});

test("lt:updated: after every render and update, on the container, bubbling, with the fragment ids", async () => {
  await fresh();
  const r = await page.evaluate(() => {
    const app = document.getElementById("app");
    const seen = [];
    const views = [];
    // a script that reads data embedded in the page, as a chart would
    document.addEventListener("lt:updated", (e) => {
      const data = JSON.parse(document.getElementById("data").textContent);
      seen.push([e.target === app, e.detail.ids, data.n, e.bubbles]);
      views.push(e.detail.view);
    });
    const data = (n) => `<script type="application/json" id="data">{"n":${n}}</script>`;
    const html = (n) => `<!--f-r--><p>x</p><!--f-d-->${data(n)}<!--/f-d--><!--/f-r-->`;
    window.view = LiveTemplate.mount(app, html(1));
    view.apply([["d", 6, data(2)]]);
    view.apply([["d", 1, 47, 1, "3"], ["r", 1, 3, 1, "y"]]);
    view.apply([]); // nothing applied: no event
    view.apply([["zz", 6, ""]]); // refused: no event
    view.render(html(4));
    return [seen, views.map((v) => v === view)];
  });
  assert.deepEqual(r, [
    [
      [true, null, 1, true], // the first render, inside mount
      [true, ["f-d"], 2, true],
      [true, ["f-d", "f-r"], 3, true],
      [true, null, 4, true],
    ],
    [true, true, true, true],
  ]);
});

test("lt:updated on a whole document is dispatched on the document", async () => {
  page = await browser.newPage();
  const html = '<!--f-r--><!DOCTYPE html><html><head></head><body><p><!--f-p-->x<!--/f-p--></p></body></html><!--/f-r-->';
  await page.setContent(html);
  await page.addScriptTag({ content: js });
  const r = await page.evaluate((html) => {
    const seen = [];
    document.addEventListener("lt:updated", (e) => seen.push([e.target === document, e.detail.ids, document.querySelector("p").textContent]));
    const view = LiveTemplate.mount(document, html);
    view.apply([["p", 6, "y"]]);
    return seen;
  }, html);
  assert.deepEqual(r, [[true, null, "x"], [true, ["f-p"], "y"]]);
});

test("an unknown lt-* attribute warns once per name, naming the element", async () => {
  await fresh();
  await page.evaluate(() => {
    const app = document.getElementById("app");
    window.view = LiveTemplate.mount(
      app,
      '<!--f-r--><button lt-clik="save" class="b">Save</button><a lt-clik="x">x</a><input lt-keydown="k" lt-debounce="0" lt-input="i">' +
        '<form lt-submit="s" lt-change="c" lt-value-id="7"><button lt-click="go" LT-Value-Extra="1">go</button></form><div lt-ignore class="alt-row lt-row">text mentions lt-bogus="1"</div>' +
        '<template><b lt-in-template="1"></b></template><!--f-n-->0<!--/f-n--><!--/f-r-->',
    );
  });
  assert.deepEqual(warnings.sort(), [
    'livetemplate: unknown attribute lt-clik on <button lt-clik="save" class="b"> (known: lt-click lt-submit lt-change lt-input lt-debounce lt-ignore lt-value-*) JSHandle@node',
    'livetemplate: unknown attribute lt-keydown on <input lt-keydown="k" lt-debounce="0" lt-input="i"> (known: lt-click lt-submit lt-change lt-input lt-debounce lt-ignore lt-value-*) JSHandle@node',
  ]);
  warnings = [];
  // an update that adds more: only the new name warns, once
  await page.evaluate(() => {
    view.apply([["n", 6, '<i lt-clik="again"></i><span lt-hover="h"></span><span lt-hover="h2"></span>']]);
    view.apply([["n", 6, '<i lt-hover="h3"></i>']]);
  });
  assert.deepEqual(warnings, [
    'livetemplate: unknown attribute lt-hover on <span lt-hover="h"> (known: lt-click lt-submit lt-change lt-input lt-debounce lt-ignore lt-value-*) JSHandle@node',
  ]);
});
