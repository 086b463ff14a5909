"""Every word a student reads in a Ukrainian notebook is Ukrainian.

The scan reads each lectures/uk/*.ipynb as a student sees it: the Markdown (outside code
spans, math, link targets and HTML tags), and every stored output: stream text, errors,
text/plain, HTML (its text and its title/alt/aria-label attributes), SVG text, and the
widgets' stored state (their descriptions, values and data). In all of it, a Latin-script
word (two letters or more) must be one of:

- an identifier of the notebook's code (a name in a code cell, not a string in it) or of
  tracegrad's API (its modules' public names and their parameters, the primitives), or any
  word with a digit or an underscore (v1, a_2, cluster_0: names a graph gives its values);
- a tool's name or its own syntax (TOOLS below);
- a word of the glossary's English column (or its notation column: JVP, AOT) or of the
  literature list, both read from lecture 00 (the sections «Словничок» and «Література»);
- mathematical notation made of Latin letters (NOTATION below).

Anything else is English a Ukrainian student reads, unless KNOWN lists it: English that
comes from code other engineers own, each entry with its origin, to be emptied. This file
is the one place the allow-list is defined.
"""
import html
import inspect
import io
import json
import keyword
import re
import sys
import tokenize
from functools import cache

import pytest

import tracegrad as tg
from tests.lecture_sources import LECTURES

# tools, by name, and the words of their own syntax or output that a lecture shows as is
TOOLS = {
    "numpy", "jax", "jaxpr", "jaxprs", "pytorch", "torch", "tensorflow", "tf", "eager", "python",
    "jupyter", "jupyterlab", "jupyterlite", "colab", "binder", "graphviz", "matplotlib",
    "nbgrader", "nbval", "micrograd", "autograd", "scipy", "sympy", "ipywidgets", "anywidget",
    "github", "mathjax", "autodidax", "tracegrad", "pip", "svg", "png", "pdf", "html", "ipynb",
    "cuda", "gpu", "cpu", "xla", "api", "ieee", "utf", "lapack",
    # the text form of a graph (tracegrad's listing, after JAX's jaxpr):
    # { lambda x:f64[] . let … in ( f ) }
    "lambda", "let", "in", "f64", "f32", "i64", "bool",
    # NumPy's dtypes and special values as NumPy prints them
    "float64", "float32", "float16", "int64", "int32", "nan", "inf", "dtype", "array",
}

# mathematical notation that is made of Latin letters: names of derivatives (dx, da3: the
# adjoints of jit's generated backward pass), Hermite's Heₙ, products of matrices written
# with single letters (AP, PPᵀ, UUᵀ), JAX's copyltu (a matrix with M's lower triangle
# mirrored, in the QR rule's formula), and key caps (ctrl)
NOTATION = re.compile(r"d[a-z]\d*|He|wx|AP|PA|PP|UU|VV|copyltu|ctrl")

# English still shown in the uk notebooks, from code that cannot yet say it otherwise:
# (word, origin). Empty: every word a student reads is Ukrainian, or code.
KNOWN = {}

# code inside a caption or a table's text: a keyword argument (mode='complete'), a string
# in straight quotes ('ij,jk->ik': Ukrainian prose quotes with «», so '…' is code), and a
# dotted name (tnp.where, np.linalg.qr)
CODE_IN_TEXT = re.compile(r"\w+=(['\"])[^'\"\s]*\1|'[^'\s]+'|"
                          r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
# tools' plain-text stand-ins for a picture (matplotlib's <Figure size … with 2 Axes>,
# IPython's <IPython.core.display.SVG object>): a tool's repr, shown only without the picture
FIGURE_REPR = re.compile(
    r"<(?:Figure size \d+x\d+ with \d+ Axes|[\w.]+ object(?: at 0x[0-9a-f]+)?)>")
LATIN_WORD = re.compile(r"(?<![\w])[A-Za-z][A-Za-z0-9_]*(?:['’][A-Za-z]+)?")
MARKDOWN_NOT_PROSE = re.compile(
    r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|\]\([^)]*\)|<!--.*?-->|https?://\S+",
    re.DOTALL)
