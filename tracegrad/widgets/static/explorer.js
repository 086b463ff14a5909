// ---- the explorer (widgets/explorer.py) ------------------------------------------------
//
// This file follows tracegrad.js in one module (frontend.MODULES) and adds the kind
// "explorer" to its table KINDS. Python sent the sliders' grids and, when the grid is
// small enough, the value and the gradient at every grid point (base64 float32, shape
// n₁ × … × n_d × (1 + d)): then everything here moves with no kernel. Without a grid,
// each move asks the kernel (the synced `point`; it answers in `answer`).
//
// For each slider: the function along it (the others where they are), the point, the
// tangent line through it with the partial derivative as slope. For two sliders: the
// level lines, the point, the gradient arrow and the way down. A descent step moves the
// point by −rate·∇f to the nearest grid point and leaves a trail.
//
// Names (the parameters', the output's) are user text: they reach the page with
// textContent only.

const EXPLORER_STYLE = `
.tracegrad-explorer { font-family: sans-serif; font-size: 13px; color: #222; }
.tracegrad-explorer .tg-row { display: flex; flex-wrap: wrap; align-items: center; gap: 10px;
  margin: 4px 0; }
.tracegrad-explorer .tg-control { display: flex; flex-direction: column; gap: 2px; min-width: 14em; }
.tracegrad-explorer .tg-control label { font-family: monospace; font-size: 14px; }
.tracegrad-explorer input[type=range] { width: 14em; }
.tracegrad-explorer .tg-slope, .tracegrad-explorer .tg-value { font-family: monospace;
  font-size: 14px; }
.tracegrad-explorer .tg-slope { color: #b3261e; }
.tracegrad-explorer .tg-readout { margin: 6px 0; }
.tracegrad-explorer .tg-descent-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px;
  margin: 6px 0; }
.tracegrad-explorer button { padding: 2px 8px; cursor: pointer; }
.tracegrad-explorer .tg-note { color: #444; font-size: 12px; margin: 2px 0; }
.tracegrad-explorer .tg-legend span { margin-right: 1.2em; }
.tracegrad-explorer svg.tg-plot { background: #fff; overflow: visible; }
.tracegrad-explorer svg.tg-plot text { font-family: sans-serif; font-size: 11px; fill: #222; }
.tracegrad-explorer input:focus-visible, .tracegrad-explorer button:focus-visible {
  outline: 2px solid #1a5fb4; outline-offset: 2px; }
`;

const COLOURS = { curve: "#1a5fb4", tangent: "#b3261e", point: "#222222", level: "#5b7fb0",
                  gradient: "#b3261e", descent: "#1e6b32", trail: "#6a3d9a", frame: "#767676" };
const SVG_NS = "http://www.w3.org/2000/svg";
let explorerCount = 0;                      // unique ids for labels and clip paths

function svgElement(tag, attrs = {}, text = null) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}

// A number as Python's f"{x:.4g}" writes it (tracegrad.drawing.text.fmt).
function fmt(x) {
  if (x === null || x === undefined) return String(Number.NaN);
  if (!Number.isFinite(x)) return String(x);        // outside the function's domain
  if (x === 0) return "0";
  const rounded = Number(x.toPrecision(4));
  const exponent = Math.floor(Math.log10(Math.abs(rounded)));
  let s;
  if (exponent < -4 || exponent >= 4) {
    let [mantissa, power] = x.toExponential(3).split("e");
    mantissa = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
    const sign = power[0] === "-" ? "-" : "+";
    s = `${mantissa}e${sign}${power.replace(/^[+-]/, "").padStart(2, "0")}`;
  } else {
    s = x.toPrecision(4);
    if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  }
  return s === "-0" ? "0" : s;
}

// "{out} along {name}" with its fields filled in (the template comes from the words table).
function say(template, fields) {
  return (template || "").replace(/\{(\w+)\}/g, (m, key) => (key in fields ? String(fields[key]) : m));
}

