"""The trace player: watch a function being recorded, line by line, then differentiated.

    tg.widgets.trace(loss, w, b)             # records loss(w, b) and plays the recording

Two panes: the function's source (and the source of each function of the
user's it calls, shown when it is entered) and the graph. Step k of the
forward part highlights the line that ran and shows the graph as recorded so
far: the new node ringed, with its value, and every later node hidden; a
loop says which pass is running. The steps then go on into the backward pass
exactly as :mod:`.stepper` walks it, each gradient appearing with its
chain-rule line. Clicking a node highlights the line that recorded it;
choosing a line rings the nodes it recorded.

As in the stepper, Python computes everything once, from the record that
``tg.graph`` made (the line of each node comes from
:func:`tracegrad.drawing.capture.running_lines`), and lays the whole graph out
once, so nodes do not jump as it grows. Stepping runs in the page
(``static/player.js``): after the kernel stops, in an HTML export and on the
static site.

Hooks for tests and pages: the root has class ``tracegrad-trace``; the buttons
carry ``data-action="play|prev|next"``; the slider is an
``<input type="range">``; the current source line has class
``tg-current-line``, and each line that has run so far ``tg-ran-line``;
nodes not recorded yet have class ``tg-unrecorded`` (hidden); the current
node's SVG group has class ``tg-current``.
"""
from __future__ import annotations

import bisect
import inspect
import re
import textwrap

from ..core import TracegradError
from ..drawing import dot as dot_module
from ..drawing import text
from ..drawing.graph import Graph, graph
from ..drawing.steps import explain
from ..words import language as language_of
from ..words import message
from ..words import words as words_of
from .frontend import Stepping, player_script, text_alternative
from .stepper import _use_dot, math_html

__all__ = ["trace", "TracePlayer", "source_block"]

# The words player.js shows or speaks, besides the stepper's (frontend.FRONT_END_WORDS).
PLAYER_WORDS = ("previous", "next", "trace.player", "trace.source", "trace.phase forward",
                "trace.phase backward", "trace.line", "trace.pass", "trace.made on",
                "trace.line made", "trace.line none")


def trace(f, *args, argnums=0, interval=700, language=None, **options):
    """Record ``f(*args)`` and play the recording: a :class:`TracePlayer`.

    ``argnums`` (as in :func:`tracegrad.graph`): the arguments differentiated;
    with a scalar output the steps go on into the backward pass. ``interval``:
    milliseconds between steps when playing. ``language``: "en" or "uk".
    Other keywords are the graph's options (``rankdir``, ``digits``, ``fold``...).
    """
    if isinstance(f, Graph):
        raise TracegradError(message("err.trace-graph"))
    if not callable(f):
        raise TracegradError(message("err.trace-function", type=type(f).__name__))
    language = language_of(language)
    recorded = graph(f, argnums=argnums, language=language, **options)(*args)
    return TracePlayer(recorded, interval, language)


def source_block(code):
    """``(first line number, [lines])`` of a function's source, dedented; the lines
    are None when Python cannot read it (code typed at a bare ``python -c``)."""
    try:
        lines, start = inspect.getsourcelines(code)
    except (OSError, TypeError):
        return code.co_firstlineno, None
    return max(start, 1), textwrap.dedent("".join(lines)).splitlines()


