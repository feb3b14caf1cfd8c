// DOM morphing: turns the children of a live element into those of a freshly
// parsed one while keeping every node that can be kept (and so focus, caret,
// scroll positions and what the user typed).
//
// Why not morphdom or idiomorph: both mirror the live state of form controls
// back into attributes (`checked`, `selected`, textarea text), so the DOM
// stops being the parse of the server's HTML, and morphdom resets a
// <select> that has no `selected` option to nothing selected on every morph.
// The rule here is simpler: attributes and nodes always become exactly those
// of the new render; the live state of a control (value, checkedness,
// selection) is overwritten only when the server's render of it changed
// (and `keep(el)` does not veto it), never because some other part of the
// page changed.
//
// Matching of siblings, in order: keyed nodes (elements by `id`, and the
// fragment markers `<!--f-…-->` / `<!--/f-…-->`, unique in a page) pair with
// their key; otherwise a node equal to the new one is kept as is; a short
// look-ahead recognises an inserted or removed sibling (so adding a list item
// does not rewrite every following item); otherwise nodes of the same type
// and tag are morphed into each other.

const MARKER = /^\/?f-[A-Za-z0-9]{1,64}$/;
const LOOK = 3; // look-ahead, in siblings
const XHTML = "http://www.w3.org/1999/xhtml";

const key = (n) =>
  n.nodeType === 1
    ? (n.getAttribute("id") && "#" + n.getAttribute("id")) || null
    : n.nodeType === 8 && MARKER.test(n.data)
      ? n.data
      : null;

// isEqualNode does not look into a <template>'s content (a fragment apart):
// where the new render has templates, their contents are compared too.
const contents = (n) =>
  n.nodeType === 1 ? Array.from(n.localName === "template" ? [n] : n.querySelectorAll("template"), (t) => t.innerHTML).join("\0") : "";
const equal = (a, b, ctx) => a.isEqualNode(b) && (!ctx.tpl || contents(a) === contents(b));

const same = (a, b) =>
  a.nodeType === b.nodeType &&
  (a.nodeType !== 1 || (a.localName === b.localName && a.namespaceURI === b.namespaceURI));

function move(parent, node, before) {
  if (parent.moveBefore)
    try {
      return parent.moveBefore(node, before); // keeps focus and other state
    } catch {}
  parent.insertBefore(node, before);
}

function syncAttrs(from, to) {
  const ta = to.attributes;
  for (let i = 0; i < ta.length; i++) {
    const a = ta[i];
    const cur = a.namespaceURI ? from.getAttributeNodeNS(a.namespaceURI, a.localName) : from.getAttributeNode(a.name);
    // setAttributeNode, not setAttribute: parsed names such as `@click` are
    // not valid for setAttribute.
    if (!cur || cur.value !== a.value) from.setAttributeNode(a.cloneNode());
  }
  const fa = from.attributes;
  for (let i = fa.length - 1; i >= 0; i--) {
    const a = fa[i];
    if (!(a.namespaceURI ? to.hasAttributeNS(a.namespaceURI, a.localName) : to.hasAttribute(a.name)))
      from.removeAttributeNode(a);
  }
}

const selState = (s) => s.multiple + Array.from(s.options, (o) => (o.defaultSelected ? "+" : "-") + o.value).join("\0");

/** Morphs node `from` (live) into `to` (parsed), both of the same type and tag. */
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
      Array.from(from.options, (o, i) => (o.selected = keep ? live[i] : to.options[i].selected));
    }
  } else {
    syncAttrs(from, to);
    // lt-ignore: the children belong to client-side code (a widget, a chart)
    if (to.hasAttribute("lt-ignore")) return;
    if (name === "template") morphChildren(from.content, to.content, ctx);
    else morphChildren(from, to, ctx);
  }
}

/**
 * Morphs the children of `parent` from `cur` up to (not including) `end`
 * into the children of `toParent` from `t` up to `toEnd`.
 */
export function morphChildren(parent, toParent, ctx, cur = parent.firstChild, end = null, t = toParent.firstChild, toEnd = null) {
  const doc = parent.ownerDocument || parent;
  // Keyed nodes: the new keys, and the live node for each (the last one wins).
  const wanted = new Set();
  for (let n = t; n !== toEnd; n = n.nextSibling) {
    const k = key(n);
    if (k) wanted.add(k);
  }
  const keyed = new Map();
  for (let n = cur; n !== end; n = n.nextSibling) {
    const k = key(n);
    if (k && wanted.has(k)) keyed.set(k, n);
  }
  const remove = (n) => {
    const next = n.nextSibling;
    parent.removeChild(n);
    return next;
  };
  // Is an unkeyed sibling of `start` (within LOOK) equal to `node`?
  const ahead = (start, stop, node) => {
    for (let n = start, i = 0; n !== stop && i < LOOK && !key(n); n = n.nextSibling, i++)
      if (equal(n, node, ctx)) return n;
    return null;
  };

  for (; t !== toEnd; t = t.nextSibling) {
    // Live keyed nodes that are not wanted here (any more) go.
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
        cur = cur.nextSibling; // nothing to do
        continue;
      }
      if (!ahead(t.nextSibling, toEnd, cur)) {
        // not an insertion before cur: a removal of cur (and a few more)?
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

let inert;

/**
 * Parses `html` as the content of an element like `container` (or, for a
 * document, as a whole document) in an inert document: no script runs, no
 * image loads, and scripts stay inert when their nodes are moved into the
 * page. Returns the parsed element (for a document: an `html` element).
 */
export function parse(container, html) {
  // A document goes through DOMParser: the fragment parser would drop the
  // attributes of <html>. Its scripts are marked as started, so they stay
  // inert too.
  if (container.nodeType === 9) return new DOMParser().parseFromString(html, "text/html").documentElement;
  inert ||= document.implementation.createHTMLDocument("");
  const el = inert.createElementNS(container.namespaceURI, container.localName);
  el.innerHTML = html;
  return el;
}

/**
 * Morphs the content of `container` (an element, or a document: then its
 * `<html>` attributes, `<head>` and `<body>`) into the parsed `html`.
 * `keep(el)` vetoes overwriting the live state of a form control whose
 * server render changed.
 */
export function morph(container, html, keep = () => false) {
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
