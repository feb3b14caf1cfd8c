// The page model: applies fragments to the page's HTML exactly as the Rust
// `Reconstructor` (livetemplate-runtime/src/reconstruct.rs) does. That file
// is the specification; this one is a transliteration of it, checked against
// it by test/*.test.mjs. No DOM here: it runs in Node as well.
//
// Fragments arrive as parsed JSON, so this module also does what serde does
// on the Rust side before `apply` (fragment.rs): it checks the JSON shape of
// every fragment (known strategy, data fields of that strategy and no others,
// integers that fit a usize, well-formed ids, no lone surrogates) before
// `Fragment::validate`'s rules. A fragment Rust would refuse to deserialise
// is refused here with kind "Invalid".
//
// Strings are JavaScript (UTF-16) strings throughout; only `markers` patch
// positions are UTF-8 byte offsets (the server is Rust). They are mapped to
// string indices per patch, and a position that falls inside a character is
// refused as Rust refuses it.

export const ITEM_MARKER = "<!--i-->";

const ID_RE = /^f-[A-Za-z0-9]{1,64}$/;
const KEY_RE = /^(?:0|[1-9][0-9]*)$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:[^\ud800-\udbff]|^)[\udc00-\udfff]/;
const USIZE_END = 2 ** 64; // u64::MAX + 1, exactly representable
const MAX_DEPTH = 127; // serde_json's nesting limit, the list of fragments being level 1

/** True for a well-formed fragment id: `f-` then 1 to 64 ASCII letters or digits. */
export const isValidId = (id) => typeof id == "string" && ID_RE.test(id);

/**
 * Why a list of fragments could not be applied. `kind` is the name of the
 * Rust `ReconstructError` variant: Invalid, UnknownFragment, MissingStatics,
 * BadDynamics, ChildNotFound, BadPatch, BadGranular; `message` is its Display.
 */
export class ReconstructError extends Error {
  constructor(kind, id, message) {
    super(message);
    this.name = "ReconstructError";
    this.kind = kind;
    this.id = id;
  }
}

const q = JSON.stringify;
const invalid = (message, id) => new ReconstructError("Invalid", id, "invalid fragment: " + message);
const err = (kind, id, what) => new ReconstructError(kind, id, `fragment ${id}: ${what}`);

// ---------------------------------------------------------------------------
// The JSON shape (serde on the Rust side)

const isObject = (v) => v !== null && typeof v == "object" && !Array.isArray(v);
const isUsize = (v) => typeof v == "number" && Number.isInteger(v) && v >= 0 && v < USIZE_END;

function str(v, what, id) {
  if (typeof v != "string") throw invalid(`${what}: expected a string`, id);
  if (LONE_SURROGATE.test(v)) throw invalid(`${what}: lone surrogate in string`, id);
  return v;
}

/** An index key as serde_json reads a usize map key, as a number; -1 if not one. */
function indexKey(k) {
  if (!KEY_RE.test(k) || (k.length > 15 && BigInt(k) >= 2n ** 64n)) return -1;
  return Number(k);
}

function usize(v, what, id) {
  if (!isUsize(v)) throw invalid(`${what}: expected a non-negative integer`, id);
  return v;
}

// Wire codes (fragment.rs, "The wire form"): [strategy, action] by code.
const CODES = [
  ["static_dynamic", "update"],
  ["markers", "patch"],
  ["granular", "append"],
  ["granular", "prepend"],
  ["granular", "insert"],
  ["granular", "remove"],
  ["replacement", "replace"],
  ["granular", "move"],
  ["granular", "reorder"],
];

/**
 * Checks one fragment in its wire form (`[id, code, ...]`, see fragment.rs)
 * as Rust deserialises and validates it, and returns it in a normal form:
 * `{id, strategy, action, data}`, `id` with its `f-` prefix, where `data` is
 * - static_dynamic: `{statics: string[] | null, dynamics: [index, value][]}`
 *   sorted by index, a value being a string (HTML), `{f: childId}`,
 *   `{item: values}`, `{s, d}`, `{s, l}` or `{c: [index, value][]}` (see below);
 * - markers: `{patches: {position, length, new_value}[]}`;
 * - granular: `{operation, content: string | null, item: values | null,
 *   statics: string[] | null, position}` (an added item as HTML or as its
 *   dynamics), and
 *   `moves: [from, to][]` for the operation `move`, `order: number[]` for
 *   `reorder`;
 * - replacement: `{content}`.
 * Throws a `ReconstructError` of kind "Invalid".
 */
