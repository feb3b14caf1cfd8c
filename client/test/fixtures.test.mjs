// Cross-check with the Rust Reconstructor: replays every fixture file in
// test/fixtures/*.json and expects exactly the page (and cache, and error
// kind) the Rust side recorded.
//
// Fixture format (one JSON object per file):
//   {
//     "source": "what produced it",
//     "cases": [{
//       "name": "…",
//       "html": "<first render, markers included>",
//       "steps": [{
//         "fragments": [ …fragments as sent… ]   (or the raw JSON text of the list),
//         "html": "<the page after the step (the same page when refused)>",
//         "error": null | "UnknownFragment" | … (the ReconstructError variant; "Invalid"
//                  also for JSON the Rust side could not deserialise),
//         "cached": ["f-…", …]                    (optional: Reconstructor::cached_ids)
//       }, …]
//     }, …]
//   }
// Steps apply in order to one Reconstructor per case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { impls } from "../test-support/impls.mjs";

const dir = new URL("./fixtures/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

for (const [name, LT] of await impls()) {
  for (const file of files) {
    const { cases } = JSON.parse(readFileSync(new URL(file, dir), "utf8"));
    test(`${name}: fixtures ${file} (${cases.length} cases)`, () => {
      for (const c of cases) {
        const r = new LT.Reconstructor(c.html);
        c.steps.forEach((s, i) => {
          const where = `${file}: ${c.name}, step ${i}`;
          const fragments = typeof s.fragments == "string" ? JSON.parse(s.fragments) : s.fragments;
          let error = null;
          try {
            r.apply(fragments);
          } catch (e) {
            assert.equal(e.name, "ReconstructError", `${where}: ${e}`);
            error = e;
          }
          assert.equal(error && error.kind, s.error ?? null, `${where}: ${error && error.message}`);
          assert.equal(r.html, s.html, where);
          if (s.cached) assert.deepEqual([...r.cachedIds()], s.cached, where);
        });
      }
    });
  }
}
