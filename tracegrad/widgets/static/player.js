// ---- the trace player (tracegrad/widgets/player.py) ---------------------------------------
//
// Appended to tracegrad.js in one module (frontend.player_script): it uses element, picture,
// nodesOf, stepControls and scrollWithin from there, and registers itself as KINDS.trace.
//
// Python sends every step at once: which SVG element appears at which step (`appear`:
// node, edge and cluster titles), the box ringed at each step (`ring`), the source lines
// running (`at`), the loop passes (`passes`) and the line of text (`lines`, escaped HTML).
// The graph is laid out once, complete; a step only hides what is not recorded yet, hides
// the gradients not computed yet, and moves the rings and the highlighted line.
//
// User text (names, source code) is set with textContent; the SVG comes from Graphviz,
// which escapes labels. For the keyboard and screen readers: labelled buttons and slider,
// a polite live region with the step, its line and its values, and each function's source
// as a listbox whose arrow keys choose a line (ringing the nodes it recorded).

const TRACE_STYLE = `
.tracegrad-trace .tg-bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap;
  font-family: sans-serif; font-size: 13px; margin: 2px 0 4px 0; }
.tracegrad-trace .tg-bar button { min-width: 4em; padding: 2px 8px; cursor: pointer; }
.tracegrad-trace .tg-bar input[type=range] { width: 240px; }
.tracegrad-trace .tg-line { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math",
  serif; font-size: 15px; padding: 4px 0; min-height: 2.4em; }
.tracegrad-trace .tg-step, .tracegrad-trace .tg-phase, .tracegrad-trace .tg-passes {
  font-family: sans-serif; font-size: 13px; color: #555; margin-right: 0.8em; }
.tracegrad-trace .tg-panes { display: flex; gap: 12px; align-items: flex-start; flex-wrap: wrap; }
.tracegrad-trace .tg-source { flex: 0 1 auto; min-width: 16em; max-width: 48em; }
.tracegrad-trace .tg-picture { flex: 1 1 24em; min-width: 0; }
.tracegrad-trace .tg-viewport { max-height: 640px; overflow: auto; border: 1px solid #ddd;
  position: relative; cursor: grab; }
.tracegrad-trace .tg-block { border: 1px solid #ddd; margin: 0 0 8px 0; padding: 2px 0;
  font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; color: #1f1f1f;
  background: #fafafa; }
.tracegrad-trace .tg-block:focus-visible { outline: 2px solid #1a5fb4; outline-offset: 2px; }
.tracegrad-trace .tg-block-name { font-family: sans-serif; font-size: 12px; color: #555;
  padding: 0 6px; }
.tracegrad-trace .tg-src-line { white-space: pre; padding: 0 6px; cursor: pointer;
  border-left: 3px solid transparent; }
.tracegrad-trace .tg-lineno { display: inline-block; min-width: 2.5em; color: #595959;
  user-select: none; }
.tracegrad-trace .tg-ran-line { border-left-color: #2e7d32; }
.tracegrad-trace .tg-calling-line { background: #e8eefc; }
.tracegrad-trace .tg-current-line { background: #fde68a; border-left-color: #c2410c; }
.tracegrad-trace .tg-linked-line { outline: 2px dashed #1a5fb4; outline-offset: -2px; }
.tracegrad-trace .tg-active-line { border-left-color: #1a5fb4; }
.tracegrad-trace .tg-pass { font-family: sans-serif; font-size: 12px; color: #1f1f1f;
  background: #fff; border: 1px solid #888; border-radius: 3px; padding: 0 4px;
  margin-left: 1em; }
.tracegrad-trace .tg-link { font-family: sans-serif; font-size: 13px; min-height: 1.3em; }
.tracegrad-trace svg .tg-unrecorded { visibility: hidden; }
.tracegrad-trace .tg-sr { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.tracegrad-trace svg g.node { cursor: pointer; }
`;

function fill(template, fields) {          // "line {line}" with {line: 5}: "line 5"
  return (template || "").replace(/\{(\w+)\}/g, (all, key) => (key in fields ? fields[key] : all));
}

let traceCount = 0;                       // ids unique in the page (aria-activedescendant)