TAG = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->|<[^>]*>", re.DOTALL | re.IGNORECASE)
SHOWN_ATTRIBUTE = re.compile(r"""\b(?:title|alt|aria-label)\s*=\s*(["'])(.*?)\1""", re.DOTALL)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# a message's stable code, ``[TG-zero-gradient]``: the same in every language, to search for
MESSAGE_CODE = re.compile(r"\[TG-[\w-]+\]")
# in a widget's data: a words template's field, ``{total}``, which the page fills in; and
# numbers sent as base64 (the explorer's grid), which the page decodes and never shows
TEMPLATE_FIELD = re.compile(r"\{\w+(?::[^}]*)?\}")
BASE64 = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
WIDGET_TEXT = ("description", "value", "placeholder", "tooltip", "_options_labels", "data")


def visible(markup):
    """The text of HTML or SVG as it is read: tag-free, plus tooltips and alt texts."""
    shown = " ".join(m[2] for m in SHOWN_ATTRIBUTE.finditer(markup))
    return html.unescape(TAG.sub(" ", markup) + " " + shown)


def markdown_prose(text):
    return visible(MARKDOWN_NOT_PROSE.sub(" ", text))


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def shown_texts(nb):
    """(where, text) for everything a student reads in a notebook."""
    for i, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            yield f"cell {i} (Markdown)", markdown_prose(source)
            continue
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                yield f"cell {i} ({out.get('name')})", FIGURE_REPR.sub(" ", "".join(out["text"]))
            elif kind == "error":
                yield f"cell {i} (error)", ANSI.sub("", " ".join(
                    [out.get("ename", ""), out.get("evalue", "")] + out.get("traceback", [])))
            for mime, value in out.get("data", {}).items():
                text = "".join(value) if isinstance(value, list) else value
                if mime == "text/plain":
                    yield f"cell {i} (text/plain)", FIGURE_REPR.sub(" ", text)
                elif mime in ("text/html", "image/svg+xml", "text/markdown"):
                    yield f"cell {i} ({mime})", visible(text)
    state = nb.get("metadata", {}).get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for model in state.values():
        for name in WIDGET_TEXT:
            for text in strings_in(model.get("state", {}).get(name)):
                # one lowercase token in a widget's data is a key or a mode ("uk", "watch"),
                # which the widget's code reads, not a word it shows
                if name == "data" and re.fullmatch(r"[a-z_]+", text):
                    continue
                if name == "data":
                    text = TEMPLATE_FIELD.sub(" ", BASE64.sub(" ", text))
                yield f"widget {model['model_name']}.{name}", visible(text)


