// livetemplate browser client: keeps the page model (reconstruct.js), morphs
// the DOM to it (morph.js), sends events, and talks to the server through a
// pluggable transport. See ../README.md.

import { Reconstructor, ReconstructError, isValidId, parseFragment, utf8Length } from "./reconstruct.js";
import { morph } from "./morph.js";

export { Reconstructor, ReconstructError, isValidId, parseFragment, utf8Length, morph };

export const version = "0.1.0";
/** The protocol of `LiveServer` this client speaks (`PROTOCOL_VERSION` in serve/protocol.rs). */
export const PROTOCOL = 2;

const PREFIX = "lt-value-";
const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const report = (view, e) => {
  console.error("livetemplate: " + (e && e.message ? e.message : e));
  view.onError && view.onError(e);
};
const KNOWN = "lt-click lt-submit lt-change lt-input lt-debounce lt-ignore";
const known = new Set(KNOWN.split(" ")); // and the unknown names warned about (once per page)

/** Warns about an `lt-*` attribute in the page (`html`, its model) that the client does not know. */
function lint(root, html) {
  const done = new Set(known); // each name is looked up once
  for (let [, name] of html.matchAll(/[\s"'/](lt-[^\s"'>/=]*)/gi)) {
    name = name.toLowerCase();
    if (done.has(name) || name.startsWith(PREFIX)) continue;
    done.add(name);
    const el = root.querySelector("[" + CSS.escape(name) + "]");
    if (!el) continue; // in a text or a value
    known.add(name);
    console.warn(`livetemplate: unknown attribute ${name} on ${el.cloneNode(false).outerHTML.split(">")[0]}> (known: ${KNOWN} ${PREFIX}*)`, el);
  }
}

/** What a control sends: checkbox → checked, multiple select → values, else value. */
function controlValue(c) {
  if (c.type === "checkbox") return c.checked;
  if (c.type === "select-multiple") return Array.from(c.selectedOptions, (o) => o.value);
  return c.value != null ? c.value : c.getAttribute("value") || "";
}

/** The state a submission snapshots (to reset the control after the server answered). */
function controlState(c) {
  if (c.type === "checkbox" || c.type === "radio") return c.checked;
  if (c.options) return Array.from(c.options, (o) => +o.selected).join("");
  return c.value;
}

/** Resets a control to its default (the server's render of it). */
function resetControl(c) {
  if (c.type === "checkbox" || c.type === "radio") c.checked = c.defaultChecked;
  else if (c.options) Array.from(c.options, (o) => (o.selected = o.defaultSelected));
  else if (c.type !== "file" && "defaultValue" in c) c.value = c.defaultValue;
}

/** The fields of a form as `{name: value}` (a repeated name gives an array; files are left out). */
export function formValues(form, submitter) {
  let fd;
  try {
    fd = new FormData(form, submitter || undefined);
  } catch {
    fd = new FormData(form);
    if (submitter && submitter.name) fd.append(submitter.name, submitter.value);
  }
  const values = {};
  for (const [k, v] of fd) {
    if (typeof v != "string") continue;
    values[k] = hasOwn(values, k) ? [].concat(values[k], v) : v;
  }
  return values;
}

function withExtra(el, values) {
  for (const a of el.attributes) if (a.name.startsWith(PREFIX)) values[a.name.slice(PREFIX.length)] = a.value;
  return values;
}

/**
 * Mounts a live page. `container` is the element whose content is the page,
 * or `document` for a whole document; `html` is the server's first render
 * (`Page::render()`), markers included, or null to wait for the transport's
 * first `{"type":"render"}` message.
 *
 * Options: `transport` ({send, onMessage, close}, e.g. `websocket(url)`),
 * `onEvent(msg)` (called with every event message, transport or not),
 * `onError(err)`, `debounce` (ms for `lt-input`, default 300).
 *
 * Returns the view: `apply(fragments)` → boolean, `render(html)`,
 * `send(action, values)`, `html` (the model), `model` (the Reconstructor),
 * `destroy()`. After each change to the page the container (or document)
 * dispatches `lt:updated`, bubbling, with `detail: {view, ids}` (`ids`: the
 * fragment ids applied, null after a render).
 */
export function mount(container, html, options = {}) {
  const doc = container.nodeType === 9 ? container : container.ownerDocument;
  const transport = options.transport;
  const lastSent = new WeakMap(); // control -> value last sent by lt-input / lt-change
  const timers = new Map(); // lt-input element -> debounce timeout
  const listeners = [];
  let submitted = []; // [control, state] of the last lt-submit, reset after the next update

  // A focused control whose value the user changed since it was last sent
  // keeps it even when the server's render of it changed (the server's
  // render is then based on an older value).
  const keep = (el) =>
    el === doc.activeElement && lastSent.has(el) && lastSent.get(el) !== controlValue(el);

  // Morphs the page to the model, then tells the page's scripts: `ids` are
  // the fragments applied, null after a render.
  function sync(ids) {
    const active = doc.activeElement;
    let sel = null;
    try {
      if (active && active.selectionStart != null)
        sel = [active.selectionStart, active.selectionEnd, active.selectionDirection];
    } catch {}
    try {
      morph(container, view.model.html, keep);
    } catch (e) {
      // Should not happen; fall back to a plain reset rather than a page
      // that differs from the model.
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
        } catch {}
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
    render(html) {
      view.model = new Reconstructor(html);
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
    send(action, values = {}) {
      const msg = options.protocol ? { v: options.protocol, type: "event", action, values } : { type: "event", action, values };
      if (options.onEvent) options.onEvent(msg);
      if (transport) transport.send(msg);
      return msg;
    },
    destroy() {
      for (const [type, fn] of listeners) container.removeEventListener(type, fn);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      if (transport) transport.close();
    },
  };

  // Events, delegated to the container so that they survive morphs.
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
    const values = formValues(form, e.submitter);
    submitted = Array.from(form.elements, (c) => [c, controlState(c)]);
    view.send(form.getAttribute("lt-submit"), withExtra(form, values));
  });

  const field = (attr) => (e) => {
    const el = find(e.target, attr);
    if (!el) return;
    const c = e.target;
    const fire = () => {
      timers.delete(el);
      let values;
      if (el.localName === "form") values = formValues(el);
      else {
        const v = controlValue(c);
        values = { [c.name || c.getAttribute("name") || "value"]: v };
        lastSent.set(c, v);
      }
      view.send(el.getAttribute(attr), withExtra(el, values));
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
    // The protocol of LiveServer: join on every (re)connection with the
    // version held; the root carries a class while disconnected.
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
      // An update is `[version, fragment, …]`; the other messages are objects.
      if (Array.isArray(msg)) msg = { type: "update", version: msg[0], fragments: msg.slice(1) };
      const type = msg && msg.type;
      if (type === "render") {
        view.render(msg.html);
        if (msg.version != null) view.version = msg.version;
      } else if (type === "update") {
        // Out of step with the server: ask for a fresh render if we can.
        if (view.apply(msg.fragments)) {
          if (msg.version != null) view.version = msg.version;
        } else if (transport.reconnect) transport.reconnect();
      } else if (type === "joined") view.version = msg.version;
      else if (type === "error") {
        // An event was refused; the server's state is unchanged.
        console.warn("livetemplate: " + msg.code + ": " + msg.message);
        if (options.onError) options.onError(msg);
      } else if (type === "gone") {
        // The page expired or was closed: load a new one.
        transport.close();
        if (options.onGone) options.onGone(msg);
        else if (typeof location != "undefined") location.reload();
      } else report(view, new Error("unknown message " + JSON.stringify(msg)));
    });
  }

  if (html != null) view.render(html);
  return view;
}

