// The wire format: what livetemplate-runtime/src/fragment.rs accepts and
// refuses (its round-trip JSON and rejects_malformed list), as seen by the
// client's apply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { impls } from "../test-support/impls.mjs";

// JSON the Rust side produces (fragment.rs round-trip tests), each with a
// page it applies to and the result.
const ACCEPTED = [
  ['["1",0,{"0":"a &amp; b"},["<p>","</p>"]]', "<!--f-1-->x<!--/f-1-->", "<!--f-1--><p>a &amp; b</p><!--/f-1-->"],
  [
    '["1",0,{"0":"a","1":{"f":"00ff"}},["<p>","","</p>"]]',
    "<!--f-1--><!--f-00ff-->c<!--/f-00ff--><!--/f-1-->",
    "<!--f-1--><p>a<!--f-00ff-->c<!--/f-00ff--></p><!--/f-1-->",
  ],
  ['["ab",1,3,2,"on",9,0,"é"]', "<!--f-ab-->0123456789<!--/f-ab-->", "<!--f-ab-->012on5678é9<!--/f-ab-->"],
  ['["ab",1]', "<!--f-ab-->0123<!--/f-ab-->", "<!--f-ab-->0123<!--/f-ab-->"],
  ['["9",2,2,"<li>x</li>"]', "<!--f-9--><!--i-->a<!--i-->b<!--/f-9-->", "<!--f-9--><!--i-->a<!--i-->b<!--i--><li>x</li><!--/f-9-->"],
  ['["9",3,0,"<li>x</li>"]', "<!--f-9--><!--i-->a<!--/f-9-->", "<!--f-9--><!--i--><li>x</li><!--i-->a<!--/f-9-->"],
  ['["9",4,1,"<li>x</li>"]', "<!--f-9--><!--i-->a<!--i-->b<!--/f-9-->", "<!--f-9--><!--i-->a<!--i--><li>x</li><!--i-->b<!--/f-9-->"],
  ['["9",5,0]', "<!--f-9--><!--i-->a<!--i-->b<!--/f-9-->", "<!--f-9--><!--i-->b<!--/f-9-->"],
  ['["9",2,1,["x",{"s":[" on"],"d":[]}],["<li>","","</li>"]]', "<!--f-9--><!--i-->a<!--/f-9-->", "<!--f-9--><!--i-->a<!--i--><li>x on</li><!--/f-9-->"],
  ['["9",8,2,0,1]', "<!--f-9--><!--i-->a<!--i-->b<!--i-->c<!--/f-9-->", "<!--f-9--><!--i-->c<!--i-->a<!--i-->b<!--/f-9-->"],
  ['["9",7,1,0,2,1]', "<!--f-9--><!--i-->a<!--i-->b<!--i-->c<!--/f-9-->", "<!--f-9--><!--i-->b<!--i-->c<!--i-->a<!--/f-9-->"],
  ['["0",6,"<b>\\"hi\\"</b>\\n"]', "<!--f-0-->x<!--/f-0-->", '<!--f-0--><b>"hi"</b>\n<!--/f-0-->'],
  // serde reads null for an Option as None
  // every item without statics: needs kept statics
  ['["1",0,{"0":["a"]}]', null, "MissingStatics"],
  [
    '["1",0,{},null]',
    null, // needs a cache: refused with MissingStatics, not Invalid
    "MissingStatics",
  ],
];