def code_identifiers(code):
    """The names in a code cell (not its strings, not its comments)."""
    lines = [line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))]
    names = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if token.type == tokenize.NAME:
                names.add(token.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return names


@cache
def api_identifiers():
    """tracegrad's public names (tg.lax: the primitives; tnp: NumPy's), the parameters of
    tnp and tg.lax (axes, keepdims, UPLO), Python's keywords and classes (float, list,
    TypeError); not its other builtins (input, round, all), which are English words."""
    import builtins

    import tracegrad.numpy as tnp
    names = set(keyword.kwlist)
    names |= {n for n in dir(builtins) if isinstance(getattr(builtins, n), type)}
    import tracegrad.core
    import tracegrad.custom
    import tracegrad.jit
    for module in (tg, tg.lax, tnp, tnp.linalg, tg.nn, tg.random, tg.checks, tg.widgets,
                   tracegrad.core, tracegrad.custom, tracegrad.jit):
        names |= {name for name in dir(module) if not name.startswith("_")}
    # the names jit's generated code uses (RETRACE) and cache_info()'s fields
    import tracegrad.jit.lowering
    names |= {repr(sys.modules["tracegrad.jit.lowering"].RETRACE)}
    names |= {"CacheInfo"} | set(tg.jit(lambda x: x).cache_info()._fields)
    for module in (tg, tg.lax, tnp, tnp.linalg):
        for name in dir(module):
            try:
                names |= set(inspect.signature(getattr(module, name)).parameters)
            except (TypeError, ValueError):
                pass
    return names


def section(text, heading):
    """The Markdown of lecture 00's section ``heading`` (up to the next heading or cell)."""
    match = re.search(rf"^## {heading}\n(.*?)(?=^##? |^%%|\Z)", text, re.DOTALL | re.MULTILINE)
    assert match, f"lecture 00 has no section '## {heading}'"
    return match[1]


@cache
def glossary_and_literature():
    text = (LECTURES / "src" / "00_start.txt").read_text(encoding="utf-8")
    glossary = section(text, "Словничок")
    english = " ".join(" ".join(row.split("|")[2:4]) for row in glossary.splitlines()
                       if row.startswith("|") and row.count("|") >= 4)
    literature = section(text, "Література")
    return {w.lower() for w in LATIN_WORD.findall(english + " " + literature)}


def english_words(nb):
    """{word: [where, ...]} of the Latin-script words the scan does not allow."""
    allowed = {w.lower() for w in api_identifiers() | TOOLS | glossary_and_literature()}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            allowed |= {w.lower() for w in code_identifiers("".join(cell["source"]))}
    known = {word.lower() for word in KNOWN}
    found = {}
    for where, text in shown_texts(nb):
        for word in LATIN_WORD.findall(CODE_IN_TEXT.sub(" ", MESSAGE_CODE.sub(" ", text))):
            # one letter is a symbol; a digit or an underscore makes a word a name (v1, n0,
            # a_2, x_k: the names a graph, a listing or the code gives values), never prose
            lower = word.lower()
            if len(word) < 2 or lower in allowed or lower in known or NOTATION.fullmatch(word) \
                    or re.search(r"[\d_]", word):
                continue
            found.setdefault(word, []).append(where)
    return found


UK_NOTEBOOKS = sorted((LECTURES / "uk").glob("*.ipynb"))


@pytest.mark.parametrize("path", UK_NOTEBOOKS, ids=lambda p: p.stem)
def test_a_ukrainian_notebook_shows_no_english(path):
    found = english_words(json.loads(path.read_text(encoding="utf-8")))
    report = "; ".join(f"{word} ({', '.join(sorted(set(where))[:3])})"
                       for word, where in sorted(found.items()))
    assert not found, f"English in uk/{path.name}: {len(found)} words: {report}"


def test_the_scan_finds_a_planted_english_caption():
    # a caption in an SVG, a printed label and a widget's description: all three are found
    nb = json.loads(UK_NOTEBOOKS[0].read_text(encoding="utf-8"))
    assert not english_words(nb), "the notebook itself must be clean for this test"
    planted = json.loads(json.dumps(nb))
    code = next(c for c in planted["cells"] if c["cell_type"] == "code")
    code["outputs"].append({"output_type": "display_data", "metadata": {}, "data": {
        "image/svg+xml": '<svg><g><text x="1" y="2">clipped to one</text></g></svg>',
        "text/plain": "<IPython.core.display.SVG object>"}})
    code["outputs"].append({"output_type": "stream", "name": "stdout", "text": "at zero, fixed\n"})
    found = english_words(planted)
    assert {"clipped", "one", "zero", "fixed"} <= set(found), found
    # and a word the notebook's code names is allowed, in prose too
    assert "check_grads" not in english_words(planted)


def test_the_allow_list_reads_the_glossary_and_the_literature():
    words = glossary_and_literature()
    assert {"backpropagation", "cotangent", "kink"} <= words          # the English column
    assert {"evaluating", "derivatives", "griewank"} <= words          # a title, an author
    assert "вхід" not in words and "clipped" not in words
