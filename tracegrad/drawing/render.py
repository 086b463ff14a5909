"""Running Graphviz's ``dot``, and what to do when it is not installed.

The Python ``graphviz`` package only writes DOT text; pictures need the
``dot`` program. We call it directly, with a time limit, so a huge graph
can never hang a notebook's kernel.
"""
from __future__ import annotations

import os
import shutil
import subprocess

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
    return shutil.which("dot") is not None


def run_dot(source, fmt="svg", timeout=60.0, output=None):
    """Lay out DOT ``source`` with ``dot`` and return bytes (or write ``output``)."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizNotFound(INSTALL_HINT)
    cmd = [exe, f"-T{fmt}"]
    if output is not None:
        cmd += ["-o", os.fspath(output)]
    try:
        done = subprocess.run(cmd, input=source.encode("utf-8"), capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise TracegradError(
            f"Graphviz took longer than {timeout:.0f} s to lay out this graph. Draw fewer "
            f"nodes: pass max_nodes= (e.g. 200) or collapse= with the names of functions "
            f"to fold into single boxes.") from None
    if done.returncode != 0:
        raise TracegradError("Graphviz failed: " + done.stderr.decode("utf-8", "replace").strip())
    return done.stdout