// fragment.rs rejects_malformed, plus the shapes JSON.parse lets through
// that serde refuses.
const REFUSED = [
  // unknown code, or not a code
  '["1",7,{}]',
  '["1",255,{}]',
  '["1",256,{}]',
  '["1",-1,{}]',
  '["1",0.5,{}]',
  '["1","update",{}]',
  '["1","toString",{}]',
  '["1",null,{}]',
  // payload of another strategy
  '["1",1,"x"]',
  '["1",6,[]]',
  '["1",0,"x"]',
  '["1",6,{"content":"x"}]',
  // extra or missing elements
  '["1",6,"x",1]',
  '["1",0,{},["a"],1]',
  '["1",5,0,"x"]',
  '["1",5,0,null]',
  '["1",1,0,0]',
  '["1",1,0]',
  '["1",2,0]',
  '["1",3,0]',
  '["1",4,0]',
  '["1",5]',
  '["1",7]',
  '["1",7,0]',
  '["1",7,0,1,2]',
  '["1",7,0,-1]',
  '["1",7,"0",1]',
  '["1",7,0,null]',
  '["1",2,0,["x"],[]]',
  '["1",2,0,["x"],["a"],1]',
  '["1",2,0,[["x"]]]',
  '["1",2,0,[{"f":"2"}]]',
  '["1",2,0,[{"0":"x"}]]',
  '["1",2,0,"x",["a"]]',
  '["1",2,0,["x"],"a"]',
  '["1",2,0,{"s":["a"],"d":[]}]',
  '["1",8]',
  '["1",8,1]',
  '["1",8,0,0]',
  '["1",8,0,2]',
  '["1",8,-1]',
  '["1",8,"0"]',
  '["1",6]',
  '["1",0]',
  '["1"]',
  "[]",
  // granular content and positions in the wrong order or type
  '["1",4,"x",0]',
  '["1",2,"0","x"]',
  '["1",2,0,null]',
  '["1",2,0,1]',
  // negative / non-integer / too large numbers
  '["1",1,-1,0,""]',
  '["1",1,0,-1,""]',
  '["1",1,1.5,0,""]',
  '["1",1,"1",0,""]',
  '["1",1,1e20,0,""]',
  '["1",1,18446744073709551616,0,""]',
  '["1",1,0,0,1]',
  '["1",5,-0.5]',
  // bad ids
  '["",6,""]',
  '["f-1",6,""]',
  '["a-->",6,""]',
  '["1 ",6,""]',
  `["${"a".repeat(65)}",6,""]`,
  '[1,6,""]',
  '[null,6,""]',
  // bad dynamics
  '["1",0,{"x":"a"}]',
  '["1",0,{"01":"a"}]',
  '["1",0,{"-1":"a"}]',
  '["1",0,{"1.0":"a"}]',
  '["1",0,{"__proto__":"a"}]',
  '["1",0,{"0":{"g":"2"}}]',
  '["1",0,{"0":{"f":"2","g":1}}]',
  // nested static_dynamic values in the wrong shape or place, or too deep (serde_json: 127 levels)
  '["1",0,{"0":{"0":"a","s":["x"]}}]',
  '["1",0,{"0":{"s":["x"]}}]',
  '["1",0,{"0":{"s":["x"],"d":[],"l":[]}}]',
  '["1",0,{"0":{"d":[]}}]',
  '["1",0,{"0":{"f":"2","s":["x"],"d":[]}}]',
  '["1",0,{"0":{"s":["a","b"],"d":["x"]}}]',
  '["1",0,{"0":{"s":["a"],"l":[]}}]',
  '["1",0,{"0":{"01":"x"}}]',
  '["1",0,{"0":{"0":["x"]}}]',
  '["1",0,{"0":{"0":{"f":"2"}}}]',
  '["1",0,{"0":{"0":{"s":["a"],"d":[]}}}]',
  '["1",0,{"0":{"0":null}}]',
  '["1",0,{"0":["x"],"1":"y"},["a","b"]]',
  '["1",0,{"0":[{"f":"2"}]},["a","b"]]',
  '["1",0,{"0":[["x"]]},["a","b"]]',
  '["1",0,{"0":[{"0":"x"}]},["a","b"]]',
  '["1",0,{"0":[{"s":["a"],"l":["x"]}]},["a","b"]]',
  '["1",0,{"0":[{"s":"ab","d":[]}]},["a","b"]]',
  '["1",0,{"0":[{"s":[1],"d":[]}]},["a","b"]]',
  '["1",0,{"0":[{"s":["a"],"d":[{"s":["b"],"d":[1]}]}]},["a","b"]]',
  '["1",0,{"0":{}},["a","b"]]',
  '["1",0,{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":{"0":"x"}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}]',
  '["1",0,{"0":{"f":"no-pe"}}]',
  '["1",0,{"0":{"f":""}}]',
  '["1",0,{"0":{"f":2}}]',
  '["1",0,{"0":1}]',
  '["1",0,{"0":null}]',
  '["1",0,{"0":["a"],"1":"b"}]',
  '["1",0,{"0":[["a"]]}]',
  '["1",0,{},[]]',
  '["1",0,{},[1]]',
  '["1",0,{},"ab"]',
  '["1",0,[]]',
  '["1",0,null]',
  // lone surrogates (serde_json refuses them in strings)
  '["1",6,"a\\ud800b"]',
  '["1",6,"\\udc00"]',
  '["1",0,{},["\\ud83d"]]',
  '["\\ud83d",6,""]',
  // the v1 form, wrong types
  '{"id":"f-1","strategy":"replacement","action":"replace","data":{"content":""}}',
  '["1",6,1]',
  "null",
  '"f-1"',
  "6",
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
    r.apply([JSON.parse('["1",6,"\\ud83d\\ude00"]')]);
    assert.equal(r.html, "<!--f-1-->😀<!--/f-1-->");
  });

  test(`${name}: refuses malformed fragments, alone or in a list (fragment.rs)`, () => {
    const page = "<!--f-1--><!--i-->x<!--f-2-->y<!--/f-2--><!--/f-1-->";
    const ok = JSON.parse('["2",6,"z"]');
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
      JSON.parse('["1",0,{"10":"b","2":{"f":"3"}}]'),
    );
    assert.equal(f.id, "f-1");
    assert.equal(f.action, "update");
    assert.equal(JSON.stringify(f.data), '{"statics":null,"dynamics":[[2,{"f":"f-3"}],[10,"b"]]}');
  });
}