function decodeGrid(grid) {
  const bytes = Uint8Array.from(atob(grid.data), (c) => c.charCodeAt(0));
  return { shape: grid.shape, table: new Float32Array(bytes.buffer) };
}

// ---- one plot: a frame, its data window, and the map from data to SVG coordinates ----------

function plotFrame(width, height, window, label) {
  const margin = { left: 46, right: 10, top: 8, bottom: 30 };
  const svg = svgElement("svg", { class: "tg-plot", width, height, viewBox: `0 0 ${width} ${height}`,
                                  role: "img", "aria-label": label,
                                  "data-window": window.join(" ") });
  const frame = { x: margin.left, y: margin.top, w: width - margin.left - margin.right,
                  h: height - margin.top - margin.bottom };
  const id = `tg-clip-${++explorerCount}`;
  const clip = svgElement("clipPath", { id });
  clip.appendChild(svgElement("rect", { x: frame.x, y: frame.y, width: frame.w, height: frame.h }));
  svg.appendChild(svgElement("defs")).appendChild(clip);
  svg.appendChild(svgElement("rect", { class: "tg-frame", x: frame.x, y: frame.y, width: frame.w,
                                       height: frame.h, fill: "none", stroke: COLOURS.frame }));
  const [x0, x1, y0, y1] = window;
  const X = (x) => frame.x + ((x - x0) / (x1 - x0)) * frame.w;
  const Y = (y) => frame.y + frame.h - ((y - y0) / (y1 - y0)) * frame.h;
  const inside = svgElement("g", { "clip-path": `url(#${id})` });
  svg.appendChild(inside);
  // the window's ends on the axes: enough to read the scale
  const text = (x, y, anchor, s) => svg.appendChild(svgElement("text", { x, y, "text-anchor": anchor }, s));
  text(frame.x, frame.y + frame.h + 13, "start", fmt(x0));
  text(frame.x + frame.w, frame.y + frame.h + 13, "end", fmt(x1));
  text(frame.x - 4, frame.y + frame.h, "end", fmt(y0));
  text(frame.x - 4, frame.y + 9, "end", fmt(y1));
  return { svg, inside, frame, X, Y, text };
}

