// tracegrad's front end: a graph laid out in the browser, and the stepper.
//
// One file serves two hosts:
//  * anywidget (JupyterLab, Notebook 7, VS Code, Colab, JupyterLite): the default
//    export `render({model, el})` reads the widget's state from `model`;
//  * a static page (an HTML export, the lecture site): `mountStatic()` finds every
//    `.tracegrad-stepper[data-tg-static]` and reads the same state from the JSON
//    inside it, so the stepper steps with no kernel at all.
//
// The state ("data") is computed once in Python: the SVG from Graphviz's `dot` (or the
// DOT text, laid out here by Graphviz compiled to WebAssembly), and for the stepper the
// order of the pass, the chain-rule line of each step (already escaped HTML) and the
// colours of the texts that a step reveals. Stepping only changes attributes of the
// SVG that is already on the page: no kernel round trip, no new layout.
//
// User text reaches the page only as SVG made by Graphviz (which escapes it) or as
// HTML escaped in Python; this file sets text with textContent.
//
// For screen readers and the keyboard (WCAG 2.1 AA): the widget carries the notebook's
// language (`lang`); the picture is an image named by a one-sentence summary, with the
// graph as a table under it; the stepper's counter and chain-rule line are a polite live
// region, its slider says "step 4 of 17"; the graph box is a tab stop that scrolls with
// the arrow keys and zooms with + and −. The graph keeps its size (no max-width): on a
// narrow screen its box scrolls instead of shrinking the text below legibility.

const STYLE = `
.tracegrad-stepper .tg-bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap;
  font-family: sans-serif; font-size: 13px; margin: 2px 0 4px 0; }
.tracegrad-stepper .tg-bar button { min-width: 4em; padding: 2px 8px; cursor: pointer; }
.tracegrad-stepper .tg-bar input[type=range] { width: 240px; }
.tracegrad-stepper .tg-line { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math",
  serif; font-size: 15px; padding: 4px 0; min-height: 2.4em; }
.tracegrad-stepper .tg-step { font-family: sans-serif; font-size: 13px; color: #555;
  margin-right: 0.8em; }
.tg-frac { display: inline-flex; flex-direction: column; vertical-align: middle;
  text-align: center; margin: 0 2px; line-height: 1.1; }
.tg-frac > .tg-slash { font-size: 0; border-top: 1px solid currentColor; }
.tg-hide { font-size: 0; }
.tracegrad-graph .tg-viewport, .tracegrad-stepper .tg-viewport { max-height: 640px;
  overflow: auto; border: 1px solid #ddd; position: relative; cursor: grab; }
.tg-viewport svg { display: block; transform-origin: 0 0; max-width: none; }
.tg-viewport:focus-visible { outline: 2px solid #1a5fb4; outline-offset: 2px; }
.tg-text { font-family: sans-serif; font-size: 13px; margin: 4px 0; }
.tg-text table { border-collapse: collapse; }
.tg-text th, .tg-text td { border: 1px solid #ccc; padding: 1px 6px; text-align: left; }
.tg-zoom { font-family: sans-serif; font-size: 12px; }
.tg-zoom button { min-width: 2em; }
.tg-error { color: #b3261e; font-family: monospace; white-space: pre-wrap; }
`;

function addStyle(root) {
  const doc = root.ownerDocument || document;
  if (!doc.getElementById("tracegrad-style")) {
    const style = doc.createElement("style");
    style.id = "tracegrad-style";
    style.textContent = STYLE;
    doc.head.appendChild(style);
  }
}

function element(tag, attrs = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}

// ---- Graphviz in WebAssembly, loaded once per page -----------------------------------

function graphvizSource(model) {
  const fromModel = model.get("_graphviz_js");
  if (fromModel) return fromModel;
  const tag = document.querySelector("script.tg-graphviz-js");
  return tag ? tag.textContent : "";
}

async function layout(dot, model) {
  if (!globalThis.__tracegradGraphviz) {
    const source = graphvizSource(model);
    if (!source) throw new Error("tracegrad: Graphviz (WebAssembly) was not sent to this page");
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    globalThis.__tracegradGraphviz = import(url).then((m) => m.Graphviz.load());
  }
  const graphviz = await globalThis.__tracegradGraphviz;
  return graphviz.dot(dot, "svg");
}

// ---- the picture: SVG in a scrolling viewport, zoom with buttons or ctrl+wheel, pan by drag

