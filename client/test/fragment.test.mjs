// The wire format: what livetemplate-runtime/src/fragment.rs accepts and
// refuses (its round-trip JSON and rejects_malformed list), as seen by the
// client's apply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { impls } from "../test-support/impls.mjs";

// JSON the Rust side produces (fragment.rs round-trip tests), each with a
// page it applies to and the result.
const ACCEPTED = [
  [
    '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["<p>","</p>"],"dynamics":{"0":"a &amp; b"}}}',
    "<!--f-1-->x<!--/f-1-->",
    "<!--f-1--><p>a &amp; b</p><!--/f-1-->",
  ],
  [
    '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["<p>","","</p>"],"dynamics":{"0":"a","1":{"f":"f-00ff"}}}}',
    "<!--f-1--><!--f-00ff-->c<!--/f-00ff--><!--/f-1-->",
    "<!--f-1--><p>a<!--f-00ff-->c<!--/f-00ff--></p><!--/f-1-->",
  ],
  [
    '{"id":"f-ab","strategy":"markers","action":"patch","data":{"patches":[{"position":3,"length":2,"new_value":"on"},{"position":9,"length":0,"new_value":"é"}]}}',
    "<!--f-ab-->0123456789<!--/f-ab-->",
    "<!--f-ab-->012on5678é9<!--/f-ab-->",
  ],
  [
    '{"id":"f-9","strategy":"granular","action":"append","data":{"operation":"append","content":"<li>x</li>","position":2}}',
    "<!--f-9--><!--i-->a<!--i-->b<!--/f-9-->",
    "<!--f-9--><!--i-->a<!--i-->b<!--i--><li>x</li><!--/f-9-->",
  ],
  [
    '{"id":"f-9","strategy":"granular","action":"prepend","data":{"operation":"prepend","content":"<li>x</li>","position":0}}',
    "<!--f-9--><!--i-->a<!--/f-9-->",
    "<!--f-9--><!--i--><li>x</li><!--i-->a<!--/f-9-->",
  ],
  [
    '{"id":"f-9","strategy":"granular","action":"insert","data":{"operation":"insert","content":"<li>x</li>","position":1}}',
    "<!--f-9--><!--i-->a<!--i-->b<!--/f-9-->",
    "<!--f-9--><!--i-->a<!--i--><li>x</li><!--i-->b<!--/f-9-->",
  ],
  [
    '{"id":"f-9","strategy":"granular","action":"remove","data":{"operation":"remove","position":0}}',
    "<!--f-9--><!--i-->a<!--i-->b<!--/f-9-->",
    "<!--f-9--><!--i-->b<!--/f-9-->",
  ],
  [
    '{"id":"f-0","strategy":"replacement","action":"replace","data":{"content":"<b>\\"hi\\"</b>\\n"}}',
    "<!--f-0-->x<!--/f-0-->",
    '<!--f-0--><b>"hi"</b>\n<!--/f-0-->',
  ],
  // serde reads null for an Option as None
  [
    '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":null,"dynamics":{}}}',
    null, // needs a cache: refused with MissingStatics, not Invalid
    "MissingStatics",
  ],
  [
    '{"id":"f-9","strategy":"granular","action":"remove","data":{"operation":"remove","content":null,"position":0}}',
    "<!--f-9--><!--i-->a<!--/f-9-->",
    "<!--f-9--><!--/f-9-->",
  ],
];

