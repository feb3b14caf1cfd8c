// The implementations every model test runs against: the sources, the ES
// module bundle, and the minified classic script that Rust serves
// (`CLIENT_JS`), loaded as a browser would (it sets `LiveTemplate`).
import { readFileSync, existsSync } from "node:fs";
import vm from "node:vm";
import * as src from "../src/index.js";

const dist = new URL("../dist/", import.meta.url);

export async function impls() {
  const out = [["src", src]];
  if (existsSync(new URL("livetemplate.mjs", dist))) out.push(["dist esm", await import(new URL("livetemplate.mjs", dist))]);
  const min = new URL("livetemplate.min.js", dist);
  if (existsSync(min)) {
    const ctx = vm.createContext({ console, URL });
    vm.runInContext(readFileSync(min, "utf8"), ctx);
    out.push(["dist min.js", ctx.LiveTemplate]);
  }
  return out;
}

// Fragment builders, named after the Rust constructors; they give the wire
// form (fragment.rs): `[id without "f-", code, ...]`. Ids are written with
// their prefix here, as in the page, also in `{f: id}` dynamics.
const wireId = (id) => (typeof id == "string" && id.startsWith("f-") ? id.slice(2) : id);
const wireDynamics = (v) => {
  if (Array.isArray(v)) return v.map(wireDynamics);
  if (v === null || typeof v != "object") return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === "f" ? wireId(x) : wireDynamics(x);
  return out;
};
const GRANULAR = { append: 2, prepend: 3, insert: 4, remove: 5 };
export const sd = (statics, dynamics, id = "f-p") =>
  statics ? [wireId(id), 0, wireDynamics(dynamics), statics] : [wireId(id), 0, wireDynamics(dynamics)];
export const markers = (id, patches) => [wireId(id), 1, ...patches.flatMap((q) => [q.position, q.length, q.new_value])];
export const p = (position, length, new_value = "v") => ({ position, length, new_value });
export const granular = (id, operation, content, position) =>
  operation === "remove" ? [wireId(id), 5, position] : [wireId(id), GRANULAR[operation], position, content];
export const replacement = (id, content) => [wireId(id), 6, content];
/** A granular add of an item given as its dynamics (and the item statics, when given). */
export const granularItem = (id, operation, item, statics, position) =>
  statics ? [wireId(id), GRANULAR[operation], position, item, statics] : [wireId(id), GRANULAR[operation], position, item];
export const moves = (id, pairs) => [wireId(id), 7, ...pairs.flat()];
export const reorder = (id, order) => [wireId(id), 8, ...order];