async function tracePlayer(root, data, model, words) {
  const doc = root.ownerDocument || document;
  if (!doc.getElementById("tracegrad-trace-style")) {
    const style = doc.createElement("style");
    style.id = "tracegrad-trace-style";
    style.textContent = TRACE_STYLE;
    doc.head.appendChild(style);
  }
  const uid = `tg-trace-${++traceCount}`;
  root.classList.add("tracegrad-trace");
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", words["trace.player"] || "trace player");

  const n = data.ring.length, forward = data.forward;
  const backwardAt = new Map(data.order.map((name, k) => [name, k]));   // gradient shown after
  const hidden = new Set((data.hidden || []).map((c) => c.toLowerCase()));

  // the controls and the live region
  const bar = element("div", { class: "tg-bar" });
  const line = element("div", { class: "tg-line", role: "status", "aria-live": "polite",
                                "aria-atomic": "true" });
  const counter = element("span", { class: "tg-step" });
  const phase = element("span", { class: "tg-phase" });
  const passesText = element("span", { class: "tg-passes" });
  const where = element("span", { class: "tg-sr" });      // the line's code, for screen readers
  const chain = element("span", { class: "tg-chain" });
  line.append(counter, " ", phase, " ", passesText, " ", where, " ", chain);
  const link = element("div", { class: "tg-link", role: "status", "aria-live": "polite" });

  // the source: one listbox per function, its lines the options
  const panes = element("div", { class: "tg-panes" });
  const source = element("div", { class: "tg-source" });
  const blocks = [], lineElements = new Map();            // "block:line" -> element
  const ran = [];                                          // [line element, step it has run by]
  data.blocks.forEach((info, b) => {
    const block = element("div", { class: "tg-block", role: "listbox", tabindex: "0",
                                   "aria-label": fill(words["trace.source"], { name: info.name }) });
    block.appendChild(element("div", { class: "tg-block-name", "aria-hidden": "true" }, info.name));
    if (!info.lines) block.appendChild(element("div", { class: "tg-block-name" }, info.note));
    const options = [];
    (info.lines || []).forEach((text, i) => {
      const number = info.start + i;
      const option = element("div", { class: "tg-src-line", role: "option", id: `${uid}-${b}-${number}`,
                                      "aria-selected": "false", "data-line": String(number) });
      option.append(element("span", { class: "tg-lineno" }, String(number)),
                    element("span", { class: "tg-code" }, text));
      option.addEventListener("click", () => { choose(b, number); block.focus(); });
      if (info.ran[i] !== null) ran.push([option, info.ran[i]]);
      lineElements.set(`${b}:${number}`, option);
      options.push(option);
      block.appendChild(option);
    });
    block.addEventListener("keydown", (e) => {
      if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(e.key) || !options.length) return;
      e.preventDefault();                   // the page itself does not scroll,
      e.stopPropagation();                  // nor does a slide deck (reveal.js) move on
      const now = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
      let to = now < 0 ? 0 : now + (e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? -1 : 0);
      if (e.key === "Home") to = 0;
      if (e.key === "End") to = options.length - 1;
      choose(b, info.start + Math.max(0, Math.min(options.length - 1, to)));
    });
    blocks.push({ block, info, options });
    source.appendChild(block);
  });
  const host = element("div", { class: "tg-picture" });
  panes.append(source, host);
  root.append(bar, line, panes, link);

  let nodes = new Map(), shown = [], texts = [], k = 0;
  let marks = [];                          // classes and rings to undo at the next step
  let linked = [];                         // the rings and lines of the last click

  function ring(g, colour, width, dash) {
    const shape = g.querySelector("path, polygon, ellipse");
    if (!shape) return () => {};
    const old = ["stroke", "stroke-width", "stroke-dasharray"].map((a) => [a, shape.getAttribute(a)]);
    shape.setAttribute("stroke", colour);
    shape.setAttribute("stroke-width", width);
    if (dash) shape.setAttribute("stroke-dasharray", dash);
    return () => old.forEach(([a, v]) => (v === null ? shape.removeAttribute(a) : shape.setAttribute(a, v)));
  }

  function unlink() {
    for (const undo of linked) undo();
    linked = [];
  }

  // a line chosen (click or arrow keys): ring the boxes it recorded so far
  function choose(b, number) {
    unlink();
    const { block, options } = blocks[b];
    for (const o of options) {
      const on = o.getAttribute("data-line") === String(number);
      o.setAttribute("aria-selected", on ? "true" : "false");
      o.classList.toggle("tg-active-line", on);
      if (on) block.setAttribute("aria-activedescendant", o.id);
    }
    const ids = (data.links[`${b}:${number}`] || []).filter((id) => (data.appear[id] || 0) <= k);
    const names = [];
    for (const id of ids) {
      const g = nodes.get(id);
      if (!g) continue;
      g.classList.add("tg-linked");
      linked.push(ring(g, "#1a5fb4", "3", "5,3"), () => g.classList.remove("tg-linked"));
      names.push((data.boxes[id] || {}).name || id);
    }
    link.textContent = names.length
      ? fill(words["trace.line made"], { line: number, names: names.join(", ") })
      : fill(words["trace.line none"], { line: number });
  }

  // a node clicked: highlight the line that recorded it
  function clicked(id) {
    unlink();
    const box = data.boxes[id];
    if (!box || !box.at.length) return;
    const [b, number] = box.at[box.at.length - 1];
    const option = lineElements.get(`${b}:${number}`);
    if (option) {
      option.classList.add("tg-linked-line");
      linked.push(() => option.classList.remove("tg-linked-line"));
    }
    link.textContent = fill(words["trace.made on"], { name: box.name, line: number });
  }

  function show(step) {
    k = Math.max(0, Math.min(n, step));
    slider.value = String(k);
    counter.textContent = `${words.step} ${k} ${words.of} ${n}`;
    slider.setAttribute("aria-valuetext", counter.textContent);
    phase.textContent = k > forward ? words["trace.phase backward"] : words["trace.phase forward"];
    chain.innerHTML = data.lines[k];         // escaped HTML, made in Python
    for (const [g, at] of shown) g.classList.toggle("tg-unrecorded", at > k);
    for (const [name, t] of texts) {
      const seen = backwardAt.has(name) && backwardAt.get(name) < k - forward;
      if (seen) t.removeAttribute("visibility"); else t.setAttribute("visibility", "hidden");
    }
    for (const undo of marks) undo();
    marks = [];
    // the source: the lines running, the current one last; the blocks entered so far
    blocks.forEach(({ block, info }) => { block.hidden = info.appear > k; });
    for (const [option, by] of ran) option.classList.toggle("tg-ran-line", by <= k);
    const at = data.at[k] || [];
    const [b, number] = at.length ? at[at.length - 1] : [0, 0];
    const code = at.length && data.blocks[b].lines ? data.blocks[b].lines[number - data.blocks[b].start] : "";
    where.textContent = at.length ? `${fill(words["trace.line"], { line: number })}: ${(code || "").trim()}` : "";
    at.forEach(([b, number], i) => {
      const option = lineElements.get(`${b}:${number}`);
      if (!option) return;
      const cls = i === at.length - 1 ? "tg-current-line" : "tg-calling-line";
      option.classList.add(cls);
      marks.push(() => option.classList.remove(cls));
    });
    const passes = data.passes[k] || [];
    passesText.textContent = passes.map(([, number, p, total, name]) =>
      fill(words["trace.pass"], { name, line: number, number: p, total })).join("; ");
    for (const [b, number, p, total] of passes) {
      const option = lineElements.get(`${b}:${number}`);
      if (!option) continue;
      const badge = element("span", { class: "tg-pass", "aria-hidden": "true" }, `${p}/${total}`);
      option.appendChild(badge);
      marks.push(() => badge.remove());
    }
    // the graph: this step's box ringed
    const g = k > 0 ? nodes.get(data.ring[k - 1]) : null;
    if (g) {
      g.classList.add("tg-current");
      marks.push(ring(g, data.highlight, "3"), () => g.classList.remove("tg-current"));
      scrollWithin(viewport, g);
    }
  }

  let viewport = null;
  const { slider, stop } = stepControls(bar, n, words, model, data, show, () => k);

  try {
    const view = await picture(host, data, model, words);
    viewport = view.viewport;
    bar.appendChild(view.bar);
    nodes = nodesOf(view.svg);
    for (const g of view.svg.querySelectorAll("g.node, g.edge, g.cluster")) {
      const title = g.querySelector("title");
      const name = title ? title.textContent.trim() : "";
      if (name in data.appear) shown.push([g, data.appear[name]]);
    }
    for (const [name, g] of nodes) {
      for (const t of g.querySelectorAll("text"))
        if (hidden.has((t.getAttribute("fill") || "").toLowerCase())) texts.push([name, t]);
      g.addEventListener("click", () => clicked(name));
    }
  } catch (error) {
    host.appendChild(element("div", { class: "tg-error" }, String(error && error.message || error)));
  }
  show(model.get("step") || 0);
  return { show, stop };
}

KINDS.trace = tracePlayer;
