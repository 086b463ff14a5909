"""The rooms of a picture: which user function, and which pass of its loops, made
each recorded operation (clusters), and which repeated loop passes are drawn once
(folds). Both read the ``source`` each Node was given while recording
(``capture.py``): ``(frames, phase)``, the user's calls and loop passes it ran in."""
from __future__ import annotations

import numpy as np

from ..core import concrete

__all__ = ["clusters", "folds", "MAX_PASSES", "FOLD_ABOVE"]

MAX_PASSES = 12                 # a loop with more passes is not boxed pass by pass
FOLD_ABOVE = 300                # a graph with more operations folds every repeated loop pass
_INDEXING = ("getitem", "index_add", "index_set", "take_along", "add_along")


def clusters(nodes, root, words):
    """``(clusters, paths)``: ``paths[node]`` is the tuple of rooms ``node`` sits in,
    outermost first; ``clusters[path]`` names each room (``id``, ``label``, ``name``).

    A room is a call of a user function other than ``root`` (the function drawn),
    one pass of a loop, or the backward pass (``words`` gives its caption).
    """
    passes = {}                              # (name, call, loop line) -> its passes
    for node in nodes:
        frames, _ = node.source or ((), "forward")
        for name, call, loops in frames:
            for line, number in loops:
                passes.setdefault((name, call, line), set()).add(number)
    # A loop's passes become clusters (one per layer, say), unless there are
    # so many that the clusters would only clutter the picture.
    looped = {k for k, numbers in passes.items() if 1 < len(numbers) <= MAX_PASSES}
    found, paths, siblings = {}, {}, {}
    for node in nodes:
        path = paths[node] = _path(node, root, looped)
        for i in range(1, len(path) + 1):
            key = path[:i]
            if key in found:
                continue
            last = key[-1]
            if last == ("backward",):
                label, name = words["backward pass"], "backward"
            elif len(last) == 4:                 # (name, call, loop line, pass)
                label = words["loop pass"].format(name=last[0], number=last[3])
                name = last[0]
            else:
                count = siblings.get((key[:-1], last[0]), 0) + 1
                siblings[(key[:-1], last[0])] = count
                label, name = last[0] + ("" if count == 1 else f" #{count}"), last[0]
            found[key] = {"id": str(len(found)), "label": label, "name": name}
    return found, paths


def _path(node, root, looped):
    if node.primitive is None:
        return ()
    frames, phase = node.source or ((), "forward")
    path = [("backward",)] if phase == "backward" else []
    for name, call, loops in frames:
        if call != root:
            path.append((name, call))
        for line, number in loops:
            if (name, call, line) in looped:
                path.append((name, call, line, number))
    return tuple(path)


def folds(nodes, outputs, operations, limit=FOLD_ABOVE, many=MAX_PASSES):
    """The loop passes a picture folds: ``[{"name", "line", "total", "drawn",
    "nodes", "ops"}]``, one entry per loop run whose passes repeat.

    A loop of 32 examples records the same operations 32 times; drawn once,
    with "× 32", the picture fits a page. Two passes are alike when they run
    the same primitives on the same shapes, wired the same way inside the
    pass. The first pass of each kind is drawn (``drawn``: its pass
    numbers), and the pass that computes one of the ``outputs``; the others
    (``nodes``, ``ops`` of them) are folded. A loop is folded when it has
    more than ``many`` passes (None: never for that reason), or when more
    than ``limit`` of the ``operations`` are left to draw (any loop then).
    Outer loops fold first: the passes of an inner loop are looked at only
    inside the outer pass that is drawn, so the layers of a network drawn
    once stay apart.
    """
    runs = _loop_runs(nodes)
    folded, found = set(), []
    for run in sorted(runs, key=len):                  # outer loops first
        passes = {k: [n for n in p if n not in folded] for k, p in runs[run].items()}
        passes = {k: p for k, p in passes.items() if p}
        big = operations - len(folded) > limit
        if len(passes) < 2 or not (big or many is not None and len(passes) > many):
            continue
        kinds = {}                                     # signature -> first pass
        drawn, hidden = [], []
        for number in sorted(passes):
            if outputs.intersection(passes[number]):    # the output is always drawn
                drawn.append(number)
                continue
            first = kinds.setdefault(_signature(passes[number]), number)
            if first == number:
                drawn.append(number)
            else:
                hidden.extend(passes[number])
        if not hidden:
            continue
        folded.update(hidden)
        name, _, _, line = run[-1]
        found.append(dict(name=name, line=line, total=len(passes), drawn=drawn,
                          nodes=sorted(hidden, key=lambda n: n.index), ops=len(hidden)))
    return found


def _loop_runs(nodes):
    """{loop run: {pass number: [nodes]}}: a run is one execution of a loop, named by
    the phase and the loops and calls around it."""
    runs = {}
    for node in nodes:
        if node.primitive is None:
            continue
        frames, phase = node.source or ((), "forward")
        where = (phase,)
        for name, call, loops in frames:
            for j, (line, number) in enumerate(loops):
                run = where + ((name, call, loops[:j], line),)
                runs.setdefault(run, {}).setdefault(number, []).append(node)
            where += ((name, call, loops),)
    return runs


def _signature(nodes):
    """What makes two loop passes alike: each operation's primitive, parameters,
    shape and dtype, and which earlier operation of the same pass each argument
    comes from (-1: from outside the pass, a constant or an input)."""
    place = {node: k for k, node in enumerate(nodes)}
    return tuple((node.primitive.name,
                  # x[i] with i = 0, 1, 2, ...: the same structure, another index
                  "" if node.primitive.name in _INDEXING else repr(sorted(node.params.items())),
                  np.shape(node.out), str(np.result_type(concrete(node.out))),
                  tuple(place.get(p, -1) for p in node.parents))
                 for node in nodes)
