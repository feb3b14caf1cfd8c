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

// Fragment builders, named after the Rust constructors.
export const sd = (statics, dynamics, id = "f-p") => ({
  id,
  strategy: "static_dynamic",
  action: "update",
  data: statics ? { statics, dynamics } : { dynamics },
});
export const markers = (id, patches) => ({ id, strategy: "markers", action: "patch", data: { patches } });
export const p = (position, length, new_value = "v") => ({ position, length, new_value });
export const granular = (id, operation, content, position) => ({
  id,
  strategy: "granular",
  action: operation,
  data: operation === "remove" ? { operation, position } : { operation, content, position },
});
export const replacement = (id, content) => ({ id, strategy: "replacement", action: "replace", data: { content } });
