// dist/ is what the sources build to, and each bundle exposes the API.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { impls } from "../test-support/impls.mjs";

const root = new URL("../", import.meta.url);

test("dist/ is built from the current sources", { skip: !existsSync(new URL("node_modules/esbuild", root)) && "esbuild not installed" }, () => {
  const r = spawnSync(process.execPath, ["build.mjs", "--check"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test("the minified classic script is small", () => {
  const code = readFileSync(new URL("dist/livetemplate.min.js", root));
  assert.ok(gzipSync(code, { level: 9 }).length < 8.5 * 1024);
  assert.match(code.toString(), /^\/\*[^\n]*\*\/\nvar LiveTemplate=/);
});

for (const [name, LT] of await impls())
  test(`${name}: API`, () => {
    for (const f of ["mount", "websocket", "Reconstructor", "ReconstructError", "parseFragment", "isValidId", "utf8Length", "morph"])
      assert.equal(typeof LT[f], "function", f);
    assert.equal(typeof LT.version, "string");
  });
