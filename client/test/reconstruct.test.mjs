// The model: the unit tests of livetemplate-runtime/src/reconstruct.rs,
// transliterated, plus the cache rules, all-or-nothing lists and UTF-8
// offsets. Each runs against src/, the ES module bundle and the minified
// classic script.
import { test } from "node:test";
import assert from "node:assert/strict";
import { impls, sd, markers, p, granular, granularItem, replacement, moves, reorder } from "../test-support/impls.mjs";

const PAGE =
  "<!--f-r-->a<!--f-p--><p>x<!--f-c-->c<!--/f-c--></p><!--/f-p-->b<!--f-l--><!--i--><li>1</li><!--i--><li>2</li><!--/f-l--><!--/f-r-->";

/** Applies and expects a refusal of `kind` that leaves html and cache as they were. */
function refuse(r, fragments, kind) {
  const html = r.html;
  const cached = r.cachedIds().join();
  let error;
  try {
    r.apply(fragments);
  } catch (e) {
    error = e;
  }
  assert.ok(error, "accepted " + JSON.stringify(fragments));
  assert.equal(error.name, "ReconstructError", String(error));
  if (kind) assert.equal(error.kind, kind, error.message);
  assert.equal(r.html, html);
  assert.equal(r.cachedIds().join(), cached);
  return error;
}

