// Helpers of the end-to-end tests that run an example's binary: a free
// loopback port, polling, and starting the binary until it answers.
import { appendFileSync } from "node:fs";
import { spawn } from "node:child_process";
import net from "node:net";
import http from "node:http";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Polls `cond` (sync or async) every 50 ms for at most `ms`. */
export async function until(cond, what, ms = 8000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The HTTP status of `GET u` (0 when it cannot connect). */
export const status = (u) =>
  new Promise((resolve) => {
    const req = http.get(u, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });

/**
 * Starts `bin` on a free port (LT_ADDR) and waits until `GET /` answers 200
 * (at most ~30 s). Its pid goes to $LT_TEST_PIDS (test.sh kills what is
 * listed there). Returns `{url, process, log(), stop()}`.
 */
export async function startExample(bin, name) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = spawn(bin, [], { env: { ...process.env, LT_ADDR: `127.0.0.1:${port}` }, stdio: ["ignore", "pipe", "pipe"] });
  if (process.env.LT_TEST_PIDS) appendFileSync(process.env.LT_TEST_PIDS, `${child.pid}\n`);
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.on("exit", stop);
  for (let i = 0; (await status(url)) !== 200; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited:\n${log}`);
    if (i >= 300) throw new Error(`${name} did not answer on ${url} within 30 s:\n${log}`);
    await sleep(100);
  }
  return { url, process: child, log: () => log, stop };
}