export function parseFragment(raw) {
  if (!Array.isArray(raw)) throw invalid("a fragment: expected an array [id, code, ...]");
  if (raw.length === 0) throw invalid("fragment without an id");
  if (typeof raw[0] != "string") throw invalid("id: expected a string");
  const wire = str(raw[0], "id");
  const id = "f-" + wire;
  if (!isValidId(id)) throw invalid(`invalid fragment id ${q(wire)}`, id);
  if (raw.length === 1) throw invalid("fragment without a code", id);
  const code = raw[1];
  if (!isUsize(code) || code > 255) throw invalid("code: expected an integer from 0 to 255", id);
  if (code >= CODES.length) throw invalid(`unknown fragment code ${code}`, id);
  const [strategy, action] = CODES[code];
  const what = strategy + " data";
  // elements after the code, at most `max`, at least `min`
  const rest = raw.slice(2);
  const arity = (min, max, missing) => {
    if (rest.length < min) throw invalid(`fragment without ${missing}`, id);
    if (rest.length > max) throw invalid("a fragment with extra elements", id);
  };
  let data;
  if (strategy === "static_dynamic") {
    arity(1, 2, "dynamics");
    const dynamics = indexed(rest[0], what + ": dynamics", 3, id);
    const statics = rest[1] == null ? null : strings(rest[1], what + ": statics", 3, id);
    data = { statics, dynamics };
  } else if (strategy === "markers") {
    if (rest.length % 3 !== 0) throw invalid(`fragment without a patch's ${rest.length % 3 === 1 ? "length" : "value"}`, id);
    const patches = [];
    for (let k = 0; k < rest.length; k += 3) {
      // a value an earlier patch has may come as that patch's index
      const v = rest[k + 2];
      if (typeof v == "number" && !(isUsize(v) && v < patches.length))
        throw invalid(`patch ${patches.length}: ${v} is not the index of an earlier patch`, id);
      patches.push({
        position: usize(rest[k], "position", id),
        length: usize(rest[k + 1], "length", id),
        new_value: typeof v == "number" ? patches[v].new_value : str(v, "new_value", id),
      });
    }
    data = { patches };
  } else if (action === "move") {
    if (rest.length === 0) throw invalid("granular move without moves, or with a position", id);
    if (rest.length % 2 !== 0) throw invalid("fragment without a move's target", id);
    const moves = [];
    for (let k = 0; k < rest.length; k += 2) moves.push([usize(rest[k], "from", id), usize(rest[k + 1], "to", id)]);
    data = { operation: "move", content: null, position: 0, moves };
  } else if (action === "reorder") {
    const order = rest.map((o) => usize(o, "order", id));
    const seen = new Set(order);
    if (order.length === 0 || seen.size !== order.length || order.some((o) => o >= order.length))
      throw invalid("granular reorder without an order that is a permutation, or with a position", id);
    data = { operation: "reorder", content: null, position: 0, order };
  } else if (strategy === "granular") {
    const adds = action !== "remove";
    arity(adds ? 2 : 1, adds ? 3 : 1, adds && rest.length === 1 ? "content" : "a position");
    const position = usize(rest[0], "position", id);
    data = { operation: action, content: null, item: null, statics: null, position };
    if (adds && Array.isArray(rest[1])) {
      // the item as its dynamics (a tree), then maybe the item statics
      data.item = values(rest[1], what + ": item", 4, id);
      if (rest[2] != null) data.statics = strings(rest[2], what + ": statics", 3, id);
      data.item.forEach((v) => treeNode(v, id));
      if (data.statics && data.statics.length === 0) throw invalid("empty statics", id);
    } else if (adds) {
      if (typeof rest[1] != "string") throw invalid(`${what}: content: expected a string or an array`, id);
      if (rest.length > 2) throw invalid("a fragment with extra elements", id);
      data.content = str(rest[1], "content", id);
    }
  } else {
    arity(1, 1, "content");
    data = { content: str(rest[0], "content", id) };
  }
  if (strategy === "static_dynamic") validateStaticDynamic(data, id);
  return { id, strategy, action, data };
}

// static_dynamic values, normalised (Rust's DynamicValue): a string (Html),
// {f} (Fragment), {item: values} (Item), {s, d} (Block), {s, l} (List),
// {c: [index, value][]} (Changes, sorted by index).

function depth(level, what, id) {
  if (level > MAX_DEPTH) throw invalid(`${what}: recursion limit exceeded`, id);
}

