// Server messages as tests read them. An update is `[version, fragment, …]`
// on the wire (serve/protocol.rs); here it becomes `{type: "update",
// version, fragments, parsed}`: `fragments` as sent (what `apply` takes),
// `parsed` their normal form (`{id, strategy, action, data}`, ids with their
// `f-` prefix; see parseFragment). Other messages are returned as they are.
import { parseFragment } from "../src/reconstruct.js";

export function serverMessage(text) {
  const msg = typeof text == "string" ? JSON.parse(text) : text;
  if (!Array.isArray(msg)) return msg;
  const [version, ...fragments] = msg;
  return { type: "update", version, fragments, parsed: fragments.map(parseFragment) };
}