/**
 * A WebSocket transport: `{send, onMessage, close, reconnect}`. Connects to
 * `url` (relative URLs and http(s) schemes are turned into ws(s)), parses
 * every message as JSON, reconnects after a drop with exponential backoff
 * (`minDelay` ms doubling up to `maxDelay`, with jitter). On each
 * (re)connection the server sends `{"type":"render","html":…}` first.
 * Messages sent while disconnected are dropped (send returns false).
 */
export function websocket(url, { minDelay = 500, maxDelay = 15000, protocols } = {}) {
  const u = new URL(url, typeof location != "undefined" ? location.href : undefined);
  u.protocol = u.protocol.replace(/^http/, "ws");
  const callbacks = [];
  const statusCallbacks = [];
  const queue = []; // messages received before anyone listened
  let ws;
  let attempt = 0;
  let timer;
  let closed = false;

  function connect() {
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
      timer = setTimeout(connect, delay * (0.5 + Math.random() / 2));
    };
  }
  connect();

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
      if (!closed && ws.readyState < 2) ws.close(); // onclose schedules the next attempt
    },
    close() {
      closed = true;
      clearTimeout(timer);
      if (ws) ws.close();
    },
  };
}

/**
 * Starts the page a `LiveServer` (the crate's `axum` feature) sent: reads
 * the boot JSON (`<script type="application/json" id="lt-boot">`: token,
 * version and the exact first render), mounts it into `#lt-root`, and
 * connects to `live?token=…` next to the page with protocol 2 (join with the
 * version held, `joined`/`render`/`update`/`error`/`gone`). Options as
 * `mount`'s, plus `url` (the socket's, default `live`).
 */
export function connect(options = {}) {
  const boot = JSON.parse(document.getElementById("lt-boot").textContent);
  const root = document.getElementById("lt-root");
  const url = (options.url || "live") + "?token=" + encodeURIComponent(boot.token);
  return mount(root, boot.html, {
    ...options,
    protocol: PROTOCOL,
    version: boot.version,
    transport: options.transport || websocket(url),
  });
}
