"""The program: the record of one traced call, as equations over variables."""
from __future__ import annotations

__all__ = ["replay"]


def replay(nodes, inputs, new_values, outputs):
    """Run a recorded program again on new input values; return the outputs' values.

    ``nodes`` is a record in order (a reverse trace's, or a ``JitTrace``'s),
    ``inputs`` its input nodes, ``new_values`` one value for each, and
    ``outputs`` the nodes whose values to return. The Python code that made
    the record is not run again: an ``if`` keeps the branch it took when
    recorded, whatever the new values (``jit`` guards against exactly that;
    a replay does not). Each primitive goes through ``bind``, so a replay
    can itself be traced and differentiated. ``Graph.evaluate`` is this.
    """
    values = dict(zip(inputs, new_values))
    for node in nodes:
        if node.primitive is None:
            continue
        args = [values[p] if p is not None and p in values else a
                for p, a in zip(node.parents, node.args)]
        values[node] = node.primitive.bind(*args, **node.params)
    return [values[n] for n in outputs]
