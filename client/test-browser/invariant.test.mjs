// The reconstruction invariant in a real browser: for every fixture written by
// `cargo test --test browser_fixtures` (the Rust server's first renders, the
// fragments of each update and the fresh render after it), the JS client
// mounted on the first render and fed each update's fragments holds exactly
// the fresh render as its model, and the page is the same DOM as the
// browser's parse of the fresh render.
//
// Fixtures: every *.json in $LT_FIXTURES_DIR (default <repo>/target/browser-fixtures/),
// `{"template", "sequences": [{"first", "steps": [{"fragments", "expected"}]}]}`.
// A missing or empty directory fails the suite.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { launch } from "../test-support/browser.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const dir = process.env.LT_FIXTURES_DIR || path.join(repo, "target", "browser-fixtures");
const js = readFileSync(new URL("../dist/livetemplate.min.js", import.meta.url), "utf8");
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];
const totals = { templates: 0, sequences: 0, steps: 0 };
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  console.log(
    `browser invariant: ${totals.templates} templates, ${totals.sequences} sequences, ${totals.steps} steps checked (${dir})`,
  );
});

test("fixtures are there", () => {
  assert.ok(
    files.length > 0,
    `no *.json fixtures in ${dir}: run \`cargo test --test browser_fixtures\` first (or set LT_FIXTURES_DIR)`,
  );
});

// Runs in the page: every sequence of one template, each in a fresh container
// (or, for `mode: "document"`, in the whole document). Returns counts and the
// first failures with both serialisations.
function replay({ fixture, mode }) {
  const out = { sequences: 0, steps: 0, failures: [], more: 0 };
  const fail = (f) => (out.failures.length < 3 ? out.failures.push(f) : out.more++);
  // where two DOMs first differ, as a path of node names
  const firstDiff = (a, b, at = "") => {
    if (a.nodeName !== b.nodeName || a.nodeValue !== b.nodeValue) return `${at}: ${a.nodeName} vs ${b.nodeName}`;
    if (a.attributes) {
      const as = [...a.attributes].map((x) => `${x.namespaceURI}|${x.name}=${x.value}`).sort().join(" ");
      const bs = [...b.attributes].map((x) => `${x.namespaceURI}|${x.name}=${x.value}`).sort().join(" ");
      if (as !== bs) return `${at}/${a.nodeName}: attributes [${as}] vs [${bs}]`;
    }
    const ac = a.nodeName === "TEMPLATE" && a.content ? a.content.childNodes : a.childNodes;
    const bc = b.nodeName === "TEMPLATE" && b.content ? b.content.childNodes : b.childNodes;
    for (let i = 0; i < Math.max(ac.length, bc.length); i++) {
      if (!ac[i] || !bc[i]) return `${at}/${a.nodeName}: ${ac.length} vs ${bc.length} children`;
      if (!ac[i].isEqualNode(bc[i])) return firstDiff(ac[i], bc[i], `${at}/${a.nodeName}[${i}]`);
    }
    return `${at}: equal subtrees, different node`;
  };
  const serialise = (el) => (el.nodeType === 9 ? el.documentElement.outerHTML : el.innerHTML);

  fixture.sequences.forEach((seq, s) => {
    const errors = [];
    let container;
    let parse;
    if (mode === "document") {
      // the server's page, loaded as a whole document
      document.open();
      document.write(seq.first);
      document.close();
      container = document;
      parse = (html) => new DOMParser().parseFromString(html, "text/html");
    } else {
      document.body.innerHTML = '<div id="app"></div>';
      container = document.getElementById("app");
      parse = (html) => {
        const fresh = container.cloneNode(false);
        fresh.innerHTML = html;
        return fresh;
      };
    }
    const view = LiveTemplate.mount(container, seq.first, { onError: (e) => errors.push(String(e?.message ?? e)) });
    const check = (step, fragments, expected) => {
      const where = { template: fixture.template, mode, sequence: s, step };
      if (errors.length) {
        fail({ ...where, what: "client error", errors: errors.splice(0), fragments });
        return false;
      }
      if (view.html !== expected) {
        fail({ ...where, what: "model differs from the fresh render", got: view.html, want: expected, fragments });
        return false;
      }
      const want = parse(expected);
      const [a, b] = mode === "document" ? [document.documentElement, want.documentElement] : [container, want];
      const doctype = mode !== "document" || String(document.doctype?.name) === String(want.doctype?.name);
      if (!a.isEqualNode(b) || !doctype) {
        fail({
          ...where,
          what: "DOM differs from the parse of the fresh render",
          at: doctype ? firstDiff(a, b) : `doctype ${document.doctype?.name} vs ${want.doctype?.name}`,
          got: serialise(mode === "document" ? document : a),
          want: serialise(want),
          fragments,
        });
        return false;
      }
      return true;
    };
    out.sequences++;
    if (!check("first", null, seq.first)) return view.destroy();
    for (let k = 0; k < seq.steps.length; k++) {
      const { fragments, expected } = seq.steps[k];
      const applied = view.apply(fragments);
      out.steps++;
      if (!applied) {
        fail({ template: fixture.template, mode, sequence: s, step: k, what: "apply returned false", errors, fragments });
        break;
      }
      if (!check(k, fragments, expected)) break;
    }
    view.destroy();
  });
  return out;
}

for (const file of files) {
  const fixture = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  const name = fixture.template || file;
  // A template that renders a whole document is also mounted on `document`.
  const modes = fixture.sequences.some((s) => /<html[\s>]/i.test(s.first)) ? ["container", "document"] : ["container"];
  for (const mode of modes) {
    test(`${name} (${mode}): ${fixture.sequences.length} sequences`, async () => {
      assert.ok(Array.isArray(fixture.sequences) && fixture.sequences.length > 0, `${file}: no sequences`);
      const page = await browser.newPage();
      const pageErrors = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));
      try {
        await page.setContent('<!doctype html><html><head></head><body><div id="app"></div></body></html>');
        await page.addScriptTag({ content: js });
        const r = await page.evaluate(replay, { fixture, mode });
        for (const { got, want, fragments, ...f } of r.failures) {
          console.log(`MISMATCH ${JSON.stringify(f)}`);
          if (fragments) console.log(`  fragments: ${JSON.stringify(fragments)}`);
          if (got !== undefined) console.log(`  got:  ${JSON.stringify(got)}\n  want: ${JSON.stringify(want)}`);
        }
        if (r.more) console.log(`… and ${r.more} more failing sequences`);
        assert.deepEqual(pageErrors, []);
        assert.equal(r.failures.length, 0, `${name} (${mode}): ${r.failures.length + r.more} failing sequences, see above`);
        assert.equal(r.sequences, fixture.sequences.length);
        if (mode === "container") {
          totals.templates++;
          totals.sequences += r.sequences;
          totals.steps += r.steps;
        }
      } finally {
        await page.close();
      }
    });
  }
}
