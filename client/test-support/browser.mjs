// Chromium for the browser tests (`node --test test-browser/`): Debian's
// `chromium` package at /usr/bin/chromium (test.sh installs it when missing),
// driven by playwright-core, headless, with a fresh profile directory.
// No fallback and no skip: when Chromium cannot start, the suite fails.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const CHROMIUM = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts Chromium; returns its (persistent) browser context, which has
 * `newPage()` like a browser, and `close()` that also removes the profile.
 */
export async function launch() {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (test.sh does it)`);
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(path.join(os.tmpdir(), "lt-chromium-"));
  let context;
  try {
    // playwright refuses --user-data-dir in `args`: a persistent context is
    // the way to pass a profile directory.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  // The persistent context opens a blank tab; tests open their own.
  for (const p of context.pages()) await p.close();
  const close = context.close.bind(context);
  context.close = async () => {
    try {
      await close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };
  return context;
}

/**
 * Defines `window.same(view, el)` in a page (`page.evaluate(defineSame)`):
 * true when `el` is the parse of the view's model HTML, template contents
 * included (`isEqualNode` alone does not look into a `<template>`'s
 * content).
 */
export function defineSame() {
  const tpls = (n) => [...(n.localName === "template" ? [n] : []), ...n.querySelectorAll("template")];
  const deep = (a, b) => a.isEqualNode(b) && tpls(a).every((t, i) => deep(t.content, tpls(b)[i].content));
  window.same = (view, el) => {
    const d = el.cloneNode(false);
    d.innerHTML = view.html;
    return deep(d, el);
  };
}