async function picture(host, data, model, words) {
  const viewport = element("div", { class: "tg-viewport", tabindex: "0", role: "group",
                                     "aria-label": words["graph box"] || "graph" });
  const svgText = data.svg || (await layout(data.dot, model));
  viewport.innerHTML = svgText;             // made by Graphviz: labels are escaped there
  const svg = viewport.querySelector("svg");
  svg.setAttribute("role", "img");          // one image, named by its summary, not "n0", "n6"
  if (data.summary) svg.setAttribute("aria-label", data.summary);
  let scale = 1;
  const width = parseFloat(svg.getAttribute("width")) || svg.getBBox().width;
  const height = parseFloat(svg.getAttribute("height")) || svg.getBBox().height;
  const zoom = (factor) => {
    scale = Math.min(8, Math.max(0.1, scale * factor));
    svg.style.width = `${width * scale}pt`;
    svg.style.height = `${height * scale}pt`;
  };
  const bar = element("span", { class: "tg-zoom" });
  for (const [label, factor, name] of [["−", 1 / 1.25, "zoom out"], ["+", 1.25, "zoom in"]]) {
    const b = element("button", { "data-action": factor > 1 ? "zoom-in" : "zoom-out",
                                   title: words.zoom || "zoom", "aria-label": words[name] || name },
                      label);
    b.addEventListener("click", () => zoom(factor));
    bar.appendChild(b);
  }
  viewport.addEventListener("wheel", (e) => {
    if (!e.ctrlKey) return;                 // a plain wheel scrolls the page as usual
    e.preventDefault();
    zoom(e.deltaY < 0 ? 1.1 : 1 / 1.1);
  }, { passive: false });
  viewport.addEventListener("keydown", (e) => {
    const pan = { ArrowLeft: [-40, 0], ArrowRight: [40, 0], ArrowUp: [0, -40], ArrowDown: [0, 40] };
    if (e.key === "+" || e.key === "=") zoom(1.25);
    else if (e.key === "-" || e.key === "−") zoom(1 / 1.25);
    else if (pan[e.key]) viewport.scrollBy(...pan[e.key]);
    else return;
    e.preventDefault();                     // the page itself does not scroll
  });
  let drag = null;
  viewport.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
  });
  viewport.addEventListener("pointermove", (e) => {
    if (!drag) return;
    viewport.scrollLeft = drag.left - (e.clientX - drag.x);
    viewport.scrollTop = drag.top - (e.clientY - drag.y);
  });
  for (const end of ["pointerup", "pointerleave"]) viewport.addEventListener(end, () => { drag = null; });
  host.appendChild(viewport);
  if (data.table) host.appendChild(textForm(data.table, words));
  return { viewport, svg, bar };
}

// The graph as a table a screen reader can walk: node, operation, value, gradient.
function textForm(rows, words) {
  const details = element("details", { class: "tg-text" });
  details.appendChild(element("summary", {}, words["text form"] || "table"));
  const table = element("table");
  const head = element("tr");
  for (const key of ["column.node", "column.operation", "column.value", "column.gradient"])
    head.appendChild(element("th", { scope: "col" }, words[key] || key));
  table.appendChild(head);
  for (const row of rows) {
    const tr = element("tr");
    row.forEach((cell, i) => tr.appendChild(element(i === 0 ? "th" : "td",
                                                    i === 0 ? { scope: "row" } : {}, cell)));
    table.appendChild(tr);
  }
  details.appendChild(table);
  return details;
}

// ---- the stepper ------------------------------------------------------------------------

function nodesOf(svg) {
  const nodes = new Map();
  for (const g of svg.querySelectorAll("g.node")) {
    const title = g.querySelector("title");
    if (title) nodes.set(title.textContent.trim(), g);
  }
  return nodes;
}

// ---- stepping: the controls the stepper and the trace player share ------------------------

// Play, previous, next and a slider over steps 0..n, put in `bar`. `show(step)` draws a
// step (and clamps it); `shown()` is the step drawn. A kernel that listens is told each
// step the user picks (model "step"), and a step it sets is drawn.
function stepControls(bar, n, words, model, data, show, shown) {
  const play = element("button", { "data-action": "play" }, words.play);
  const prev = element("button", { "data-action": "prev" }, words.previous);
  const next = element("button", { "data-action": "next" }, words.next);
  const slider = element("input", { type: "range", min: "0", max: String(n), step: "1",
                                    value: "0", "aria-label": words.step });
  bar.append(play, slider, prev, next);
  let timer = null;
  function go(step) {
    show(step);
    if (model.set) {                        // tell Python (when a kernel listens)
      model.set("step", shown());
      model.save_changes();
    }
  }
  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    play.textContent = words.play;
  }
  play.addEventListener("click", () => {
    if (timer) return stop();
    if (shown() >= n) go(0);
    play.textContent = words.pause;
    timer = setInterval(() => (shown() >= n ? stop() : go(shown() + 1)), data.interval || 700);
  });
  prev.addEventListener("click", () => { stop(); go(shown() - 1); });
  next.addEventListener("click", () => { stop(); go(shown() + 1); });
  slider.addEventListener("input", () => { stop(); go(parseInt(slider.value, 10)); });
  if (model.on) model.on("change:step", () => show(model.get("step") || 0));
  return { slider, stop };
}

// Scroll the picture's own scroll area (not the page) so that the box `g` is in view.
function scrollWithin(viewport, g) {
  if (!viewport) return;
  const box = g.getBoundingClientRect(), view = viewport.getBoundingClientRect();
  if (box.top < view.top || box.bottom > view.bottom)
    viewport.scrollTop += box.top - view.top - (view.height - box.height) / 2;
  if (box.left < view.left || box.right > view.right)
    viewport.scrollLeft += box.left - view.left - (view.width - box.width) / 2;
}