function strings(v, what, level, id) {
  depth(level, what, id);
  if (!Array.isArray(v)) throw invalid(`${what}: expected an array`, id);
  return v.map((s) => str(s, what, id));
}

/** `{"index": value}` as sorted [index, value] pairs; the object is at `level`. */
function indexed(v, what, level, id) {
  depth(level, what, id);
  if (!isObject(v)) throw invalid(`${what}: expected an object`, id);
  const out = [];
  for (const k of Object.keys(v)) {
    const n = indexKey(k);
    if (n < 0) throw invalid(`${what}: bad index ${q(k)}`, id);
    out.push([n, dynamicValue(v[k], what, level + 1, id)]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function dynamicValue(v, what, level, id) {
  if (typeof v == "string") return str(v, what, id);
  depth(level, what, id);
  if (Array.isArray(v)) return { item: values(v, what, level + 1, id) };
  if (!isObject(v)) throw invalid(`${what}: expected a string, an array or an object`, id);
  const keys = Object.keys(v);
  const named = keys.filter((k) => ["f", "s", "d", "l"].includes(k));
  if (named.length === 0) {
    const bad = keys.find((k) => indexKey(k) < 0);
    if (bad !== undefined) throw invalid(`${what}: unknown field ${q(bad)}`, id);
    return { c: indexed(v, what, level, id) };
  }
  if (named.length !== keys.length) throw invalid(`${what}: a dynamic mixes fields and indices`, id);
  const has = (k) => keys.includes(k);
  if (has("f") && keys.length === 1) {
    if (typeof v.f != "string") throw invalid(`${what}: f: expected a string`, id);
    str(v.f, what, id);
    if (!isValidId("f-" + v.f)) throw invalid(`invalid fragment id ${q(v.f)}`, id);
    return { f: "f-" + v.f };
  }
  if (has("s") && keys.length === 2 && (has("d") || has("l"))) {
    const s = strings(v.s, what + ": s", level + 1, id);
    if (has("d")) {
      depth(level + 1, what, id);
      if (!Array.isArray(v.d)) throw invalid(`${what}: d: expected an array`, id);
      return { s, d: values(v.d, what, level + 2, id) };
    }
    depth(level + 1, what, id);
    if (!Array.isArray(v.l)) throw invalid(`${what}: l: expected an array`, id);
    const l = v.l.map((item) => {
      depth(level + 2, what, id);
      if (!Array.isArray(item)) throw invalid(`${what}: l: expected an array of arrays`, id);
      return values(item, what, level + 3, id);
    });
    return { s, l };
  }
  throw invalid(`${what}: a dynamic object is {"f"}, {"s", "d"}, {"s", "l"} or changes by index`, id);
}

/**
 * A list of values (an item's, a block's): each a value at `level`, or the
 * index of an earlier string of the list, which it repeats (fragment.rs,
 * `Values`).
 */
function values(list, what, level, id) {
  const out = [];
  for (const x of list) {
    if (typeof x == "number") {
      if (!isUsize(x) || x >= out.length || typeof out[x] != "string")
        throw invalid(`${what}: value ${out.length}: ${x} is not the index of an earlier string`, id);
      out.push(out[x]);
    } else out.push(dynamicValue(x, what, level, id));
  }
  return out;
}

const isItem = (v) => typeof v == "object" && v.item !== undefined;

/** True for the list form with statics (StaticDynamicData::is_list_form). */
const allItems = (sd) => sd.dynamics.length > 0 && sd.dynamics.every(([, v]) => isItem(v));
const isListForm = (sd) => sd.statics !== null && allItems(sd);

/** A node of a list form's tree: HTML, a block or a list (fragment.rs, tree_node). */
function treeNode(v, id) {
  if (typeof v == "string") return;
  if (v.d) return v.d.forEach((x) => treeNode(x, id));
  if (v.l) return v.l.forEach((item) => item.forEach((x) => treeNode(x, id)));
  throw invalid("a tree holds HTML, blocks and lists only", id);
}

/** Which values may stand where (fragment.rs, validate_static_dynamic). */
function validateStaticDynamic(sd, id) {
  const tree = (v) => treeNode(v, id);
  const change = (v) => {
    if (typeof v == "string") return;
    if (v.c) return v.c.forEach(([, x]) => change(x));
    throw invalid("changes hold HTML and changes by index only", id);
  };
  if (sd.statics && sd.statics.length === 0) throw invalid("empty statics", id);
  if (sd.statics && isListForm(sd)) sd.dynamics.forEach(([, v]) => v.item.forEach(tree));
  else if (sd.statics) {
    for (const [, v] of sd.dynamics)
      if (typeof v != "string" && v.f === undefined)
        throw invalid(
          "with statics, dynamics are all HTML or child fragments (block form) or all items (list form)",
          id,
        );
  } else if (allItems(sd)) sd.dynamics.forEach(([, v]) => v.item.forEach(tree));
  else for (const [, v] of sd.dynamics) if (v.f === undefined) change(v);
}

// ---------------------------------------------------------------------------
// UTF-8 offsets

/** Bytes of `s` in UTF-8 (a lone surrogate counts 3, as TextEncoder's U+FFFD). */
export function utf8Length(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      if (c < 0x800) n += 1;
      else if (c >= 0xd800 && c < 0xdc00 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        n += 2; // 4 bytes for 2 code units
        i++;
      } else n += 2;
    }
  }
  return n;
}

/**
 * Walks `s` forward mapping UTF-8 byte offsets to string indices. `to(byte)`
 * takes non-decreasing offsets and returns the index, or -1 when the offset
 * is inside a character (or past the end).
 */
function byteCursor(s) {
  let i = 0; // string index
  let b = 0; // its byte offset
  return (byte) => {
    while (b < byte && i < s.length) {
      const c = s.charCodeAt(i);
      if (c < 0x80) b += 1;
      else if (c < 0x800) b += 2;
      else if (c >= 0xd800 && c < 0xdc00 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        b += 4;
        i++;
      } else b += 3;
      i++;
    }
    return b === byte ? i : -1;
  };
}

// ---------------------------------------------------------------------------
// Applying

// Hex digits of a generated id that the wire carries (Rust
// `livetemplate_shared::WIRE_ID_LEN`); unique within a template.
const WIRE_ID_LEN = 4;
const GENERATED = /^f-[0-9a-f]{16}$/;

/**
 * Region `id` in `html`: [start, contentStart, contentEnd, end, whole id],
 * or null. The first `<!--ID-->`, then the first `<!--/ID-->` after it. An
 * id of `f-` and 4 characters that no marker has whole is the wire's cut of
 * a generated id: the first marker of a generated id that starts so.
 */
export function findRegion(html, id) {
  let start = html.indexOf(`<!--${id}-->`);
  if (start < 0 && id.length === 2 + WIRE_ID_LEN) {
    for (let i = html.indexOf(`<!--${id}`); i >= 0; i = html.indexOf(`<!--${id}`, i + 4)) {
      const whole = html.slice(i + 4, i + 22);
      if (GENERATED.test(whole) && html.startsWith("-->", i + 22)) {
        [start, id] = [i, whole];
        break;
      }
    }
  }
  if (start < 0) return null;
  const cs = start + id.length + 7;
  const close = `<!--/${id}-->`;
  const ce = html.indexOf(close, cs);
  if (ce < 0) return null;
  return [start, cs, ce, ce + close.length, id];
}

/** Ids of every `<!--f-…-->` open marker in `text`. */
function markerIds(text) {
  const ids = [];
  for (let i = text.indexOf("<!--f-"); i >= 0; i = text.indexOf("<!--f-", i + 6)) {
    const end = text.indexOf("-->", i + 4);
    if (end < 0) continue;
    const id = text.slice(i + 4, end);
    if (isValidId(id)) ids.push(id);
  }
  return ids;
}

function patch(id, content, patches) {
  const bad = (reason) => err("BadPatch", id, "bad patch: " + reason);
  const len = utf8Length(content);
  const at = byteCursor(content);
  let out = "";
  let done = 0; // bytes of content copied or replaced so far
  let doneIdx = 0; // the same as a string index
  for (const p of patches) {
    const end = p.position + p.length;
    if (end >= USIZE_END) throw bad("position + length overflows");
    if (p.position < done)
      throw bad(`patch at ${p.position} overlaps or precedes the previous one (ending at ${done})`);
    if (end > len) throw bad(`${p.position}..${end} is outside the content (${len} bytes)`);
    const from = at(p.position);
    const to = from < 0 ? -1 : at(end);
    if (to < 0) throw bad(`${p.position}..${end} cuts a UTF-8 character`);
    out += content.slice(doneIdx, from) + p.new_value;
    done = end;
    doneIdx = to;
  }
  return out + content.slice(doneIdx);
}

function granular(id, content, g, held) {
  const bad = (reason) => err("BadGranular", id, "bad granular operation: " + reason);
  if (content !== "" && !content.startsWith(ITEM_MARKER)) throw bad("the region is not a list of items");
  const starts = [];
  for (let i = content.indexOf(ITEM_MARKER); i >= 0; i = content.indexOf(ITEM_MARKER, i + ITEM_MARKER.length))
    starts.push(i);
  const n = starts.length;
  const boundary = (k) => (k < n ? starts[k] : content.length);
  const p = g.position;
  const op = g.operation;
  if (op === "move") {
    const items = starts.map((s, k) => content.slice(s, boundary(k + 1)));
    for (const [from, to] of g.moves) {
      if (from >= n || to >= n) throw bad(`move ${from} to ${to} in a list of ${n} items`);
      items.splice(to, 0, items.splice(from, 1)[0]);
    }
    return items.join("");
  }
  if (op === "reorder") {
    if (g.order.length !== n) throw bad(`an order of ${g.order.length} items for a list of ${n} items`);
    return g.order.map((o) => content.slice(starts[o], boundary(o + 1))).join("");
  }
  let at;
  let removeTo = -1;
  if (op === "append" && p === n) at = content.length;
  else if (op === "prepend" && p === 0) at = 0;
  else if (op === "insert" && p <= n) at = boundary(p);
  else if (op === "remove" && p < n) {
    at = boundary(p);
    removeTo = boundary(p + 1);
  } else throw bad(`${op} at position ${p} of a list of ${n} items`);
  const head = content.slice(0, at);
  if (removeTo >= 0) return head + content.slice(removeTo);
  // the added item: as sent, or rendered from its dynamics
  let added = g.content;
  if (g.item) {
    const statics = g.statics || held.get(id);
    if (!statics) throw bad("an item without statics, none held for the list");
    try {
      added = writeBlock(statics, g.item);
    } catch (reason) {
      if (typeof reason != "string") throw reason;
      throw bad(reason);
    }
    if (g.statics) held.set(id, g.statics);
  }
  return head + ITEM_MARKER + added + content.slice(at);
}

function staticDynamic(id, content, sd, cache, held) {
  const bad = (reason) => err("BadDynamics", id, "bad dynamics: " + reason);
  const fail = (f) => {
    try {
      return f();
    } catch (e) {
      if (typeof e == "string") throw bad(e);
      throw e;
    }
  };
  let entry;
  // Without statics and without the tree, the statics kept for the region:
  // the dynamics are then all of them, as with statics.
  const statics = sd.statics || (cache.has(id) ? null : held.get(id) || null);
  if (statics && allItems(sd)) {
    const n = sd.dynamics.length;
    if (sd.dynamics.some(([k]) => k >= n)) throw bad(`${n} items need exactly the indices 0..${n}`);
    entry = { statics, items: sd.dynamics.map(([, v]) => v.item) };
  } else if (statics) {
    const n = statics.length - 1;
    if (sd.dynamics.length !== n || sd.dynamics.some(([k]) => k >= n))
      throw bad(`${statics.length} statics need exactly the dynamics 0..${n}`);
    entry = { statics, dynamics: sd.dynamics.map(([, v]) => v) };
  } else {
    const c = cache.get(id);
    if (!c) throw err("MissingStatics", id, "static_dynamic update without statics, none cached");
    entry = c.items
      ? { statics: c.statics, items: fail(() => mergeItems(c.items.slice(), sd.dynamics)) }
      : { statics: c.statics, dynamics: fail(() => mergeValues(c.dynamics.slice(), sd.dynamics)) };
  }
  let out = "";
  if (entry.items) {
    for (const item of entry.items) out += ITEM_MARKER + fail(() => writeBlock(entry.statics, item));
  } else {
    const children = [];
    entry.statics.forEach((s, i) => {
      out += s;
      const d = entry.dynamics[i];
      if (typeof d == "string") out += d;
      else if (d && d.f !== undefined) {
        // A region is in the page once: so is its reference.
        if (children.includes(d.f)) throw bad(`child ${d.f} referenced twice`);
        children.push(d.f);
        const r = findRegion(content, d.f);
        if (!r) throw err("ChildNotFound", id, `child region ${d.f} not found`);
        out += content.slice(r[0], r[3]);
      } else if (d) throw bad(`dynamic ${i} is not HTML`);
    });
  }
  // statics from the cache or the kept ones are kept already
  if (sd.statics) held.set(id, sd.statics);
  cache.set(id, entry);
  return out;
}

// Merging and writing trees (reconstruct.rs: merge_values, merge_items,
// write_block). They throw a string, the BadDynamics reason. Merges copy
// what they change (the cache is restored whole when a list fails).

/** Merges [index, change] pairs into `values` (a copy) and returns it. */
function mergeValues(values, changes) {
  for (const [k, ch] of changes) {
    if (k >= values.length) throw `index ${k} of ${values.length} dynamics`;
    const v = values[k];
    if (typeof ch == "string" || ch.f !== undefined) values[k] = ch;
    else if (ch.c && typeof v == "object" && v.d) values[k] = { s: v.s, d: mergeValues(v.d.slice(), ch.c) };
    else if (ch.c && typeof v == "object" && v.l) values[k] = { s: v.s, l: mergeItems(v.l.slice(), ch.c) };
    else throw `change at index ${k} does not fit its value`;
  }
  return values;
}

/** Merges [item index, item changes] pairs into `items` (a copy) and returns it. */
function mergeItems(items, changes) {
  for (const [k, ch] of changes) {
    if (k >= items.length) throw `item ${k} of ${items.length} items`;
    if (typeof ch == "string" || !ch.c) throw `item ${k}: an item's changes are by index`;
    items[k] = mergeValues(items[k].slice(), ch.c);
  }
  return items;
}

/** `statics[0] + v0 + statics[1] + … + statics[n]` for tree values. */
function writeBlock(statics, values) {
  if (statics.length !== values.length + 1) throw `${statics.length} statics for ${values.length} dynamics`;
  let out = "";
  values.forEach((v, i) => {
    out += statics[i];
    if (typeof v == "string") out += v;
    else if (v.d) out += writeBlock(v.s, v.d);
    else if (v.l) for (const item of v.l) out += writeBlock(v.s, item);
    else throw "a tree holds HTML, blocks and lists only";
  });
  return out + statics[values.length];
}

function applyOne(state, f) {
  const { data } = f;
  const html = state.html;
  const r = findRegion(html, f.id);
  if (!r) throw err("UnknownFragment", f.id, "no such region in the page");
  const id = r[4]; // the cache is by whole id, whichever form the fragment names it by
  const content = html.slice(r[1], r[2]);
  const cache = state.cache;
  let next;
  switch (f.strategy) {
    case "replacement":
      for (const nested of markerIds(content)) {
        cache.delete(nested);
        state.held.delete(nested);
      }
      cache.delete(id);
      state.held.delete(id);
      next = data.content;
      break;
    case "markers":
      next = patch(id, content, data.patches);
      cache.delete(id);
      break;
    case "granular":
      next = granular(id, content, data, state.held);
      cache.delete(id);
      break;
    default:
      next = staticDynamic(id, content, data, cache, state.held);
  }
  state.html = html.slice(0, r[1]) + next + html.slice(r[2]);
}

/**
 * A client's view of one page: its HTML (markers included) and its
 * `static_dynamic` cache. The JavaScript twin of the Rust `Reconstructor`.
 */
export class Reconstructor {
  constructor(html) {
    this.html = String(html);
    // id -> {statics, dynamics: (string | {f})[]} (block form)
    //    or {statics, items: tree values[][]} (list form)
    this.cache = new Map();
    // region id -> the statics kept without the dynamics: the block's, or
    // the item block's for a range (from a static_dynamic with statics or a
    // granular item; kept across markers and granular updates, forgotten
    // when the region or an enclosing one is replaced)
    this.held = new Map();
  }

  /** True when the client keeps statics for region `id`, with or without its dynamics. */
  keepsStatics(id) {
    return this.held.has(id);
  }

  /** True when the client holds `static_dynamic` statics for fragment `id`. */
  hasStatics(id) {
    return this.cache.has(id);
  }

  /** Ids of the fragments the client holds statics for, sorted. */
  cachedIds() {
    return [...this.cache.keys()].sort();
  }

  /**
   * Applies the fragments of one update (parsed JSON: an array of
   * fragments), in order, all or nothing. Throws a `ReconstructError` and
   * leaves the page and cache untouched when any fragment is refused.
   * Returns the ids of the fragments applied.
   */
  apply(fragments) {
    if (!Array.isArray(fragments)) throw invalid("expected an array of fragments");
    if (fragments.length === 0) return [];
    const list = fragments.map(parseFragment);
    const state = { html: this.html, cache: new Map(this.cache), held: new Map(this.held) };
    for (const f of list) applyOne(state, f);
    this.html = state.html;
    this.cache = state.cache;
    this.held = state.held;
    return list.map((f) => f.id);
  }
}