function padded(lo, hi) {
  if (!(hi > lo)) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

function finiteRange(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return lo <= hi ? [lo, hi] : [0, 0];
}

// ---- level lines by marching squares, on the 2-d grid ---------------------------------------

function levelPaths(values, nx, ny, X, Y, xs, ys, levels) {
  const at = (i, j) => values[i * ny + j];
  const paths = [];
  for (const level of levels) {
    let d = "";
    for (let i = 0; i + 1 < nx; i++) {
      for (let j = 0; j + 1 < ny; j++) {
        const corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
        const crossings = [];
        for (let c = 0; c < 4; c++) {
          const [ia, ja] = corners[c], [ib, jb] = corners[(c + 1) % 4];
          const a = at(ia, ja) - level, b = at(ib, jb) - level;
          if (!Number.isFinite(a) || !Number.isFinite(b) || (a < 0) === (b < 0)) continue;
          const t = a / (a - b);
          crossings.push([X(xs[ia] + t * (xs[ib] - xs[ia])), Y(ys[ja] + t * (ys[jb] - ys[ja]))]);
        }
        for (let c = 0; c + 1 < crossings.length; c += 2)
          d += `M${crossings[c][0].toFixed(1)} ${crossings[c][1].toFixed(1)}` +
               `L${crossings[c + 1][0].toFixed(1)} ${crossings[c + 1][1].toFixed(1)}`;
      }
    }
    if (d) paths.push(d);
  }
  return paths;
}

function arrowHead(svg, id, colour) {
  const marker = svgElement("marker", { id, viewBox: "0 0 10 10", refX: "9", refY: "5",
                                        markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
  marker.appendChild(svgElement("path", { d: "M0 0L10 5L0 10z", fill: colour }));
  svg.querySelector("defs").appendChild(marker);
}

// ---- the explorer -------------------------------------------------------------------------

function explorer(root, data, model, words) {
  const doc = root.ownerDocument || document;
  if (!doc.getElementById("tracegrad-explorer-style")) {
    const style = doc.createElement("style");
    style.id = "tracegrad-explorer-style";
    style.textContent = EXPLORER_STYLE;
    doc.head.appendChild(style);
  }
  root.classList.add("tracegrad-explorer");
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", words.explorer || "explorer");
  const me = ++explorerCount;
  const sliders = data.sliders, d = sliders.length, out = data.out;
  const grid = data.grid ? decodeGrid(data.grid) : null;
  const valueOf = (s, k) => s.start + k * s.step;
  const fromPoint = (point) => point.map((x, i) => Math.min(sliders[i].count - 1,
    Math.max(0, Math.round((x - sliders[i].start) / sliders[i].step))));
  const saved = model.get("point");
  let index = saved && saved.length === d ? fromPoint(saved) : sliders.map((s) => s.index);
  let answer = model.get("answer") || data.answer || null;     // the kernel's, without a grid
  let trail = [];

  // value and gradient at grid indices k (grid) or at the kernel's last answer
  function here() {
    if (grid) {
      let offset = 0;
      for (let i = 0; i < d; i++) offset = offset * sliders[i].count + index[i];
      const row = grid.table.subarray(offset * (1 + d), (offset + 1) * (1 + d));
      return { value: row[0], grads: Array.from(row.subarray(1)) };
    }
    return fresh() ? { value: answer.value, grads: answer.grads } : null;
  }
  // the kernel's answer is for the point shown (else it is still on its way, or no kernel)
  function fresh() {
    return !!answer && answer.point.length === d && answer.point.every(
      (x, i) => Math.abs(x - valueOf(sliders[i], index[i])) <= 1e-9 * (1 + Math.abs(x)));
  }
  // the function along slider i, the others where they are: [xs, ys]
  function curve(i) {
    const s = sliders[i];
    if (grid) {
      const xs = [], ys = [];
      for (let k = 0; k < s.count; k++) {
        const at = index.slice();
        at[i] = k;
        let offset = 0;
        for (let j = 0; j < d; j++) offset = offset * sliders[j].count + at[j];
        xs.push(valueOf(s, k));
        ys.push(grid.table[offset * (1 + d)]);
      }
      return [xs, ys];
    }
    return fresh() ? [answer.curves[i][0], answer.curves[i][1].map((y) => (y === null ? Number.NaN : y))]
                   : [[], []];
  }

  // ---- the sliders, each with its plot and slope ----
  const rows = sliders.map((s, i) => {
    const row = element("div", { class: "tg-row" });
    const control = element("div", { class: "tg-control" });
    const id = `tg-explorer-${me}-${i}`;
    const label = element("label", { for: id }, s.name);
    // data-lm-suppress-shortcuts: JupyterLab would take the arrow keys for its own commands
    const input = element("input", { type: "range", id, "data-param": s.name, "data-lm-suppress-shortcuts": "",
                                     min: String(s.start), max: String(valueOf(s, s.count - 1)),
                                     step: String(s.step), value: String(valueOf(s, index[i])) });
    const slope = element("span", { class: "tg-slope" });
    control.append(label, input, slope);
    const plot = element("div", { class: "tg-along" });
    row.append(control, plot);
    input.addEventListener("input", () => {
      index[i] = fromPoint(sliders.map((t, j) => (j === i ? parseFloat(input.value) : valueOf(t, index[j]))))[i];
      moved();
    });
    return { input, slope, plot };
  });

  const readout = element("div", { class: "tg-readout" });
  const value = element("span", { class: "tg-value" });
  readout.append(value);
  root.append(...rows.map((r) => r.input.closest(".tg-row")), readout);

  // ---- the contour, for two sliders ----
  const contour = d === 2 && grid ? element("div", { class: "tg-contour" }) : null;
  let contourView = null;
  if (contour) {
    root.appendChild(contour);
    const legend = element("div", { class: "tg-legend" });
    legend.append(element("span", { style: `color: ${COLOURS.gradient}` },
                          `→ ${say(words["explorer.gradient"], { out })}`),
                  element("span", { style: `color: ${COLOURS.descent}` },
                          `⇢ ${say(words["explorer.descent"], { out })}`));
    root.appendChild(legend);
    contourView = drawContour(contour);
  }

  // ---- descent steps ----
  const bar = element("div", { class: "tg-descent-bar" });
  const stepButton = element("button", { "data-action": "step" }, words["explorer.step"]);
  const rateId = `tg-explorer-${me}-rate`;
  const rateLabel = element("label", { for: rateId }, words["explorer.rate"]);
  const rate = element("input", { type: "range", id: rateId, "data-lr": "", "data-lm-suppress-shortcuts": "",
                                  min: "0.01", max: "2",
                                  step: "0.01", value: "0.3" });
  const rateShown = element("output", { for: rateId }, "0.3");
  const clear = element("button", { "data-action": "clear" }, words["explorer.clear"]);
  const status = element("span", { class: "tg-status", role: "status", "aria-live": "polite" });
  bar.append(stepButton, rateLabel, rate, rateShown, clear, status);
  root.appendChild(bar);
  rate.setAttribute("aria-valuetext", rate.value);
  rate.addEventListener("input", () => {
    rateShown.textContent = rate.value;
    rate.setAttribute("aria-valuetext", rate.value);
  });

  const notes = element("div", {});
  notes.append(element("p", { class: "tg-note" }, grid
    ? say(words["explorer.grid"], { points: data.points })
    : say(words["explorer.kernel"], { points: data.points })),
  element("p", { class: "tg-note" }, words["explorer.snap"]));
  const noKernel = element("p", { class: "tg-note tg-no-kernel tg-error" }, words["no kernel"]);
  noKernel.hidden = true;
  notes.appendChild(noKernel);
  root.appendChild(notes);

  stepButton.addEventListener("click", () => {
    const at = here();
    if (!at || !at.grads.every(Number.isFinite)) return;
    const lr = parseFloat(rate.value);
    if (!trail.length) trail.push(index.slice());
    // x − rate·∇f, then the nearest grid point: every number shown was computed there
    index = fromPoint(sliders.map((s, i) => valueOf(s, index[i]) - lr * at.grads[i]));
    trail.push(index.slice());
    moved();
  });
  clear.addEventListener("click", () => { trail = []; show(); });

  // ---- the graph, drawn once ----
  if (data.svg || data.dot) {
    root.appendChild(element("p", { class: "tg-note" }, words["explorer.graph"]));
    const host = element("div", { class: "tg-picture" });
    root.appendChild(host);
    picture(host, data, model, words)
      .then((view) => root.insertBefore(view.bar, host))
      .catch((error) => host.appendChild(element("div", { class: "tg-error" },
                                                 String((error && error.message) || error))));
  }

  // ---- drawing ----
  function drawAlong(i, at) {
    const s = sliders[i];
    const [xs, ys] = curve(i);
    const x0 = valueOf(s, index[i]);
    const [ylo, yhi] = padded(...finiteRange(ys));
    const name = s.name;
    const slopeText = at ? `∂${out}/∂${name} = ${fmt(at.grads[i])}` : "";
    const label = say(words["explorer.along"], { out, name }) +
      (at ? `; ${say(words["explorer.slope"], { out, name, slope: fmt(at.grads[i]) })}` : "");
    const p = plotFrame(250, 140, [xs[0] ?? s.start, xs[xs.length - 1] ?? valueOf(s, s.count - 1), ylo, yhi], label);
    p.text(p.frame.x + p.frame.w / 2, p.frame.y + p.frame.h + 26, "middle", name);
    let path = "";
    xs.forEach((x, k) => {
      if (!Number.isFinite(ys[k])) return;
      path += `${path && Number.isFinite(ys[k - 1]) ? "L" : "M"}${p.X(x).toFixed(2)} ${p.Y(ys[k]).toFixed(2)}`;
    });
    p.inside.appendChild(svgElement("path", { class: "tg-curve", d: path, fill: "none",
                                              stroke: COLOURS.curve, "stroke-width": "1.6" }));
    if (d === 1 && grid) for (const k of trail) {           // one slider: the trail is on this curve
      const y = grid.table[k[0] * 2];
      p.inside.appendChild(svgElement("circle", { class: "tg-trail", cx: p.X(valueOf(s, k[0])),
                                                  cy: p.Y(y), r: "3", fill: COLOURS.trail }));
    }
    if (at && Number.isFinite(at.value) && Number.isFinite(at.grads[i])) {
      const half = (xs[xs.length - 1] - xs[0]) * 0.3;        // the tangent spans 60% of the plot
      const [xa, xb] = [x0 - half, x0 + half];
      const g = at.grads[i];
      p.inside.appendChild(svgElement("line", {
        class: "tg-tangent", x1: p.X(xa), y1: p.Y(at.value + g * (xa - x0)), x2: p.X(xb),
        y2: p.Y(at.value + g * (xb - x0)), stroke: COLOURS.tangent, "stroke-width": "2" }));
      p.svg.appendChild(svgElement("circle", { class: "tg-point", cx: p.X(x0), cy: p.Y(at.value),
                                                  r: "4", fill: COLOURS.point }));
    }
    rows[i].plot.replaceChildren(p.svg);
    rows[i].slope.textContent = slopeText;
  }

  function drawContour(host) {
    const [sx, sy] = sliders;
    const xs = Array.from({ length: sx.count }, (_, k) => valueOf(sx, k));
    const ys = Array.from({ length: sy.count }, (_, k) => valueOf(sy, k));
    const values = Array.from({ length: sx.count * sy.count }, (_, k) => grid.table[k * 3]);
    // screen units the same along both axes, within reason: the arrow is then at right
    // angles to the level lines, as the gradient is
    const width = 320, ratio = (ys[ys.length - 1] - ys[0]) / (xs[xs.length - 1] - xs[0]);
    const height = Math.round(Math.min(420, Math.max(180, (width - 56) * ratio + 38)));
    const p = plotFrame(width, height, [xs[0], xs[xs.length - 1], ys[0], ys[ys.length - 1]],
                        say(words["explorer.contour"], { out, x: sx.name, y: sy.name }));
    p.text(p.frame.x + p.frame.w / 2, p.frame.y + p.frame.h + 26, "middle", sx.name);
    p.text(p.frame.x - 6, p.frame.y + p.frame.h / 2, "end", sy.name);
    // levels at quantiles of the values: a loss's steep walls do not take every line
    const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
    const levels = [];
    for (let q = 1; q < 12; q++) levels.push(sorted[Math.floor((q / 12) * (sorted.length - 1))]);
    for (const dpath of levelPaths(values, sx.count, sy.count, p.X, p.Y, xs, ys, [...new Set(levels)]))
      p.inside.appendChild(svgElement("path", { class: "tg-level", d: dpath, fill: "none",
                                                stroke: COLOURS.level, "stroke-width": "0.8" }));
    arrowHead(p.svg, `tg-arrow-g-${me}`, COLOURS.gradient);
    arrowHead(p.svg, `tg-arrow-d-${me}`, COLOURS.descent);
    const trailLine = svgElement("polyline", { class: "tg-trail", fill: "none", stroke: COLOURS.trail,
                                               "stroke-width": "1.5" });
    const trailDots = svgElement("g", { class: "tg-trail-points", fill: COLOURS.trail });
    const gradient = svgElement("line", { class: "tg-gradient", stroke: COLOURS.gradient,
                                          "stroke-width": "2", "marker-end": `url(#tg-arrow-g-${me})` });
    const descent = svgElement("line", { class: "tg-descent", stroke: COLOURS.descent, "stroke-width": "2",
                                         "stroke-dasharray": "5 3", "marker-end": `url(#tg-arrow-d-${me})` });
    const dot = svgElement("circle", { class: "tg-point", r: "4.5", fill: COLOURS.point });
    p.inside.append(trailLine, trailDots, gradient, descent, dot);
    host.appendChild(p.svg);
    return { p, trailLine, trailDots, gradient, descent, dot };
  }

  function showContour(at) {
    const { p, trailLine, trailDots, gradient, descent, dot } = contourView;
    const [sx, sy] = sliders;
    const cx = p.X(valueOf(sx, index[0])), cy = p.Y(valueOf(sy, index[1]));
    dot.setAttribute("cx", cx);
    dot.setAttribute("cy", cy);
    const points = trail.map((k) => `${p.X(valueOf(sx, k[0])).toFixed(1)},${p.Y(valueOf(sy, k[1])).toFixed(1)}`);
    trailLine.setAttribute("points", points.join(" "));
    trailDots.replaceChildren(...points.map((xy) => {
      const [x, y] = xy.split(",");
      return svgElement("circle", { cx: x, cy: y, r: "2.5" });
    }));
    // the gradient vector in data units, drawn on the plot's scales, 50 px long
    const gx = p.X(valueOf(sx, index[0]) + at.grads[0]) - cx;
    const gy = p.Y(valueOf(sy, index[1]) + at.grads[1]) - cy;
    const norm = Math.hypot(gx, gy);
    for (const [line, sign] of [[gradient, 1], [descent, -1]]) {
      line.setAttribute("visibility", norm > 0 && Number.isFinite(norm) ? "visible" : "hidden");
      const scale = norm > 0 ? (50 / norm) * sign : 0;
      line.setAttribute("x1", cx);
      line.setAttribute("y1", cy);
      line.setAttribute("x2", cx + gx * scale);
      line.setAttribute("y2", cy + gy * scale);
    }
    p.svg.setAttribute("aria-label", `${say(words["explorer.contour"], { out, x: sx.name, y: sy.name })}; ` +
      say(words["explorer.point"], { x: fmt(valueOf(sx, index[0])), y: fmt(valueOf(sy, index[1])),
                                     out, value: fmt(at.value) }));
  }

  function show() {
    const at = here();
    sliders.forEach((s, i) => {
      const x = valueOf(s, index[i]);
      rows[i].input.value = String(x);
      rows[i].input.setAttribute("aria-valuetext", at
        ? `${s.name} = ${fmt(x)}; ${out} = ${fmt(at.value)}; ∂${out}/∂${s.name} = ${fmt(at.grads[i])}`
        : `${s.name} = ${fmt(x)}`);
      drawAlong(i, at);
    });
    value.textContent = at ? `${out} = ${fmt(at.value)}` : "";
    if (contourView && at) showContour(at);
    status.textContent = trail.length > 1
      ? `${say(words["explorer.trail"], { count: trail.length - 1 })}; ${value.textContent}` : "";
  }

  // ---- the kernel: told of every move; without a grid, it answers with the curves ----
  let waiting = null;
  function moved() {
    const point = sliders.map((s, i) => valueOf(s, index[i]));
    if (model.set) {
      model.set("point", point);
      model.save_changes();
    }
    if (!grid) {
      clearTimeout(waiting);
      if (!model.set) noKernel.hidden = false;
      else waiting = setTimeout(() => { noKernel.hidden = false; }, 4000);
    }
    show();
  }
  if (model.on) {
    model.on("change:answer", () => {
      answer = model.get("answer");
      clearTimeout(waiting);
      noKernel.hidden = true;
      show();
    });
    model.on("change:point", () => {      // Python moved a slider (explorer.set)
      const point = model.get("point");
      if (point && point.length === d) {
        index = fromPoint(point);
        show();
      }
    });
  }
  show();
  return { stop: () => clearTimeout(waiting) };
}

KINDS.explorer = explorer;
