"""Every word tracegrad shows a student, in each language: one table per language.

Graph captions, listings, the stepper and the explorer, check messages and
plot labels all look their words up here, so a Ukrainian notebook never shows
an English caption and a new language is one more table.

    >>> from tracegrad.words import words
    >>> words("uk")["next"]
    'далі ▶'

Which language: the one passed (``language="uk"``), else ``$TRACEGRAD_LANG``,
else Ukrainian when the notebook runs in a folder named ``uk`` (where the
Ukrainian lectures live), else English.

Keys are grouped by the part of tracegrad that shows them; a key missing from
one language is a bug, and a test says so.
"""
from __future__ import annotations

import os

__all__ = ["LANGUAGES", "words", "language"]

EN = {
    # -- steps: the chain-rule line of one step (drawing/steps.py) ----------------
    "input": "an input",
    "input tangent": "the input's tangent",
    "start": "the backward pass starts at the output",
    "arrays": "arrays: each factor is applied as a vector-Jacobian product",
    # -- widgets: the stepper and the explorer --------------------------------------
    "step": "step",
    "play": "Play",
    "pause": "Pause",
    "zoom": "zoom (or ctrl + wheel); drag to pan",
    "no kernel": ("No kernel is connected: the sliders need one to re-run the function. "
                  "Run the cell again in a running notebook."),
    "no picture": ("No picture here: install Graphviz (apt-get install graphviz, brew install "
                   "graphviz, conda install -c conda-forge graphviz or winget install "
                   "graphviz), or open this in Jupyter after pip install 'tracegrad[lab]' "
                   "to draw it in the browser."),
    "of": "of",
    "previous": "◀ previous",
    "next": "next ▶",
    "reverse": "the backward pass starts at the output",
    "forward": "the forward pass computes each value in order",
    "tangent": "forward mode pushes tangents in order",
    # -- graphs: captions, clusters and notes (drawing/) -----------------------------
    "backward pass": "backward pass",
    "loop pass": "{name}: loop pass {number}",
    "graph tangent": "tangent",
    "operations": "{count} operations",
    "last": "last: {name} = {value}",
    "collapsed note": "{count} operations: clusters collapsed to stay under max_nodes={max_nodes}",
    "cut note": "{count} operations: the first {first} and the last {last} are drawn "
                "(pass max_nodes= to draw more)",
    "not drawn": "⋯ {count} operations not drawn ⋯",
    "paths from": "Paths from {start} to {out}: {count}",
    "stopped counting": " (stopped counting)",
    "path": "path",
    "more paths": "… and {count} more paths, counted in the sum",
    "sum over paths": "sum over paths = {sum};  backward pass: {symbol} = {grad}",
    "paths of arrays": "the factors are Jacobians of arrays, applied as vector-Jacobian "
                       "products, so a path has no single number; the backward pass sums "
                       "the paths: {symbol} = {grad}",
    "more lines": "{count} more lines: print(graph) shows all",
    # -- checks: check_grads and the primitives table --------------------------------
}

UK = {
    # -- steps ------------------------------------------------------------------------
    "input": "вхід",
    "input tangent": "дотичний вектор входу",
    "start": "зворотний прохід починається з виходу",
    "arrays": "масиви: кожен множник застосовується як добуток вектора на якобіан",
    # -- widgets ----------------------------------------------------------------------
    "step": "крок",
    "play": "Відтворити",
    "pause": "Пауза",
    "zoom": "масштаб (або ctrl + коліщатко); тягніть, щоб зсунути",
    "no kernel": ("Ядро не під'єднане: повзункам воно потрібне, щоб знову виконати функцію. "
                  "Виконайте комірку ще раз у запущеному зошиті."),
    "no picture": ("Тут немає рисунка: встановіть Graphviz (apt-get install graphviz, brew "
                   "install graphviz, conda install -c conda-forge graphviz або winget install "
                   "graphviz) або відкрийте це в Jupyter після pip install 'tracegrad[lab]', "
                   "щоб рисунок малював браузер."),
    "of": "з",
    "previous": "◀ назад",
    "next": "далі ▶",
    "reverse": "зворотний прохід починається з виходу",
    "forward": "прямий прохід обчислює значення по черзі",
    "tangent": "прямий режим передає дотичні по черзі",
    # -- graphs -----------------------------------------------------------------------
    "backward pass": "зворотний прохід",
    "loop pass": "{name}: прохід циклу {number}",
    "graph tangent": "дотичний вектор",
    "operations": "операцій: {count}",
    "last": "останнє: {name} = {value}",
    "collapsed note": "операцій: {count}; кластери згорнуто, щоб не перевищити "
                      "max_nodes={max_nodes}",
    "cut note": "операцій: {count}; показано перші {first} і останні {last} "
                "(щоб показати більше, передайте max_nodes=)",
    "not drawn": "⋯ не показано операцій: {count} ⋯",
    "paths from": "Шляхи від {start} до {out}: {count}",
    "stopped counting": " (лічбу зупинено)",
    "path": "шлях",
    "more paths": "… і ще шляхів: {count}, їх враховано в сумі",
    "sum over paths": "сума за шляхами = {sum};  зворотний прохід: {symbol} = {grad}",
    "paths of arrays": "множники — якобіани масивів, їх застосовують як добутки вектора "
                       "на якобіан, тож шлях не має одного числа; зворотний прохід "
                       "підсумовує шляхи: {symbol} = {grad}",
    "more lines": "ще рядків: {count}; print(graph) покаже всі",
    # -- checks -----------------------------------------------------------------------
}

LANGUAGES = {"en": EN, "uk": UK}


def language(name=None):
    """``"en"`` or ``"uk"``: as given, else $TRACEGRAD_LANG, else Ukrainian in a
    folder named ``uk`` (where the Ukrainian lectures live), else English."""
    name = name or os.environ.get("TRACEGRAD_LANG") or (
        "uk" if os.path.basename(os.getcwd()) == "uk" else "en")
    if name not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, not {name!r}: "
                         f"pass language='en' or language='uk'.")
    return name


def words(name=None):
    """The words table of a language (see :func:`language` for the default)."""
    return LANGUAGES[language(name)]