function stepper(root, data, model, words) {
  const order = data.order;                 // node names, in the order the pass visits them
  const position = new Map(order.map((name, k) => [name, k]));
  const always = new Set(data.always || []);
  const hidden = new Set((data.hidden || []).map((c) => c.toLowerCase()));
  const n = order.length;

  const bar = element("div", { class: "tg-bar" });
  // the counter and the chain-rule line: read out after each step, politely
  const line = element("div", { class: "tg-line", role: "status", "aria-live": "polite",
                                "aria-atomic": "true" });
  const counter = element("span", { class: "tg-step" });
  const chain = element("span", { class: "tg-chain" });
  line.append(counter, " ", chain);          // heard as "step 2 of 17 ∂C/∂a = ..."
  root.append(bar, line);

  let nodes = new Map(), texts = [], current = null, k = 0;

  function show(step) {
    k = Math.max(0, Math.min(n, step));
    slider.value = String(k);
    counter.textContent = `${words.step} ${k} ${words.of} ${n}`;   // "крок 4 з 17"
    slider.setAttribute("aria-valuetext", counter.textContent);
    chain.innerHTML = data.lines[k];        // escaped HTML, made in Python
    for (const [name, text] of texts) {
      const seen = always.has(name) || position.get(name) < k;
      if (seen) text.removeAttribute("visibility"); else text.setAttribute("visibility", "hidden");
    }
    if (current) {
      current.g.classList.remove("tg-current");
      current.shape && current.restore();
      current = null;
    }
    // the box drawn for this step's node: its own, or a folded or collapsed one
    const g = k > 0 ? nodes.get((data.ring || order)[k - 1]) : null;
    if (g) {
      const shape = g.querySelector("path, polygon, ellipse");
      const old = shape && [shape.getAttribute("stroke"), shape.getAttribute("stroke-width")];
      g.classList.add("tg-current");
      if (shape) {
        shape.setAttribute("stroke", data.highlight);
        shape.setAttribute("stroke-width", "3");
      }
      current = { g, shape, restore: () => {
        old[0] === null ? shape.removeAttribute("stroke") : shape.setAttribute("stroke", old[0]);
        old[1] === null ? shape.removeAttribute("stroke-width")
                        : shape.setAttribute("stroke-width", old[1]);
      } };
      scrollWithin(viewport, g);
    }
  }

  let viewport = null;
  const { slider, stop } = stepControls(bar, n, words, model, data, show, () => k);

  return {
    attach(view) {                          // the picture is ready: index its nodes
      viewport = view.viewport;
      nodes = nodesOf(view.svg);
      texts = [];
      for (const [name, g] of nodes)
        for (const t of g.querySelectorAll("text"))
          if (hidden.has((t.getAttribute("fill") || "").toLowerCase())) texts.push([name, t]);
      bar.appendChild(view.bar);
      show(model.get("step") || 0);
    },
    show,
    stop,
  };
}

// ---- mounting ------------------------------------------------------------------------------

// Widgets of other kinds, each from its own file after this one (frontend.MODULES):
// KINDS[kind](root, data, model, words) draws one and returns its control ({stop}).
const KINDS = {};

async function mount(root, model) {
  addStyle(root);
  const data = model.get("data");
  const words = data.words || {};
  if (data.language) root.setAttribute("lang", data.language);
  if (KINDS[data.kind]) return KINDS[data.kind](root, data, model, words);
  if (data.kind === "stepper") {
    root.classList.add("tracegrad-stepper");
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", words.stepper || "stepper");
  }
  else root.classList.add("tracegrad-graph");
  const control = data.kind === "stepper" ? stepper(root, data, model, words) : null;
  const host = element("div", { class: "tg-picture" });
  root.appendChild(host);
  try {
    const view = await picture(host, data, model, words);
    if (control) control.attach(view);
    else root.insertBefore(view.bar, host);
  } catch (error) {
    host.appendChild(element("div", { class: "tg-error" }, String(error && error.message || error)));
  }
  return control;
}

// anywidget's entry point
export default {
  async render({ model, el }) {
    const control = await mount(el, model);
    return () => control && control.stop();
  },
};

// A static page: the state is the JSON in each `[data-tg-static]` root,
// and the SVG (when `dot` made it) is already inside it, in `.tg-static-svg`.
export function mountStatic(doc = document) {
  for (const root of doc.querySelectorAll("[data-tg-static]:not([data-tg-mounted])")) {
    const data = JSON.parse(root.querySelector("script.tg-data").textContent);
    if (data.kind && !["stepper", "graph"].includes(data.kind) && !KINDS[data.kind])
      continue;                             // a kind from another file: its own script mounts it
    root.setAttribute("data-tg-mounted", "");
    const svg = root.querySelector(".tg-static-svg");
    if (svg) {
      data.svg = svg.innerHTML;
      svg.remove();
    }
    const state = { data, step: 0 };
    mount(root, { get: (key) => state[key] });
  }
}
