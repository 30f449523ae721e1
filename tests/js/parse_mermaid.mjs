// Parse Mermaid diagrams with Mermaid's own parser (mermaid.parse), as the
// servicebp tests ask: node parse_mermaid.mjs FILE... prints one JSON line per
// file, {"file": ..., "ok": true, "type": ...} or {"file": ..., "ok": false,
// "error": ...}, and exits 1 if any file does not parse.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

// Mermaid sanitizes text with DOMPurify, which needs a DOM.
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const name of ["Element", "HTMLElement", "Node", "DocumentFragment", "DOMParser"]) {
  globalThis[name] = dom.window[name];
}

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

let failed = false;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  try {
    const result = await mermaid.parse(text);
    console.log(JSON.stringify({ file, ok: true, type: result.diagramType }));
  } catch (error) {
    failed = true;
    console.log(JSON.stringify({ file, ok: false, error: String(error.message ?? error) }));
  }
}
process.exit(failed ? 1 : 0);
