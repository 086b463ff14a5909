"""Running Graphviz's ``dot``, and what to do when it is not installed.

The Python ``graphviz`` package runs the ``dot`` program for us (it only
writes DOT itself: pictures need ``dot`` installed). We wait for it with a
time limit, so a huge graph can never hang a notebook's kernel.
"""
from __future__ import annotations

import os
import shutil
import threading

from ..core import TracegradError

__all__ = ["GraphvizNotFound", "INSTALL_HINT", "run_dot", "have_dot"]

INSTALL_HINT = """\
Graphviz's `dot` program was not found, so the graph is shown as text.
Install Graphviz, then re-run the cell:
  Debian/Ubuntu:  sudo apt-get install graphviz
  macOS:          brew install graphviz
  conda:          conda install -c conda-forge graphviz
  Windows:        winget install graphviz  (or https://graphviz.org/download/),
                  then add its bin folder to PATH
(`pip install graphviz` alone is not enough: it only installs the Python wrapper.)"""


class GraphvizNotFound(TracegradError):
    """Graphviz's ``dot`` executable is missing."""


def have_dot():
    """Is Graphviz's ``dot`` on PATH?"""
    return shutil.which("dot") is not None


def run_dot(source, fmt="svg", timeout=60.0, output=None):
    """Lay out DOT ``source`` with ``dot`` and return bytes (or write ``output``)."""
    import graphviz

    if not have_dot():
        raise GraphvizNotFound(INSTALL_HINT)
    done = {}

    def work():                      # graphviz.pipe has no time limit: wait for it here
        try:
            done["out"] = graphviz.pipe("dot", fmt, source.encode("utf-8"), quiet=True)
        except BaseException as e:   # handed to the caller's thread below
            done["error"] = e
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():            # (the stray dot process finishes in the background)
        raise TracegradError(
            f"Graphviz took longer than {timeout:.0f} s to lay out this graph. Draw fewer "
            f"nodes: pass max_nodes= (e.g. 200) or collapse= with the names of functions "
            f"to fold into single boxes.")
    error = done.get("error")
    if isinstance(error, graphviz.ExecutableNotFound):
        raise GraphvizNotFound(INSTALL_HINT) from None
    if isinstance(error, graphviz.CalledProcessError):
        message = (error.stderr or b"").decode("utf-8", "replace").strip()
        raise TracegradError("Graphviz failed: " + message) from None
    if error is not None:
        raise error
    if output is None:
        return done["out"]
    with open(os.fspath(output), "wb") as f:
        f.write(done["out"])
    return b""
