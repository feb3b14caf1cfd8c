// Bundles src/index.js into dist/:
//   livetemplate.js / livetemplate.min.js    classic script, sets window.LiveTemplate
//   livetemplate.mjs / livetemplate.min.mjs  ES module (export { mount, … })
// and prints the sizes; livetemplate.min.js is also written to
// ../livetemplate-runtime/assets/ (the crate's own copy: CLIENT_JS, packaged
// with it). `node build.mjs --check` fails when dist/ or that copy is stale.
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

const dir = new URL(".", import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(dir + "package.json", "utf8"));
const banner = `/* livetemplate client ${version} | MIT OR Apache-2.0 */`;
const check = process.argv.includes("--check");
// Where else a bundle is written: the Rust crate that serves it.
const copies = { "livetemplate.min.js": ["../livetemplate-runtime/assets/livetemplate.min.js"] };
const outputs = [
  ["livetemplate.js", "iife", false],
  ["livetemplate.min.js", "iife", true],
  ["livetemplate.mjs", "esm", false],
  ["livetemplate.min.mjs", "esm", true],
];

mkdirSync(dir + "dist", { recursive: true });
let stale = [];
for (const [name, format, minify] of outputs) {
  const r = await build({
    entryPoints: [dir + "src/index.js"],
    bundle: true,
    write: false,
    format,
    globalName: format === "iife" ? "LiveTemplate" : undefined,
    minify,
    target: ["es2020"],
    banner: { js: banner },
    legalComments: "none",
  });
  const code = r.outputFiles[0].text;
  for (const rel of ["dist/" + name, ...(copies[name] || [])]) {
    const path = dir + rel;
    if (check) {
      let old = "";
      try {
        old = readFileSync(path, "utf8");
      } catch {}
      if (old !== code) stale.push(rel);
    } else writeFileSync(path, code);
  }
  console.log(`${name.padEnd(22)} ${String(code.length).padStart(6)} B, gzip ${gzipSync(code, { level: 9 }).length} B`);
}
if (stale.length) {
  console.error("stale: " + stale.join(", ") + " (run node build.mjs)");
  process.exit(1);
}
