/* livetemplate client 0.1.0 | MIT OR Apache-2.0 */
var LiveTemplate = (() => {
  var __defProp = Object.defineProperty;
  var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
  var __getOwnPropNames = Object.getOwnPropertyNames;
  var __hasOwnProp = Object.prototype.hasOwnProperty;
  var __export = (target, all) => {
    for (var name in all)
      __defProp(target, name, { get: all[name], enumerable: true });
  };
  var __copyProps = (to, from, except, desc) => {
    if (from && typeof from === "object" || typeof from === "function") {
      for (let key2 of __getOwnPropNames(from))
        if (!__hasOwnProp.call(to, key2) && key2 !== except)
          __defProp(to, key2, { get: () => from[key2], enumerable: !(desc = __getOwnPropDesc(from, key2)) || desc.enumerable });
    }
    return to;
  };
  var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

  // src/index.js
  var index_exports = {};
  __export(index_exports, {
    PROTOCOL: () => PROTOCOL,
    ReconstructError: () => ReconstructError,
    Reconstructor: () => Reconstructor,
    connect: () => connect,
    formValues: () => formValues,
    isValidId: () => isValidId,
    morph: () => morph,
    mount: () => mount,
    parseFragment: () => parseFragment,
    utf8Length: () => utf8Length,
    version: () => version,
    websocket: () => websocket
  });

  // src/reconstruct.js
  var ITEM_MARKER = "<!--i-->";
  var ID_RE = /^f-[A-Za-z0-9]{1,64}$/;
  var KEY_RE = /^(?:0|[1-9][0-9]*)$/;
  var LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:[^\ud800-\udbff]|^)[\udc00-\udfff]/;
  var USIZE_END = 2 ** 64;
  var MAX_DEPTH = 127;
  var isValidId = (id) => typeof id == "string" && ID_RE.test(id);
  var ReconstructError = class extends Error {
    constructor(kind, id, message) {
      super(message);
      this.name = "ReconstructError";
      this.kind = kind;
      this.id = id;
    }
  };
  var q = JSON.stringify;
  var invalid = (message, id) => new ReconstructError("Invalid", id, "invalid fragment: " + message);
  var err = (kind, id, what) => new ReconstructError(kind, id, `fragment ${id}: ${what}`);
  var isObject = (v) => v !== null && typeof v == "object" && !Array.isArray(v);
  var isUsize = (v) => typeof v == "number" && Number.isInteger(v) && v >= 0 && v < USIZE_END;
  function str(v, what, id) {
    if (typeof v != "string") throw invalid(`${what}: expected a string`, id);
    if (LONE_SURROGATE.test(v)) throw invalid(`${what}: lone surrogate in string`, id);
    return v;
  }
  function indexKey(k) {
    if (!KEY_RE.test(k) || k.length > 15 && BigInt(k) >= 2n ** 64n) return -1;
    return Number(k);
  }
  function usize(v, what, id) {
    if (!isUsize(v)) throw invalid(`${what}: expected a non-negative integer`, id);
    return v;
  }
  var CODES = [
    ["static_dynamic", "update"],
    ["markers", "patch"],
    ["granular", "append"],
    ["granular", "prepend"],
    ["granular", "insert"],
    ["granular", "remove"],
    ["replacement", "replace"],
    ["granular", "move"],
    ["granular", "reorder"]
  ];
  function parseFragment(raw) {
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
        const v = rest[k + 2];
        if (typeof v == "number" && !(isUsize(v) && v < patches.length))
          throw invalid(`patch ${patches.length}: ${v} is not the index of an earlier patch`, id);
        patches.push({
          position: usize(rest[k], "position", id),
          length: usize(rest[k + 1], "length", id),
          new_value: typeof v == "number" ? patches[v].new_value : str(v, "new_value", id)
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
  function depth(level, what, id) {
    if (level > MAX_DEPTH) throw invalid(`${what}: recursion limit exceeded`, id);
  }
  function strings(v, what, level, id) {
    depth(level, what, id);
    if (!Array.isArray(v)) throw invalid(`${what}: expected an array`, id);
    return v.map((s) => str(s, what, id));
  }
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
      if (bad !== void 0) throw invalid(`${what}: unknown field ${q(bad)}`, id);
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
  var isItem = (v) => typeof v == "object" && v.item !== void 0;
  var allItems = (sd) => sd.dynamics.length > 0 && sd.dynamics.every(([, v]) => isItem(v));
  var isListForm = (sd) => sd.statics !== null && allItems(sd);
  function treeNode(v, id) {
    if (typeof v == "string") return;
    if (v.d) return v.d.forEach((x) => treeNode(x, id));
    if (v.l) return v.l.forEach((item) => item.forEach((x) => treeNode(x, id)));
    throw invalid("a tree holds HTML, blocks and lists only", id);
  }
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
        if (typeof v != "string" && v.f === void 0)
          throw invalid(
            "with statics, dynamics are all HTML or child fragments (block form) or all items (list form)",
            id
          );
    } else if (allItems(sd)) sd.dynamics.forEach(([, v]) => v.item.forEach(tree));
    else for (const [, v] of sd.dynamics) if (v.f === void 0) change(v);
  }
  function utf8Length(s) {
    let n = s.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        if (c < 2048) n += 1;
        else if (c >= 55296 && c < 56320 && (s.charCodeAt(i + 1) & 64512) === 56320) {
          n += 2;
          i++;
        } else n += 2;
      }
    }
    return n;
  }
  function byteCursor(s) {
    let i = 0;
    let b = 0;
    return (byte) => {
      while (b < byte && i < s.length) {
        const c = s.charCodeAt(i);
        if (c < 128) b += 1;
        else if (c < 2048) b += 2;
        else if (c >= 55296 && c < 56320 && (s.charCodeAt(i + 1) & 64512) === 56320) {
          b += 4;
          i++;
        } else b += 3;
        i++;
      }
      return b === byte ? i : -1;
    };
  }
  var WIRE_ID_LEN = 4;
  var GENERATED = /^f-[0-9a-f]{16}$/;
  function findRegion(html, id) {
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
    let done = 0;
    let doneIdx = 0;
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
    const boundary = (k) => k < n ? starts[k] : content.length;
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
      entry = c.items ? { statics: c.statics, items: fail(() => mergeItems(c.items.slice(), sd.dynamics)) } : { statics: c.statics, dynamics: fail(() => mergeValues(c.dynamics.slice(), sd.dynamics)) };
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
        else if (d && d.f !== void 0) {
          if (children.includes(d.f)) throw bad(`child ${d.f} referenced twice`);
          children.push(d.f);
          const r = findRegion(content, d.f);
          if (!r) throw err("ChildNotFound", id, `child region ${d.f} not found`);
          out += content.slice(r[0], r[3]);
        } else if (d) throw bad(`dynamic ${i} is not HTML`);
      });
    }
    if (sd.statics) held.set(id, sd.statics);
    cache.set(id, entry);
    return out;
  }
  function mergeValues(values2, changes) {
    for (const [k, ch] of changes) {
      if (k >= values2.length) throw `index ${k} of ${values2.length} dynamics`;
      const v = values2[k];
      if (typeof ch == "string" || ch.f !== void 0) values2[k] = ch;
      else if (ch.c && typeof v == "object" && v.d) values2[k] = { s: v.s, d: mergeValues(v.d.slice(), ch.c) };
      else if (ch.c && typeof v == "object" && v.l) values2[k] = { s: v.s, l: mergeItems(v.l.slice(), ch.c) };
      else throw `change at index ${k} does not fit its value`;
    }
    return values2;
  }
  function mergeItems(items, changes) {
    for (const [k, ch] of changes) {
      if (k >= items.length) throw `item ${k} of ${items.length} items`;
      if (typeof ch == "string" || !ch.c) throw `item ${k}: an item's changes are by index`;
      items[k] = mergeValues(items[k].slice(), ch.c);
    }
    return items;
  }
  function writeBlock(statics, values2) {
    if (statics.length !== values2.length + 1) throw `${statics.length} statics for ${values2.length} dynamics`;
    let out = "";
    values2.forEach((v, i) => {
      out += statics[i];
      if (typeof v == "string") out += v;
      else if (v.d) out += writeBlock(v.s, v.d);
      else if (v.l) for (const item of v.l) out += writeBlock(v.s, item);
      else throw "a tree holds HTML, blocks and lists only";
    });
    return out + statics[values2.length];
  }
  function applyOne(state, f) {
    const { data } = f;
    const html = state.html;
    const r = findRegion(html, f.id);
    if (!r) throw err("UnknownFragment", f.id, "no such region in the page");
    const id = r[4];
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
  var Reconstructor = class {
    constructor(html) {
      this.html = String(html);
      this.cache = /* @__PURE__ */ new Map();
      this.held = /* @__PURE__ */ new Map();
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
  };

  // src/morph.js
  var MARKER = /^\/?f-[A-Za-z0-9]{1,64}$/;
  var LOOK = 3;
  var XHTML = "http://www.w3.org/1999/xhtml";
  var key = (n) => n.nodeType === 1 ? n.getAttribute("id") && "#" + n.getAttribute("id") || null : n.nodeType === 8 && MARKER.test(n.data) ? n.data : null;
  var contents = (n) => n.nodeType === 1 ? Array.from(n.localName === "template" ? [n] : n.querySelectorAll("template"), (t) => t.innerHTML).join("\0") : "";
  var equal = (a, b, ctx) => a.isEqualNode(b) && (!ctx.tpl || contents(a) === contents(b));
  var same = (a, b) => a.nodeType === b.nodeType && (a.nodeType !== 1 || a.localName === b.localName && a.namespaceURI === b.namespaceURI);
  function move(parent, node, before) {
    if (parent.moveBefore)
      try {
        return parent.moveBefore(node, before);
      } catch {
      }
    parent.insertBefore(node, before);
  }
  function syncAttrs(from, to) {
    const ta = to.attributes;
    for (let i = 0; i < ta.length; i++) {
      const a = ta[i];
      const cur = a.namespaceURI ? from.getAttributeNodeNS(a.namespaceURI, a.localName) : from.getAttributeNode(a.name);
      if (!cur || cur.value !== a.value) from.setAttributeNode(a.cloneNode());
    }
    const fa = from.attributes;
    for (let i = fa.length - 1; i >= 0; i--) {
      const a = fa[i];
      if (!(a.namespaceURI ? to.hasAttributeNS(a.namespaceURI, a.localName) : to.hasAttribute(a.name)))
        from.removeAttributeNode(a);
    }
  }
  var selState = (s) => s.multiple + Array.from(s.options, (o) => (o.defaultSelected ? "+" : "-") + o.value).join("\0");
  function morphNode(from, to, ctx) {
    if (from.nodeType !== 1) {
      if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue;
      return;
    }
    const name = from.namespaceURI === XHTML && from.localName;
    if (name === "input") {
      const valueChanged = from.getAttribute("value") !== to.getAttribute("value") || from.type !== to.type;
      const checkedChanged = from.hasAttribute("checked") !== to.hasAttribute("checked");
      syncAttrs(from, to);
      if ((valueChanged || checkedChanged) && from.type !== "file" && !ctx.keep(from)) {
        if (valueChanged && from.value !== to.value) from.value = to.value;
        if (checkedChanged) from.checked = to.checked;
      }
    } else if (name === "textarea") {
      syncAttrs(from, to);
      if (from.defaultValue !== to.defaultValue) {
        const live = from.value;
        from.defaultValue = to.defaultValue;
        from.value = ctx.keep(from) ? live : to.value;
      }
    } else if (name === "select") {
      const before = selState(from);
      const live = Array.from(from.options, (o) => o.selected);
      syncAttrs(from, to);
      morphChildren(from, to, ctx);
      if (selState(from) !== before) {
        const keep = ctx.keep(from) && live.length === from.options.length;
        Array.from(from.options, (o, i) => o.selected = keep ? live[i] : to.options[i].selected);
      }
    } else {
      syncAttrs(from, to);
      if (to.hasAttribute("lt-ignore")) return;
      if (name === "template") morphChildren(from.content, to.content, ctx);
      else morphChildren(from, to, ctx);
    }
  }
  function morphChildren(parent, toParent, ctx, cur = parent.firstChild, end = null, t = toParent.firstChild, toEnd = null) {
    const doc = parent.ownerDocument || parent;
    const wanted = /* @__PURE__ */ new Set();
    for (let n = t; n !== toEnd; n = n.nextSibling) {
      const k = key(n);
      if (k) wanted.add(k);
    }
    const keyed = /* @__PURE__ */ new Map();
    for (let n = cur; n !== end; n = n.nextSibling) {
      const k = key(n);
      if (k && wanted.has(k)) keyed.set(k, n);
    }
    const remove = (n) => {
      const next = n.nextSibling;
      parent.removeChild(n);
      return next;
    };
    const ahead = (start, stop, node) => {
      for (let n = start, i = 0; n !== stop && i < LOOK && !key(n); n = n.nextSibling, i++)
        if (equal(n, node, ctx)) return n;
      return null;
    };
    for (; t !== toEnd; t = t.nextSibling) {
      let ck;
      while (cur !== end && (ck = key(cur)) && keyed.get(ck) !== cur) cur = remove(cur);
      const k = key(t);
      let m = null;
      if (k) {
        m = keyed.get(k);
        if (m && same(m, t)) keyed.delete(k);
        else m = null;
      } else if (cur !== end && !key(cur)) {
        if (equal(cur, t, ctx)) {
          cur = cur.nextSibling;
          continue;
        }
        if (!ahead(t.nextSibling, toEnd, cur)) {
          const found = ahead(cur.nextSibling, end, t);
          if (found) {
            while (cur !== found) cur = remove(cur);
            cur = cur.nextSibling;
            continue;
          }
          if (same(cur, t)) m = cur;
          else {
            const next = cur.nextSibling;
            if (next !== end && !key(next) && same(next, t)) {
              cur = remove(cur);
              m = cur;
            }
          }
        }
      }
      if (m) {
        if (m === cur) cur = cur.nextSibling;
        else move(parent, m, cur);
        morphNode(m, t, ctx);
      } else parent.insertBefore(doc.importNode(t, true), cur);
    }
    while (cur !== end) cur = remove(cur);
  }
  var inert;
  function parse(container, html) {
    if (container.nodeType === 9) return new DOMParser().parseFromString(html, "text/html").documentElement;
    inert || (inert = document.implementation.createHTMLDocument(""));
    const el = inert.createElementNS(container.namespaceURI, container.localName);
    el.innerHTML = html;
    return el;
  }
  function morph(container, html, keep = () => false) {
    const to = parse(container, html);
    const ctx = { keep, tpl: !!to.querySelector("template") };
    if (container.nodeType === 9) {
      const root = container.documentElement;
      syncAttrs(root, to);
      for (const tag of ["head", "body"]) {
        const a = container[tag];
        const b = Array.from(to.children).find((c) => c.localName === tag);
        if (a && b) {
          syncAttrs(a, b);
          morphChildren(a, b, ctx);
        }
      }
    } else morphChildren(container, to, ctx);
  }

  // src/index.js
  var version = "0.1.0";
  var PROTOCOL = 2;
  var PREFIX = "lt-value-";
  var hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  var report = (view, e) => {
    console.error("livetemplate: " + (e && e.message ? e.message : e));
    view.onError && view.onError(e);
  };
  var KNOWN = "lt-click lt-submit lt-change lt-input lt-debounce lt-ignore";
  var known = new Set(KNOWN.split(" "));
  function lint(root, html) {
    const done = new Set(known);
    for (let [, name] of html.matchAll(/[\s"'/](lt-[^\s"'>/=]*)/gi)) {
      name = name.toLowerCase();
      if (done.has(name) || name.startsWith(PREFIX)) continue;
      done.add(name);
      const el = root.querySelector("[" + CSS.escape(name) + "]");
      if (!el) continue;
      known.add(name);
      console.warn(`livetemplate: unknown attribute ${name} on ${el.cloneNode(false).outerHTML.split(">")[0]}> (known: ${KNOWN} ${PREFIX}*)`, el);
    }
  }
  function controlValue(c) {
    if (c.type === "checkbox") return c.checked;
    if (c.type === "select-multiple") return Array.from(c.selectedOptions, (o) => o.value);
    return c.value != null ? c.value : c.getAttribute("value") || "";
  }
  function controlState(c) {
    if (c.type === "checkbox" || c.type === "radio") return c.checked;
    if (c.options) return Array.from(c.options, (o) => +o.selected).join("");
    return c.value;
  }
  function resetControl(c) {
    if (c.type === "checkbox" || c.type === "radio") c.checked = c.defaultChecked;
    else if (c.options) Array.from(c.options, (o) => o.selected = o.defaultSelected);
    else if (c.type !== "file" && "defaultValue" in c) c.value = c.defaultValue;
  }
  function formValues(form, submitter) {
    let fd;
    try {
      fd = new FormData(form, submitter || void 0);
    } catch {
      fd = new FormData(form);
      if (submitter && submitter.name) fd.append(submitter.name, submitter.value);
    }
    const values2 = {};
    for (const [k, v] of fd) {
      if (typeof v != "string") continue;
      values2[k] = hasOwn(values2, k) ? [].concat(values2[k], v) : v;
    }
    return values2;
  }
  function withExtra(el, values2) {
    for (const a of el.attributes) if (a.name.startsWith(PREFIX)) values2[a.name.slice(PREFIX.length)] = a.value;
    return values2;
  }
  function mount(container, html, options = {}) {
    const doc = container.nodeType === 9 ? container : container.ownerDocument;
    const transport = options.transport;
    const lastSent = /* @__PURE__ */ new WeakMap();
    const timers = /* @__PURE__ */ new Map();
    const listeners = [];
    let submitted = [];
    const keep = (el) => el === doc.activeElement && lastSent.has(el) && lastSent.get(el) !== controlValue(el);
    function sync(ids) {
      const active = doc.activeElement;
      let sel = null;
      try {
        if (active && active.selectionStart != null)
          sel = [active.selectionStart, active.selectionEnd, active.selectionDirection];
      } catch {
      }
      try {
        morph(container, view.model.html, keep);
      } catch (e) {
        report(view, e);
        if (container.nodeType === 9) container.documentElement.innerHTML = view.model.html;
        else container.innerHTML = view.model.html;
      }
      for (const [c, state] of submitted) if (c.isConnected && controlState(c) === state) resetControl(c);
      submitted = [];
      if (active && active !== doc.body && active.isConnected && doc.activeElement !== active) {
        active.focus({ preventScroll: true });
        if (sel)
          try {
            active.setSelectionRange(sel[0], sel[1], sel[2]);
          } catch {
          }
      }
      lint(container, view.model.html);
      container.dispatchEvent(new CustomEvent("lt:updated", { bubbles: true, detail: { view, ids } }));
    }
    const view = {
      model: null,
      /** Protocol 1: the updates applied, as the server counts them. */
      version: options.version || 0,
      onError: options.onError,
      get html() {
        return view.model ? view.model.html : null;
      },
      /** Replaces the model with a new first render (e.g. after a reconnect) and morphs the page to it. */
      render(html2) {
        view.model = new Reconstructor(html2);
        submitted = [];
        sync(null);
      },
      /**
       * Applies one update (an array of fragments, parsed or JSON text) all or
       * nothing. On a refused list logs the reason, leaves model and page as
       * they were and returns false.
       */
      apply(fragments) {
        if (!view.model) {
          report(view, new ReconstructError("UnknownFragment", null, "no page rendered yet"));
          return false;
        }
        let ids;
        try {
          if (typeof fragments == "string") fragments = JSON.parse(fragments);
          ids = view.model.apply(fragments);
          if (ids.length === 0) return true;
        } catch (e) {
          report(view, e);
          return false;
        }
        sync(ids);
        return true;
      },
      /** Sends `{type: "event", action, values}` to the server (with `v` under a protocol). */
      send(action, values2 = {}) {
        const msg = options.protocol ? { v: options.protocol, type: "event", action, values: values2 } : { type: "event", action, values: values2 };
        if (options.onEvent) options.onEvent(msg);
        if (transport) transport.send(msg);
        return msg;
      },
      destroy() {
        for (const [type, fn] of listeners) container.removeEventListener(type, fn);
        for (const t of timers.values()) clearTimeout(t);
        timers.clear();
        if (transport) transport.close();
      }
    };
    const on = (type, fn) => {
      container.addEventListener(type, fn);
      listeners.push([type, fn]);
    };
    const find = (target, attr) => {
      const el = target && (target.nodeType === 1 ? target : target.parentElement);
      return el && el.closest ? el.closest("[" + attr + "]") : null;
    };
    on("click", (e) => {
      const el = find(e.target, "lt-click");
      if (!el) return;
      if (el.localName === "a") e.preventDefault();
      view.send(el.getAttribute("lt-click"), withExtra(el, {}));
    });
    on("submit", (e) => {
      const form = e.target;
      if (!form.hasAttribute || !form.hasAttribute("lt-submit")) return;
      e.preventDefault();
      const values2 = formValues(form, e.submitter);
      submitted = Array.from(form.elements, (c) => [c, controlState(c)]);
      view.send(form.getAttribute("lt-submit"), withExtra(form, values2));
    });
    const field = (attr) => (e) => {
      const el = find(e.target, attr);
      if (!el) return;
      const c = e.target;
      const fire = () => {
        timers.delete(el);
        let values2;
        if (el.localName === "form") values2 = formValues(el);
        else {
          const v = controlValue(c);
          values2 = { [c.name || c.getAttribute("name") || "value"]: v };
          lastSent.set(c, v);
        }
        view.send(el.getAttribute(attr), withExtra(el, values2));
      };
      if (attr === "lt-change") return fire();
      const ms = el.getAttribute("lt-debounce") || c.getAttribute("lt-debounce");
      const delay = ms != null && ms !== "" ? +ms : options.debounce != null ? options.debounce : 300;
      clearTimeout(timers.get(el));
      if (delay > 0) timers.set(el, setTimeout(fire, delay));
      else fire();
    };
    on("change", field("lt-change"));
    on("input", field("lt-input"));
    if (transport) {
      if (options.protocol && transport.onStatus)
        transport.onStatus((open) => {
          const root = container.nodeType === 9 ? container.documentElement : container;
          root.classList.toggle(options.disconnectedClass || "lt-disconnected", !open);
          if (open) transport.send({ v: options.protocol, type: "join", version: view.version });
        });
      transport.onMessage((msg) => {
        if (typeof msg == "string")
          try {
            msg = JSON.parse(msg);
          } catch (e) {
            return report(view, e);
          }
        if (Array.isArray(msg)) msg = { type: "update", version: msg[0], fragments: msg.slice(1) };
        const type = msg && msg.type;
        if (type === "render") {
          view.render(msg.html);
          if (msg.version != null) view.version = msg.version;
        } else if (type === "update") {
          if (view.apply(msg.fragments)) {
            if (msg.version != null) view.version = msg.version;
          } else if (transport.reconnect) transport.reconnect();
        } else if (type === "joined") view.version = msg.version;
        else if (type === "error") {
          console.warn("livetemplate: " + msg.code + ": " + msg.message);
          if (options.onError) options.onError(msg);
        } else if (type === "gone") {
          transport.close();
          if (options.onGone) options.onGone(msg);
          else if (typeof location != "undefined") location.reload();
        } else report(view, new Error("unknown message " + JSON.stringify(msg)));
      });
    }
    if (html != null) view.render(html);
    return view;
  }
  function websocket(url, { minDelay = 500, maxDelay = 15e3, protocols } = {}) {
    const u = new URL(url, typeof location != "undefined" ? location.href : void 0);
    u.protocol = u.protocol.replace(/^http/, "ws");
    const callbacks = [];
    const statusCallbacks = [];
    const queue = [];
    let ws;
    let attempt = 0;
    let timer;
    let closed = false;
    function connect2() {
      ws = new WebSocket(u.href, protocols);
      ws.onopen = () => {
        for (const cb of statusCallbacks) cb(true);
      };
      ws.onmessage = (e) => {
        attempt = 0;
        let msg;
        try {
          msg = JSON.parse(e.data);
        } catch {
          return console.error("livetemplate: message is not JSON");
        }
        if (callbacks.length) for (const cb of callbacks) cb(msg);
        else queue.push(msg);
      };
      ws.onclose = () => {
        if (closed) return;
        for (const cb of statusCallbacks) cb(false);
        const delay = Math.min(maxDelay, minDelay * 2 ** attempt++);
        timer = setTimeout(connect2, delay * (0.5 + Math.random() / 2));
      };
    }
    connect2();
    return {
      send(msg) {
        if (!ws || ws.readyState !== 1) return false;
        ws.send(JSON.stringify(msg));
        return true;
      },
      onMessage(cb) {
        callbacks.push(cb);
        while (queue.length) cb(queue.shift());
      },
      /** Calls `cb(true)` on every open and `cb(false)` on every drop. */
      onStatus(cb) {
        statusCallbacks.push(cb);
        if (ws && ws.readyState === 1) cb(true);
      },
      /** Drops the connection and connects again (the server then sends a fresh render). */
      reconnect() {
        if (!closed && ws.readyState < 2) ws.close();
      },
      close() {
        closed = true;
        clearTimeout(timer);
        if (ws) ws.close();
      }
    };
  }
  function connect(options = {}) {
    const boot = JSON.parse(document.getElementById("lt-boot").textContent);
    const root = document.getElementById("lt-root");
    const url = (options.url || "live") + "?token=" + encodeURIComponent(boot.token);
    return mount(root, boot.html, {
      ...options,
      protocol: PROTOCOL,
      version: boot.version,
      transport: options.transport || websocket(url)
    });
  }
  return __toCommonJS(index_exports);
})();
