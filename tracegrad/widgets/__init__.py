"""tracegrad.widgets: step through a pass node by node; move inputs with sliders.

    g = tg.graph(loss, argnums=(0, 1))(w, b)
    tg.widgets.trace(loss, w, b, argnums=(0, 1))  # the recording, line by line, then backward
    tg.widgets.stepper(g)                        # the backward pass, one node a step
    tg.widgets.explore(loss, w=(-2, 2), b=(-1, 1))

``player.py`` holds the trace player, ``stepper.py`` the stepper,
``explorer.py`` the explorer. Importing this package needs ipywidgets; the
engine never imports it.
"""
from .explorer import Explorer, explore
from .player import TracePlayer, trace
from .stepper import Stepper, stepper

__all__ = ["trace", "stepper", "explore", "TracePlayer", "Stepper", "Explorer"]
