// Bundles src/index.js into dist/:
//   livetemplate.js / livetemplate.min.js    classic script, sets window.LiveTemplate
//   livetemplate.mjs / livetemplate.min.mjs  ES module (export { mount, … })
// and prints the sizes. `node build.mjs --check` fails when dist/ is stale.
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

const dir = new URL(".", import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(dir + "package.json", "utf8"));
const banner = `/* livetemplate client ${version} | MIT OR Apache-2.0 */`;
const check = process.argv.includes("--check");
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
  const path = dir + "dist/" + name;
  if (check) {
    let old = "";
    try {
      old = readFileSync(path, "utf8");
    } catch {}
    if (old !== code) stale.push(name);
  } else writeFileSync(path, code);
  console.log(`${name.padEnd(22)} ${String(code.length).padStart(6)} B, gzip ${gzipSync(code, { level: 9 }).length} B`);
}
if (stale.length) {
  console.error("stale: " + stale.join(", ") + " (run node build.mjs)");
  process.exit(1);
}