// fragment.rs rejects_malformed, plus the shapes JSON.parse lets through
// that serde refuses.
const REFUSED = [
  // unknown strategy
  '{"id":"f-1","strategy":"magic","action":"update","data":{"dynamics":{}}}',
  '{"id":"f-1","strategy":"toString","action":"update","data":{"dynamics":{}}}',
  // data of another strategy
  '{"id":"f-1","strategy":"markers","action":"patch","data":{"content":"x"}}',
  '{"id":"f-1","strategy":"replacement","action":"replace","data":{"patches":[]}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"content":"x"}}',
  // extra data fields
  '{"id":"f-1","strategy":"replacement","action":"replace","data":{"content":"x","y":1}}',
  '{"id":"f-1","strategy":"markers","action":"patch","data":{"patches":[{"position":0,"length":0,"new_value":"","x":0}]}}',
  // wrong action
  '{"id":"f-1","strategy":"replacement","action":"patch","data":{"content":"x"}}',
  '{"id":"f-1","strategy":"granular","action":"append","data":{"operation":"insert","content":"x","position":0}}',
  // granular content rules
  '{"id":"f-1","strategy":"granular","action":"append","data":{"operation":"append","position":0}}',
  '{"id":"f-1","strategy":"granular","action":"append","data":{"operation":"append","content":null,"position":0}}',
  '{"id":"f-1","strategy":"granular","action":"remove","data":{"operation":"remove","content":"x","position":0}}',
  '{"id":"f-1","strategy":"granular","action":"explode","data":{"operation":"explode","position":0}}',
  // negative / non-integer / too large numbers
  '{"id":"f-1","strategy":"markers","action":"patch","data":{"patches":[{"position":-1,"length":0,"new_value":""}]}}',
  '{"id":"f-1","strategy":"markers","action":"patch","data":{"patches":[{"position":1.5,"length":0,"new_value":""}]}}',
  '{"id":"f-1","strategy":"markers","action":"patch","data":{"patches":[{"position":"1","length":0,"new_value":""}]}}',
  '{"id":"f-1","strategy":"markers","action":"patch","data":{"patches":[{"position":1e20,"length":0,"new_value":""}]}}',
  '{"id":"f-1","strategy":"granular","action":"remove","data":{"operation":"remove","position":-0.5}}',
  // bad ids
  '{"id":"x","strategy":"replacement","action":"replace","data":{"content":""}}',
  '{"id":"f-a-->","strategy":"replacement","action":"replace","data":{"content":""}}',
  '{"id":"f-","strategy":"replacement","action":"replace","data":{"content":""}}',
  '{"id":"f-1 ","strategy":"replacement","action":"replace","data":{"content":""}}',
  `{"id":"f-${"a".repeat(65)}","strategy":"replacement","action":"replace","data":{"content":""}}`,
  // bad dynamics
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"x":"a"}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"01":"a"}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"-1":"a"}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"1.0":"a"}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"__proto__":"a"}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"g":"f-2"}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"f":"f-2","g":1}}}}',
  // nested static_dynamic values in the wrong shape or place, or too deep (serde_json: 127 levels)
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":"a","s":["x"]}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"s":["x"]}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"s":["x"],"d":[],"l":[]}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"d":[]}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"f":"f-2","s":["x"],"d":[]}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"s":["a","b"],"d":["x"]}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"s":["a"],"l":[]}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"01":"x"}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":["x"]}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":{"f":"f-2"}}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":{"s":["a"],"d":[]}}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":null}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":["x"],"1":"y"}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"f":"f-2"}]}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[["x"]]}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"0":"x"}]}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"s":["a"],"l":["x"]}]}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"s":"ab","d":[]}]}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"s":[1],"d":[]}]}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":[{"s":["a"],"d":[{"s":["b"],"d":[1]}]}]}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["a","b"],"dynamics":{"0":{}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":"x"}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"f":"nope"}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":{"f":2}}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":1}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":null}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"0":["a"]}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":[],"dynamics":{}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":[1],"dynamics":{}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":"ab","dynamics":{}}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":[]}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":null}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{}}',
  // lone surrogates (serde_json refuses them in strings)
  '{"id":"f-1","strategy":"replacement","action":"replace","data":{"content":"a\\ud800b"}}',
  '{"id":"f-1","strategy":"replacement","action":"replace","data":{"content":"\\udc00"}}',
  '{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"statics":["\\ud83d"],"dynamics":{}}}',
  // missing / extra top-level fields, wrong types
  '{"id":"f-1","strategy":"replacement","data":{"content":""}}',
  '{"id":"f-1","strategy":"replacement","action":"replace"}',
  '{"id":"f-1","strategy":"replacement","action":"replace","data":null}',
  '{"id":"f-1","strategy":"replacement","action":"replace","data":{"content":""},"z":0}',
  '{"id":1,"strategy":"replacement","action":"replace","data":{"content":""}}',
  '{"id":"f-1","strategy":"replacement","action":"replace","data":{"content":1}}',
  "[]",
  "null",
  '"f-1"',
];

for (const [name, LT] of await impls()) {
  const { Reconstructor } = LT;

  test(`${name}: accepts what the server sends`, () => {
    for (const [json, page, expected] of ACCEPTED) {
      const r = new Reconstructor(page ?? "<!--f-1-->x<!--/f-1-->");
      if (page === null) {
        assert.throws(() => r.apply([JSON.parse(json)]), { kind: expected }, json);
        continue;
      }
      r.apply([JSON.parse(json)]);
      assert.equal(r.html, expected, json);
    }
    // pairs of surrogates are characters, not lone surrogates
    const r = new Reconstructor("<!--f-1-->x<!--/f-1-->");
    r.apply([JSON.parse('{"id":"f-1","strategy":"replacement","action":"replace","data":{"content":"\\ud83d\\ude00"}}')]);
    assert.equal(r.html, "<!--f-1-->😀<!--/f-1-->");
  });

  test(`${name}: refuses malformed fragments, alone or in a list (fragment.rs)`, () => {
    const page = "<!--f-1--><!--i-->x<!--f-2-->y<!--/f-2--><!--/f-1-->";
    const ok = JSON.parse('{"id":"f-2","strategy":"replacement","action":"replace","data":{"content":"z"}}');
    for (const json of REFUSED) {
      const r = new Reconstructor(page);
      const f = JSON.parse(json);
      for (const list of [[f], [ok, f], [f, ok]]) {
        let error;
        try {
          r.apply(list);
        } catch (e) {
          error = e;
        }
        assert.ok(error, "accepted " + json);
        assert.equal(error.kind, "Invalid", json + ": " + error.message);
        assert.match(error.message, /^invalid fragment: /);
        assert.equal(r.html, page);
      }
    }
  });

  test(`${name}: ids`, () => {
    assert.ok(LT.isValidId("f-0123456789abcdef"));
    assert.ok(LT.isValidId("f-" + "a".repeat(64)));
    assert.ok(!LT.isValidId("f-"));
    assert.ok(!LT.isValidId("g-12"));
    assert.ok(!LT.isValidId("f-1-2"));
    assert.ok(!LT.isValidId("f-é"));
    assert.ok(!LT.isValidId("f-" + "a".repeat(65)));
    assert.ok(!LT.isValidId(12));
  });

  test(`${name}: parseFragment gives the normal form`, () => {
    const f = LT.parseFragment(
      JSON.parse('{"id":"f-1","strategy":"static_dynamic","action":"update","data":{"dynamics":{"10":"b","2":{"f":"f-3"}}}}'),
    );
    assert.equal(JSON.stringify(f.data), '{"statics":null,"dynamics":[[2,{"f":"f-3"}],[10,"b"]]}');
  });
}