class TracePlayer(Stepping):
    """Play, previous/next and a slider over the recording and the backward pass.

    ``order``: the nodes of the steps, the forward part (``forward`` of them,
    in the order they were recorded) then the backward pass; ``lines[k]`` the
    line under the controls at step k; ``at[k]`` the source lines running
    at step k, as ``[block, line number]``, outermost first (the last is the
    current line); ``blocks`` the functions shown, the traced one first, each
    with ``ran``: per line, the step by which it has run (None: it never ran).
    """

    _esm = player_script()

    def __init__(self, graph, interval=700, language=None):
        super().__init__()
        self.graph = graph
        self.language = language = language_of(language)
        words = words_of(language)
        running = graph._recorder.lines             # node -> ((code, line), ...)
        forward = [n for n in graph.nodes if n.primitive is not None]
        backward = [n for n, _ in graph.steps]
        self.forward = len(forward)
        self.order = forward + backward
        recorded_at = {n: s for s, n in enumerate(forward, 1)}     # inputs: step 0

        # the source blocks: each user function that recorded a node, as first entered
        codes, block_of = [], {}
        for node in forward:
            for code, _ in running.get(node, ()):
                if code not in block_of:
                    block_of[code] = len(codes)
                    codes.append((code, recorded_at[node]))
        self.blocks = []
        for code, appear in codes:
            start, lines = source_block(code)
            self.blocks.append(dict(name=code.co_name, start=start, lines=lines,
                                    ran=[None] * len(lines or ()),
                                    appear=0 if not self.blocks else appear,
                                    note="" if lines is not None else
                                    words["trace.no source"].format(name=code.co_name)))

        # the step by which each line has run (the lines between two operations too:
        # an ``if``, a loop's header); a line of a branch not taken never runs
        positions = [n.index for n in forward]
        for code, line, recorded in graph._recorder.ran:
            block = self.blocks[block_of[code]] if code in block_of else None
            if block is not None and block["lines"] is not None:
                step = min(bisect.bisect_left(positions, recorded) + 1, self.forward)
                i = line - block["start"]
                if 0 <= i < len(block["ran"]) and block["ran"][i] is None:
                    block["ran"][i] = step

        def where(node):
            found = [[block_of[code], line] for code, line in running.get(node, ())]
            if not found and node.primitive is None and self.blocks:
                found = [[0, self.blocks[0]["start"]]]       # an input: the def line
            return found
        self.at = [[]] + [where(n) for n in self.order]

        # the passes of the loops running at each step ("pass 2 of 3")
        totals = {}
        for node in forward:
            for _, _, run, number in _loop_runs(node):
                totals[run] = max(totals.get(run, 0), number)
        self.passes = [[]] + [
            [[block_of[running[node][depth][0]], run[-1], number, totals[run], name]
             for depth, name, run, number in _loop_runs(node)
             if node in running and depth < len(running[node])]
            for node in self.order]

        # what each step says: the inputs, then each recorded value, then the chain rule
        inputs = ", ".join(f"{graph.names[n]} = {text.fmt(graph.value(n), graph.options['digits'])}"
                           for n in graph.inputs)
        start = (words["trace.start"].format(inputs=inputs) if inputs
                 else words["trace.no inputs"])
        self.texts = ([start] + [explain(graph, n, "forward", language) for n in forward]
                      + [explain(graph, n, "reverse", language) for n in backward])

        # the picture, laid out once with every value and gradient in place
        show = ("value", "grad") if backward else ("value",)
        picture = graph.with_options(show=show)
        colours = dot_module.THEMES[graph.options["theme"]]
        self._svg = picture.svg() if _use_dot(graph) else None
        dot_text = picture.to_dot()
        drawn = dot_module.drawn_ids(picture)
        self.ring = [drawn[n] for n in self.order]
        appear = {}                                 # SVG title -> the step it appears at
        for node in graph.nodes:
            step = recorded_at.get(node, 0)
            appear[drawn[node]] = min(step, appear.get(drawn[node], step))
            if drawn[node] == f"n{node.index}":     # drawn on its own: in its clusters
                for k in range(1, len(graph.cluster_path(node)) + 1):
                    box = "cluster_" + graph.clusters()[graph.cluster_path(node)[:k]]["id"]
                    appear[box] = min(step, appear.get(box, step))
        for k in range(len(graph.constant_list())):     # a constant: with its first reader
            appear[f"k{k}"] = min(recorded_at.get(n, 0) for n in graph.constant_users(k))
        for src, dst in re.findall(r'^\s*"(\w+)" -> "(\w+)"', dot_text, re.M):
            appear[f"{src}->{dst}"] = max(appear.get(src, 0), appear.get(dst, 0))

        # linking: a line -> the boxes it recorded; a box -> its name and lines
        links, boxes = {}, {}
        for node in forward:
            box = drawn[node]
            for block, line in where(node):
                ids = links.setdefault(f"{block}:{line}", [])
                if box not in ids:
                    ids.append(box)
            if box not in boxes:
                boxes[box] = dict(name=graph.names[node], at=where(node)[-1:])
        for node in graph.inputs:
            boxes.setdefault(drawn[node], dict(name=graph.names[node], at=where(node)[-1:]))

        data = dict(
            kind="trace", svg=self._svg or "", dot="" if self._svg else dot_text,
            forward=self.forward, order=[f"n{n.index}" for n in backward], ring=self.ring,
            appear=appear, lines=[math_html(t) for t in self.texts], at=self.at,
            passes=self.passes, blocks=self.blocks, links=links, boxes=boxes,
            hidden=[colours["grad"]], highlight=colours["highlight"], interval=int(interval),
            **text_alternative(graph, language))
        data["words"] = {**data["words"], **{k: words[k] for k in PLAYER_WORDS}}
        name = self.blocks[0]["name"] if self.blocks else graph.output_name
        self._description = words["repr.trace"].format(name=name, ops=self.forward,
                                                       steps=len(self.order))
        self._set_data(data)

    def current_line(self, k=None):
        """``(function name, line number)`` highlighted at step ``k`` (default: this
        step), or None."""
        at = self.at[self.step if k is None else k]
        return (self.blocks[at[-1][0]]["name"], at[-1][1]) if at else None


def _loop_runs(node):
    """The loop passes running when ``node`` was recorded: ``(frame depth, function
    name, run, pass number)`` each, a run naming one run of one loop (its
    function's call, the passes of the loops around it, its line)."""
    frames, _ = node.source or ((), "forward")
    for depth, (name, call, loops) in enumerate(frames):
        for j, (line, number) in enumerate(loops):
            yield depth, name, (name, call, loops[:j], line), number
