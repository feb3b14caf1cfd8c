// Helpers of the end-to-end tests that run an example's binary: a free
// loopback port, polling, starting the binary until it answers, a
// redis-server of the test's own, and a TCP proxy standing in for a load
// balancer in front of several instances. Everything listens on 127.0.0.1.
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
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

/** Appends `pid` to $LT_TEST_PIDS (test.sh kills what is listed there when it ends). */
function recordPid(pid) {
  if (process.env.LT_TEST_PIDS && pid) appendFileSync(process.env.LT_TEST_PIDS, `${pid}\n`);
}

const running = (child) => child.exitCode === null && child.signalCode === null;

/** Kills `child` with `signal` (if it still runs) and resolves once it has exited (at most ~5 s). */
function killChild(child, signal = "SIGKILL") {
  if (!running(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * Starts `bin` on a free port and waits until `GET /` (or `readyPath`)
 * answers 200 (at most ~30 s). The address `127.0.0.1:PORT` is in the
 * environment as LT_ADDR; `args` is the command line (an array, or a
 * function of `{addr, port}`), `env` more environment. Its pid goes to
 * $LT_TEST_PIDS (test.sh kills what is listed there). Returns `{url, addr,
 * port, process, log(), stop(), kill(signal)}`: `stop` kills it with
 * SIGKILL (also when the test process exits), `kill` too, and resolves
 * once it has exited.
 */
export async function startExample(bin, name, { args = [], env = {}, readyPath = "" } = {}) {
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const url = `http://${addr}/`;
  const argv = typeof args === "function" ? args({ addr, port }) : args;
  const child = spawn(bin, argv, { env: { ...process.env, LT_ADDR: addr, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  recordPid(child.pid);
  let log = "";
  let spawnError = null;
  child.on("error", (e) => (spawnError = e));
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const stop = () => {
    if (running(child)) child.kill("SIGKILL");
  };
  process.on("exit", stop);
  child.once("exit", () => process.off("exit", stop));
  for (let i = 0; (await status(url + readyPath)) !== 200; i++) {
    if (spawnError) throw new Error(`${name} (${bin}) did not start: ${spawnError.message}`);
    if (!running(child)) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${log}`);
    if (i >= 300) {
      stop();
      throw new Error(`${name} did not answer on ${url} within 30 s:\n${log}`);
    }
    await sleep(100);
  }
  return { url, addr, port, process: child, log: () => log, stop, kill: (signal) => killChild(child, signal) };
}

/**
 * Sends one command to the Redis on 127.0.0.1:`port` and resolves with its
 * raw RESP reply (as a string), or rejects (no answer within `ms`).
 */
export function redisCommand(port, args, ms = 2000) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let reply = Buffer.alloc(0);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`redis on port ${port}: no answer to ${args[0]} within ${ms} ms`));
    }, ms);
    const done = (f, v) => {
      clearTimeout(timer);
      s.destroy();
      f(v);
    };
    s.on("error", (e) => done(reject, e));
    s.on("close", () => done(reject, new Error(`redis on port ${port} closed the connection`)));
    s.on("connect", () => {
      s.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join(""));
    });
    s.on("data", (d) => {
      reply = Buffer.concat([reply, d]);
      if (replyEnd(reply, 0) !== null) done(resolve, reply.toString());
    });
  });
}

/** Where the RESP reply that starts at byte `i` of `r` ends, or null when it is not all there. */
function replyEnd(r, i) {
  const eol = r.indexOf("\r\n", i);
  if (eol < 0) return null;
  const kind = String.fromCharCode(r[i]);
  const n = Number(r.subarray(i + 1, eol).toString());
  let at = eol + 2;
  if (kind === "$") return n < 0 ? at : r.length >= at + n + 2 ? at + n + 2 : null;
  if (kind === "*") {
    for (let k = 0; k < n && at !== null; k++) at = replyEnd(r, at);
    return at;
  }
  return at;
}

/** True when the Redis on 127.0.0.1:`port` answers PING. */
export const redisPings = (port) =>
  redisCommand(port, ["PING"], 500).then(
    (r) => r.startsWith("+PONG"),
    () => false,
  );

/**
 * Starts a redis-server of the test's own (`$LT_REDIS_SERVER`, default
 * `redis-server` on PATH) on a free 127.0.0.1 port with an append-only file
 * in a fresh directory (so that a restart keeps the data) and waits until
 * it answers (at most ~10 s). Its pid goes to $LT_TEST_PIDS. Returns
 * `{url, port, dir, log(), kill(), restart(), stop()}`: `kill` kills it
 * with SIGKILL (a crash: no shutdown save), `restart` starts it again on
 * the same port with the same directory, `stop` kills it and removes the
 * directory (also run when the test process exits).
 */
export async function startRedis() {
  const bin = process.env.LT_REDIS_SERVER || "redis-server";
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "lt-redis-"));
  let child = null;
  let log = "";
  const start = async () => {
    log += `--- start ${new Date().toISOString()}\n`;
    const c = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let spawnError = null;
    c.on("error", (e) => (spawnError = e));
    c.stdout.on("data", (d) => (log += d));
    c.stderr.on("data", (d) => (log += d));
    recordPid(c.pid);
    child = c;
    for (let i = 0; !(await redisPings(port)); i++) {
      if (spawnError) throw new Error(`cannot start \`${bin}\` (${spawnError.message}): install Debian's redis-server, or set LT_REDIS_SERVER`);
      if (!running(c)) throw new Error(`${bin} exited (${c.exitCode ?? c.signalCode}):\n${log}`);
      if (i >= 200) throw new Error(`${bin} on port ${port} did not answer within 10 s:\n${log}`);
      await sleep(50);
    }
  };
  const kill = async () => {
    if (child) await killChild(child);
  };
  const onExit = () => {
    if (child && running(child)) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", onExit);
  try {
    await start();
  } catch (e) {
    onExit();
    throw e;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    log: () => log,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
      process.off("exit", onExit);
    },
  };
}

/**
 * A TCP proxy on a free 127.0.0.1 port, a load balancer in front of
 * instances: each new connection goes to the port `target` is set to at
 * that moment (`setTarget` switches; connections already made stay where
 * they are). When either side closes or fails, the other is closed too; a
 * connection to a target that does not answer is closed at once. Returns
 * `{port, url, setTarget(port), connections(), close()}`.
 */
export async function startProxy(target) {
  const open = new Set();
  let count = 0; // connections forwarded so far
  const server = net.createServer((client) => {
    count++;
    const upstream = net.connect(target, "127.0.0.1");
    open.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on("error", end);
      s.on("close", end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  const close = () =>
    new Promise((resolve) => {
      for (const s of open) s.destroy();
      open.clear();
      server.close(() => resolve());
    });
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    setTarget(p) {
      target = p;
    },
    connections: () => count,
    close,
  };
}