for (const [name, LT] of await impls()) {
  const { Reconstructor } = LT;

  test(`${name}: static_dynamic then delta (reconstruct.rs)`, () => {
    const r = new Reconstructor(PAGE);
    r.apply([sd(["<p>", "", "</p>"], { 0: "y", 1: { f: "f-c" } })]);
    assert.ok(r.html.includes("<!--f-p--><p>y<!--f-c-->c<!--/f-c--></p><!--/f-p-->"));
    assert.ok(r.hasStatics("f-p"));
    r.apply([sd(null, { 0: "zz" })]);
    assert.ok(r.html.includes("<!--f-p--><p>zz<!--f-c-->c<!--/f-c--></p><!--/f-p-->"));
    // markers on the fragment drops its tree, not its statics: a delta is
    // refused, every dynamic is applied
    r.apply([markers("f-p", [p(3, 2, "q")])]);
    assert.ok(r.html.includes("<!--f-p--><p>q<!--f-c-->"));
    assert.ok(!r.hasStatics("f-p"));
    assert.ok(r.keepsStatics("f-p"));
    refuse(r, [sd(null, { 0: "w" })], "BadDynamics");
    r.apply([sd(null, { 0: "w", 1: { f: "f-c" } })]);
    assert.ok(r.html.includes("<!--f-p--><p>w<!--f-c-->c<!--/f-c--></p><!--/f-p-->"));
    assert.ok(r.hasStatics("f-p"));
    // a region never sent with statics: refused
    const e = refuse(new Reconstructor(PAGE), [sd(null, { 0: "w" })], "MissingStatics");
    assert.equal(e.message, "fragment f-p: static_dynamic update without statics, none cached");
  });

  test(`${name}: generated ids go on the wire cut to 4 digits (reconstruct.rs)`, () => {
    const page =
      "<!--f-0123456789abcdef--><b>1</b><!--f-0124aaaaaaaaaaaa-->x<!--/f-0124aaaaaaaaaaaa--><!--/f-0123456789abcdef-->";
    const r = new Reconstructor(page);
    // the cut finds the one generated id that starts so; the whole id too
    r.apply([markers("f-0123", [p(3, 1, "2")]), markers("f-0124aaaaaaaaaaaa", [p(0, 1, "y")])]);
    assert.equal(r.html, page.replace("<b>1</b>", "<b>2</b>").replace("-->x<", "-->y<"));
    r.apply([sd(["[", "]"], { 0: "z" }, "f-0124")]);
    assert.ok(r.html.includes("-->[z]<!--/f-0124aaaaaaaaaaaa-->"));
    // the cache is by whole id
    assert.ok(r.hasStatics("f-0124aaaaaaaaaaaa"));
    r.apply([sd(null, { 0: "w" }, "f-0124aaaaaaaaaaaa")]);
    assert.ok(r.html.includes("-->[w]<!--/f-0124aaaaaaaaaaaa-->"));
    // a cut matches generated ids only, and whole ids first
    refuse(r, [markers("f-0125", [p(0, 0)])], "UnknownFragment");
    const other = new Reconstructor("<!--f-abcd-->1<!--/f-abcd--><!--f-abcdXYZ-->2<!--/f-abcdXYZ-->");
    other.apply([markers("f-abcd", [p(0, 1, "9")])]);
    assert.equal(other.html, "<!--f-abcd-->9<!--/f-abcd--><!--f-abcdXYZ-->2<!--/f-abcdXYZ-->");
    refuse(new Reconstructor("<!--f-abcdXYZ-->2<!--/f-abcdXYZ-->"), [markers("f-abcd", [p(0, 0)])], "UnknownFragment");
  });

  test(`${name}: granular ops (reconstruct.rs)`, () => {
    const r = new Reconstructor(PAGE);
    r.apply([
      granular("f-l", "append", "<li>3</li>", 2),
      granular("f-l", "prepend", "<li>0</li>", 0),
      granular("f-l", "insert", "<li>h</li>", 2),
      granular("f-l", "remove", null, 1),
    ]);
    assert.ok(
      r.html.includes(
        "<!--f-l--><!--i--><li>0</li><!--i--><li>h</li><!--i--><li>2</li><!--i--><li>3</li><!--/f-l-->",
      ),
    );
    for (const bad of [
      granular("f-l", "append", "x", 3),
      granular("f-l", "prepend", "x", 1),
      granular("f-l", "insert", "x", 5),
      granular("f-l", "remove", null, 4),
      granular("f-p", "remove", null, 0), // not a list
    ])
      refuse(r, [bad], "BadGranular");
    assert.equal(
      refuse(r, [granular("f-l", "append", "x", 3)]).message,
      "fragment f-l: bad granular operation: append at position 3 of a list of 4 items",
    );
    assert.equal(
      refuse(r, [granular("f-p", "remove", null, 0)]).message,
      "fragment f-p: bad granular operation: the region is not a list of items",
    );
  });

  test(`${name}: granular items as dynamics (reconstruct.rs)`, () => {
    const r = new Reconstructor(PAGE);
    const statics = ["<li>", "</li>"];
    assert.equal(
      refuse(r, [granularItem("f-l", "append", ["3"], null, 2)], "BadGranular").message,
      "fragment f-l: bad granular operation: an item without statics, none held for the list",
    );
    assert.ok(!r.keepsStatics("f-l"));
    r.apply([granularItem("f-l", "append", ["3"], statics, 2), granularItem("f-l", "prepend", ["0"], null, 0)]);
    assert.ok(r.keepsStatics("f-l"));
    assert.ok(r.html.includes("<!--f-l--><!--i--><li>0</li><!--i--><li>1</li><!--i--><li>2</li><!--i--><li>3</li><!--/f-l-->"));
    refuse(r, [granularItem("f-l", "append", ["x"], ["a", "b", "c"], 4)], "BadGranular");
    r.apply([granularItem("f-l", "append", ["4"], null, 4)]);
    assert.ok(r.html.includes("<!--i--><li>4</li><!--/f-l-->"));
    r.apply([replacement("f-r", "<!--f-l--><!--/f-l-->")]);
    assert.ok(!r.keepsStatics("f-l"));
  });

  test(`${name}: a value may repeat an earlier string by its index (fragment.rs)`, () => {
    const r = new Reconstructor(PAGE);
    const statics = ["<li id=", " title=", ">", "", "|", "</li>"];
    r.apply([granularItem("f-l", "append", ["7", 0, "", 2, { s: ["(", ")"], d: ["x"] }], statics, 2)]);
    assert.ok(r.html.includes("<li id=7 title=7>|(x)</li><!--/f-l-->"), r.html);
    for (const bad of [[0], ["a", 1], ["a", -1], ["a", 0.5], [{ s: ["", ""], d: ["x"] }, 0], ["a", 2 ** 64]])
      refuse(r, [granularItem("f-l", "append", bad, null, 3)], "Invalid");
  });

  test(`${name}: a patch's value may repeat an earlier patch's by its index (fragment.rs)`, () => {
    const r = new Reconstructor(PAGE);
    // "a" and "b" of the root both become "yy"
    r.apply([["r", 1, 0, 1, "yy", 52, 1, 0]]);
    assert.ok(r.html.startsWith("<!--f-r-->yy<!--f-p-->"), r.html);
    assert.ok(r.html.includes("<!--/f-p-->yy<!--f-l-->"), r.html);
    for (const bad of [["r", 1, 0, 1, 0], ["r", 1, 0, 1, "x", 45, 1, 1], ["r", 1, 0, 1, "x", 45, 1, -1], ["r", 1, 0, 1, "x", 45, 1, 0.5]])
      refuse(r, [bad], "Invalid");
  });

  test(`${name}: moves reorder items (reconstruct.rs)`, () => {
    const r = new Reconstructor(PAGE);
    r.apply([granular("f-l", "append", "<li>3</li>", 2)]);
    r.apply([moves("f-l", [[2, 0], [1, 2]])]);
    assert.ok(r.html.includes("<!--f-l--><!--i--><li>3</li><!--i--><li>2</li><!--i--><li>1</li><!--/f-l-->"));
    for (const bad of [moves("f-l", [[3, 0]]), moves("f-l", [[0, 3]]), moves("f-l", [[0, 1], [9, 0]]), moves("f-p", [[0, 0]])])
      refuse(r, [bad], "BadGranular");
    refuse(r, [moves("f-l", [])], "Invalid");
    assert.equal(
      refuse(r, [moves("f-l", [[0, 3]])]).message,
      "fragment f-l: bad granular operation: move 0 to 3 in a list of 3 items",
    );
    r.apply([reorder("f-l", [2, 0, 1])]);
    assert.ok(r.html.includes("<!--f-l--><!--i--><li>1</li><!--i--><li>3</li><!--i--><li>2</li><!--/f-l-->"));
    assert.equal(
      refuse(r, [reorder("f-l", [1, 0])], "BadGranular").message,
      "fragment f-l: bad granular operation: an order of 2 items for a list of 3 items",
    );
    for (const bad of [reorder("f-l", []), reorder("f-l", [0, 0, 1]), reorder("f-l", [0, 1, 3])]) refuse(r, [bad], "Invalid");
  });

  test(`${name}: granular on an empty list, insert at the end, remove the last`, () => {
    const r = new Reconstructor("<ul><!--f-l--><!--/f-l--></ul>");
    refuse(r, [granular("f-l", "remove", null, 0)], "BadGranular");
    refuse(r, [granular("f-l", "append", "a", 1)], "BadGranular");
    r.apply([granular("f-l", "insert", "<li>a</li>", 0)]);
    r.apply([granular("f-l", "insert", "<li>b</li>", 1)]);
    r.apply([granular("f-l", "prepend", "", 0)]); // an empty item is an item
    assert.equal(r.html, "<ul><!--f-l--><!--i--><!--i--><li>a</li><!--i--><li>b</li><!--/f-l--></ul>");
    r.apply([granular("f-l", "remove", null, 2), granular("f-l", "remove", null, 0)]);
    assert.equal(r.html, "<ul><!--f-l--><!--i--><li>a</li><!--/f-l--></ul>");
    r.apply([granular("f-l", "remove", null, 0)]);
    assert.equal(r.html, "<ul><!--f-l--><!--/f-l--></ul>");
  });

  test(`${name}: replacement forgets nested caches (reconstruct.rs)`, () => {
    const r = new Reconstructor(PAGE);
    r.apply([sd(["<p>", "", "</p>"], { 0: "y", 1: { f: "f-c" } })]);
    assert.ok(r.hasStatics("f-p"));
    r.apply([replacement("f-r", "new")]);
    assert.equal(r.html, "<!--f-r-->new<!--/f-r-->");
    assert.deepEqual([...r.cachedIds()], []);
  });

  test(`${name}: rejects bad input atomically (reconstruct.rs)`, () => {
    const r = new Reconstructor(PAGE);
    const ok = replacement("f-c", "C");
    const wrongAction = [...replacement("f-c", "x"), 1]; // an extra element
    const bad = [
      [replacement("f-nope", "x"), "UnknownFragment"],
      [wrongAction, "Invalid"],
      // static_dynamic without cache
      [sd(null, { 0: "y" }), "MissingStatics"],
      // too few / too many / out-of-range dynamics
      [sd(["<p>", "", "</p>"], { 0: "y" }), "BadDynamics"],
      [sd(["<p>", "</p>"], { 0: "y", 1: "z" }), "BadDynamics"],
      [sd(["<p>", "</p>"], { 1: "y" }), "BadDynamics"],
      // the same child twice
      [sd(["<p>", "", "</p>"], { 0: { f: "f-c" }, 1: { f: "f-c" } }), "BadDynamics"],
      // child not inside the fragment
      [sd(["<p>", "</p>"], { 0: { f: "f-l" } }), "ChildNotFound"],
      // patches: out of range, overlapping, unsorted, overflow
      [markers("f-c", [p(0, 2)]), "BadPatch"],
      [markers("f-p", [p(0, 2), p(1, 1)]), "BadPatch"],
      [markers("f-p", [p(3, 0), p(1, 1)]), "BadPatch"],
      // usize::MAX is not a JS number; the largest double below 2^64 is
      [markers("f-p", [p(2 ** 64 - 2048, 2048)]), "BadPatch"],
      [markers("f-p", [p(2 ** 64, 2)]), "Invalid"],
    ];
    for (const [b, kind] of bad) refuse(r, [ok, b], kind);
    const r2 = new Reconstructor("<!--f-a-->é<!--/f-a-->");
    refuse(r2, [markers("f-a", [p(1, 0)])], "BadPatch");
    refuse(r2, [markers("f-a", [p(0, 1)])], "BadPatch");
    r2.apply([markers("f-a", [p(0, 2), p(2, 0)])]);
    assert.equal(r2.html, "<!--f-a-->vv<!--/f-a-->");
    // a page without the closing marker
    const r3 = new Reconstructor("<!--f-a-->x");
    refuse(r3, [replacement("f-a", "y")], "UnknownFragment");
    assert.equal(r3.html, "<!--f-a-->x");
  });

  test(`${name}: error messages are the Rust Display strings`, () => {
    const r = new Reconstructor(PAGE);
    const msg = (f) => refuse(r, [f]).message;
    assert.equal(msg(replacement("f-nope", "x")), "fragment f-nope: no such region in the page");
    assert.equal(
      msg(sd(["<p>", "", "</p>"], { 0: "y" })),
      "fragment f-p: bad dynamics: 3 statics need exactly the dynamics 0..2",
    );
    assert.equal(
      msg(sd(["<p>", "", "</p>"], { 0: { f: "f-c" }, 1: { f: "f-c" } })),
      "fragment f-p: bad dynamics: child f-c referenced twice",
    );
    assert.equal(msg(sd(["<p>", "</p>"], { 0: { f: "f-l" } })), "fragment f-p: child region f-l not found");
    assert.equal(msg(markers("f-c", [p(0, 2)])), "fragment f-c: bad patch: 0..2 is outside the content (1 bytes)");
    assert.equal(
      msg(markers("f-p", [p(0, 2), p(1, 1)])),
      "fragment f-p: bad patch: patch at 1 overlaps or precedes the previous one (ending at 2)",
    );
    assert.equal(
      msg(markers("f-p", [p(2 ** 64 - 2048, 2048)])),
      "fragment f-p: bad patch: position + length overflows",
    );
    assert.equal(msg([...replacement("f-c", "x"), 1]), "invalid fragment: a fragment with extra elements");
    r.apply([sd(["<p>", "", "</p>"], { 0: "y", 1: { f: "f-c" } })]);
    assert.equal(msg(sd(null, { 2: "y" })), "fragment f-p: bad dynamics: index 2 of 2 dynamics");
    const u = new Reconstructor("<!--f-a-->é<!--/f-a-->");
    assert.equal(
      refuse(u, [markers("f-a", [p(1, 0)])]).message,
      "fragment f-a: bad patch: 1..1 cuts a UTF-8 character",
    );
  });

  test(`${name}: adjacent zero-length patches keep order (reconstruct.rs)`, () => {
    const r = new Reconstructor("<!--f-a-->ab<!--/f-a-->");
    r.apply([markers("f-a", [p(1, 0, "x"), p(1, 0, "y"), p(1, 1, "B")])]);
    assert.equal(r.html, "<!--f-a-->axyB<!--/f-a-->");
  });

  test(`${name}: static_dynamic cache rules`, () => {
    const page = "<!--f-r--><!--f-a--><b>1</b><!--f-b-->2<!--/f-b--><!--/f-a--><!--/f-r-->";
    const r = new Reconstructor(page);
    // statics with every dynamic, a child kept from the page
    r.apply([sd(["<b>", "</b>", ""], { 0: "1", 1: { f: "f-b" } }, "f-a")]);
    assert.equal(r.html, page);
    r.apply([sd(["[", "]"], { 0: "2" }, "f-b")]);
    assert.deepEqual([...r.cachedIds()], ["f-a", "f-b"]);
    assert.equal(r.html, "<!--f-r--><!--f-a--><b>1</b><!--f-b-->[2]<!--/f-b--><!--/f-a--><!--/f-r-->");
    // a delta merges into the cache; the child is taken as it is now
    r.apply([sd(null, { 0: "9" }, "f-a")]);
    assert.equal(r.html, "<!--f-r--><!--f-a--><b>9</b><!--f-b-->[2]<!--/f-b--><!--/f-a--><!--/f-r-->");
    // an empty delta rewrites the region from the cache
    r.apply([sd(null, {}, "f-b")]);
    assert.equal(r.html, "<!--f-r--><!--f-a--><b>9</b><!--f-b-->[2]<!--/f-b--><!--/f-a--><!--/f-r-->");
    // a delta may turn a child into HTML and back only if the child region is there
    r.apply([sd(null, { 1: "<i>x</i>" }, "f-a")]);
    assert.equal(r.html, "<!--f-r--><!--f-a--><b>9</b><i>x</i><!--/f-a--><!--/f-r-->");
    // f-b is gone from the page but its cache stays (as in Rust)
    assert.deepEqual([...r.cachedIds()], ["f-a", "f-b"]);
    refuse(r, [sd(null, { 1: { f: "f-b" } }, "f-a")], "ChildNotFound");
    refuse(r, [sd(null, { 0: "x" }, "f-b")], "UnknownFragment");
    // new statics replace the cache (and the dynamics count)
    r.apply([sd(["<u>", "", "", "</u>"], { 0: "a", 1: "b", 2: "c" }, "f-a")]);
    assert.equal(r.html, "<!--f-r--><!--f-a--><u>abc</u><!--/f-a--><!--/f-r-->");
    r.apply([sd(null, { 2: "C" }, "f-a")]);
    assert.equal(r.html, "<!--f-r--><!--f-a--><u>abC</u><!--/f-a--><!--/f-r-->");
    refuse(r, [sd(null, { 3: "x" }, "f-a")], "BadDynamics");
    // granular and markers forget the fragment's own cache only
    const r2 = new Reconstructor("<!--f-r--><!--f-a-->x<!--f-b-->y<!--/f-b--><!--/f-a--><!--/f-r-->");
    r2.apply([sd(["", ""], { 0: "Y" }, "f-b"), sd(["", "", ""], { 0: "x", 1: { f: "f-b" } }, "f-a")]);
    assert.deepEqual([...r2.cachedIds()], ["f-a", "f-b"]);
    r2.apply([markers("f-a", [p(0, 1, "z")])]);
    assert.deepEqual([...r2.cachedIds()], ["f-b"]);
    assert.equal(r2.html, "<!--f-r--><!--f-a-->z<!--f-b-->Y<!--/f-b--><!--/f-a--><!--/f-r-->");
    // a static_dynamic of the parent keeps the children's caches
    r2.apply([sd(["", "", ""], { 0: "x", 1: { f: "f-b" } }, "f-a"), sd(["", "", ""], { 0: "", 1: { f: "f-a" } }, "f-r")]);
    assert.deepEqual([...r2.cachedIds()], ["f-a", "f-b", "f-r"]);
    // replacement of the root forgets every cache inside it, and its own
    r2.apply([replacement("f-r", "<!--f-a--><!--/f-a-->")]);
    assert.deepEqual([...r2.cachedIds()], []);
    // a granular update of a list forgets the list's cache
    const r3 = new Reconstructor("<!--f-l--><!--/f-l-->");
    r3.apply([sd([""], {}, "f-l")]);
    assert.ok(r3.hasStatics("f-l"));
    r3.apply([granular("f-l", "append", "a", 0)]);
    assert.ok(!r3.hasStatics("f-l"));
  });

  test(`${name}: a list is all or nothing, later fragments see earlier ones`, () => {
    const r = new Reconstructor(PAGE);
    // the second fragment needs the statics the first one brings
    r.apply([sd(["<p>", "", "</p>"], { 0: "y", 1: { f: "f-c" } }), sd(null, { 0: "z" }), replacement("f-c", "C")]);
    assert.ok(r.html.includes("<!--f-p--><p>z<!--f-c-->C<!--/f-c--></p><!--/f-p-->"));
    // the last fragment fails: nothing of the list stays, not even the cache
    const r2 = new Reconstructor(PAGE);
    refuse(r2, [sd(["<p>", "", "</p>"], { 0: "y", 1: { f: "f-c" } }), replacement("f-c", "C"), replacement("f-x", "")]);
    assert.equal(r2.html, PAGE);
    assert.ok(!r2.hasStatics("f-p"));
    // a fragment can target a region a previous one of the list created
    r2.apply([replacement("f-c", "<!--f-n-->1<!--/f-n-->"), replacement("f-n", "2")]);
    assert.ok(r2.html.includes("<!--f-c--><!--f-n-->2<!--/f-n--><!--/f-c-->"));
    // and not one that a previous one removed
    refuse(r2, [replacement("f-c", ""), replacement("f-n", "3")], "UnknownFragment");
    // an empty list does nothing
    assert.deepEqual([...r2.apply([])], []);
    assert.throws(() => r2.apply({}), { kind: "Invalid" });
  });

  test(`${name}: regions are found as Rust finds them`, () => {
    // the first open marker, then the first close marker after it
    const r = new Reconstructor("<!--/f-a-->0<!--f-a-->1<!--/f-a-->2<!--f-a-->3<!--/f-a-->");
    r.apply([replacement("f-a", "x")]);
    assert.equal(r.html, "<!--/f-a-->0<!--f-a-->x<!--/f-a-->2<!--f-a-->3<!--/f-a-->");
    // markers of other ids are not confused with prefixes
    const r2 = new Reconstructor("<!--f-ab-->1<!--/f-ab--><!--f-a-->2<!--/f-a-->");
    r2.apply([replacement("f-a", "x")]);
    assert.equal(r2.html, "<!--f-ab-->1<!--/f-ab--><!--f-a-->x<!--/f-a-->");
    // an empty region, and content with other comments
    const r3 = new Reconstructor("<!--f-a--><!--/f-a-->");
    r3.apply([replacement("f-a", "<!-- hi -->")]);
    r3.apply([markers("f-a", [p(0, 0, "<b>")])]);
    assert.equal(r3.html, "<!--f-a--><b><!-- hi --><!--/f-a-->");
  });

  test(`${name}: UTF-8 byte positions`, () => {
    // é: 2 bytes, €: 3 bytes, 😀: 4 bytes (2 UTF-16 units)
    const r = new Reconstructor("<!--f-a-->aé€😀b<!--/f-a-->");
    for (const bad of [2, 4, 5, 7, 8, 9]) refuse(r, [markers("f-a", [p(bad, 0)])], "BadPatch");
    refuse(r, [markers("f-a", [p(7, 2)])], "BadPatch"); // end inside 😀
    refuse(r, [markers("f-a", [p(0, 12)])], "BadPatch"); // content is 11 bytes
    r.apply([markers("f-a", [p(0, 0, "<"), p(1, 2, "E"), p(3, 3, ""), p(6, 4, "🙂"), p(10, 1, "B"), p(11, 0, ">")])]);
    assert.equal(r.html, "<!--f-a--><aE🙂B><!--/f-a-->");
    // positions count the bytes of the content only, not of the page before it
    const r2 = new Reconstructor("ééé<!--f-a-->é<!--/f-a-->");
    r2.apply([markers("f-a", [p(2, 0, "!")])]);
    assert.equal(r2.html, "ééé<!--f-a-->é!<!--/f-a-->");
    assert.equal(LT.utf8Length("aé€😀b"), 11);
  });

  test(`${name}: random UTF-8 patches agree with byte-level splicing`, () => {
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    const chars = ["a", "<", "é", "ß", "€", "中", "😀", "𝄞", "\n", "\u0000"];
    let seed = 12345;
    const rnd = (n) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      let content = "";
      for (let i = rnd(12); i > 0; i--) content += chars[rnd(chars.length)];
      assert.equal(LT.utf8Length(content), enc.encode(content).length);
      // character boundaries in bytes
      const bounds = [0];
      for (const ch of content) bounds.push(bounds[bounds.length - 1] + enc.encode(ch).length);
      const patches = [];
      let at = 0;
      for (let i = rnd(4); i > 0; i--) {
        const choices = bounds.filter((b) => b >= at);
        const start = choices[rnd(choices.length)];
        const ends = bounds.filter((b) => b >= start);
        const end = ends[rnd(ends.length)];
        patches.push(p(start, end - start, chars[rnd(chars.length)].repeat(rnd(3))));
        at = end;
      }
      const bytes = enc.encode(content);
      let expected = new Uint8Array(0);
      let done = 0;
      const cat = (a, b) => {
        const c = new Uint8Array(a.length + b.length);
        c.set(a);
        c.set(b, a.length);
        return c;
      };
      for (const q of patches) {
        expected = cat(cat(expected, bytes.slice(done, q.position)), enc.encode(q.new_value));
        done = q.position + q.length;
      }
      expected = cat(expected, bytes.slice(done));
      const r = new Reconstructor(`<!--f-a-->${content}<!--/f-a-->`);
      r.apply([markers("f-a", patches)]);
      assert.equal(r.html, `<!--f-a-->${dec.decode(expected)}<!--/f-a-->`, JSON.stringify({ content, patches }));
      // a position off a boundary is refused
      const inside = [];
      for (let b = 0; b <= bytes.length; b++) if (!bounds.includes(b)) inside.push(b);
      if (inside.length) refuse(r, [markers("f-a", [p(inside[rnd(inside.length)], 0)])], "BadPatch");
    }
  });

  test(`${name}: random fragments never throw anything else (reconstruct.rs)`, () => {
    // the xorshift of the Rust test
    let x = 0x2545f4914f6cdd1dn;
    const M = (1n << 64n) - 1n;
    const next = (n) => {
      x ^= (x << 13n) & M;
      x ^= x >> 7n;
      x ^= (x << 17n) & M;
      return Number(x % BigInt(n));
    };
    const ids = ["f-r", "f-p", "f-c", "f-l", "f-zz"];
    const texts = ["", "é", "<!--i-->", "<!--f-c-->", "<!--/f-c-->", "x"];
    let r = new Reconstructor(PAGE);
    let applied = 0;
    for (let i = 0; i < 20000; i++) {
      const id = ids[next(ids.length)];
      const text = texts[next(texts.length)];
      let f;
      switch (next(4)) {
        case 0:
          f = replacement(id, text);
          break;
        case 1: {
          const ps = [];
          for (let k = next(3); k > 0; k--) ps.push(p(next(40), next(4), text));
          f = markers(id, ps);
          break;
        }
        case 2: {
          const op = ["append", "prepend", "insert", "remove"][next(4)];
          f = granular(id, op, text, next(4));
          break;
        }
        default: {
          const n = next(3);
          const statics = [];
          for (let k = 0; k <= n; k++) statics.push(texts[next(texts.length)]);
          const dyns = {};
          const count = n + next(2);
          for (let k = 0; k < count; k++) dyns[k] = next(3) === 0 ? { f: ids[next(ids.length)] } : text;
          const withStatics = next(2) === 0;
          f = sd(withStatics ? statics : null, dyns, id);
        }
      }
      const before = r.html;
      try {
        r.apply([f]);
        applied++;
      } catch (e) {
        assert.equal(e.name, "ReconstructError", String(e));
        assert.equal(r.html, before);
      }
      if (LT.utf8Length(r.html) > 4096 || next(50) === 0) r = new Reconstructor(PAGE);
    }
    assert.ok(applied > 100, `${applied}`);
  });
}
