"""Build the lecture notebooks, in Ukrainian and English, from one source each.

    python lectures/build.py                 # every lecture
    python lectures/build.py 04              # lectures whose name starts with 04
    python lectures/build.py --no-execute    # only write the cells

A lecture is one text file, ``lectures/src/NN_name.txt``, made of cells. A
line starting with ``%%`` opens a cell:

    %% uk          a Markdown cell in Ukrainian
    %% en          the same cell in English (each uk cell is followed by its en twin)
    %% code        a code cell, shared by both languages
    %% exercise    the code cell a student fills in (a placeholder); the next
                   code cell is its check, and lectures/solutions/NN_name.py
                   holds a reference solution and a wrong answer for it
                   (tests/test_exercises.py runs the check on both)

The solutions file ``lectures/solutions/NN_name.py`` is Python in blocks, each
opened by a comment line (``solutions()`` reads it):

    # %% exercise N    a reference solution of exercise N (the check prints ✓)
    # %% wrong N       a plausible wrong answer (the check prints ✗)
    # %% test N        optional hidden tests for the nbgrader assignment: each
                       top-level ``assert`` is one test (tools/build_assignments.py)

After a cell's kind, options (see OPTIONS below): ``%% code expect=nan`` (or inf,
warning) lets a cell show nan, inf or a warning, which the build otherwise refuses;
``%% uk slide=yes|no|skip|notes`` places a cell in the slides (tools/build_slides.py).
lectures/src/_template.txt is a short lecture to start from (it is not built), and
lectures/README.md ("Authoring a lecture") walks through writing one.

Inside a code cell, a comment line ``# uk: ...`` or ``# en: ...`` appears only
in that language's notebook (as ``# ...``); everything else is the same, so
both notebooks run the same code (``tests/test_lectures.py`` checks that).

A number the prose quotes from a computation is not typed in: the Markdown names
the value, ``{{digits}}`` or ``{{ratio:.1e}}`` (any expression of the notebook's
names, then optionally a colon and a format spec; ``.Np`` writes a power of ten,
``3.7·10⁻⁷``), and the build evaluates it in the kernel right where the cell
stands, after the code above it has run, and writes the value in, in both
languages (``fill``; the cell keeps the values in its metadata, ``values``).
What counts as a quoted number, which ``tests/test_lecture_claims.py`` checks, is
in ``quoted_numbers`` below.

The notebooks are executed here, with their outputs stored, so they open
with pictures in place and ``pytest --nbval`` can compare a fresh run with
them. Everything that runs must be deterministic: seed random numbers, and
print no timings, memory addresses or absolute paths.

Every word a student sees comes in the notebook's language: Markdown cells
have their twins, code comments their ``# uk:``/``# en:`` tags, and the words
that code prints or draws come from ``tracegrad.words`` (``T = words()``),
and so do its errors and warnings. The first code cell ends with
``tg.set_language("uk")`` (or ``"en"``; ``language_lines`` below), so a notebook
copied out of its folder keeps its language; the build also sets
``$TRACEGRAD_LANG`` for the kernel it runs.
"""
from __future__ import annotations

import argparse
import pathlib
import re
import sys

import nbformat

HERE = pathlib.Path(__file__).resolve().parent
LANGUAGES = ("uk", "en")
KINDS = ("uk", "en", "code", "exercise")
# Options after a code cell's kind, e.g. ``%% code expect=nan``: the build refuses a
# cell that writes to stderr (a warning) or prints nan or inf unless it is marked so.
#
# ``slide=`` places a cell in the slides (tools/build_slides.py): by default a # or ##
# heading starts a slide and everything else follows on the current one; ``slide=yes``
# starts one anyway, ``slide=no`` keeps a heading on the current slide, ``slide=skip``
# leaves the cell out, ``slide=notes`` makes it speaker notes. (A paragraph after a line
# ``<!-- notes -->`` in a Markdown cell is a speaker note too.)
OPTIONS = {"expect": {"nan", "inf", "warning"}, "slide": {"yes", "no", "skip", "notes"}}


def parse(path, with_options=False):
    """Return the cells of a source file: [(kind, text)], kind in uk/en/code/exercise;
    with ``with_options``, [(kind, text, options)] (see OPTIONS; "line" is where it starts)."""
    cells, kind, lines, options = [], None, [], {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("%%"):
            if kind is not None:
                cells.append((kind, "\n".join(lines).strip("\n"), options))
            kind, *words = line[2:].split() or [""]
            if kind not in KINDS:
                raise SystemExit(f"{path}:{number}: unknown cell kind {kind!r}; "
                                 f"use '%% uk', '%% en', '%% code' or '%% exercise'.")
            options = {"line": number, **cell_options(words, path, number)}
            lines = []
        elif kind is None:
            if line.strip():
                raise SystemExit(f"{path}:{number}: text before the first '%%' line.")
        else:
            lines.append(line)
    if kind is not None:
        cells.append((kind, "\n".join(lines).strip("\n"), options))
    return cells if with_options else [(k, t) for k, t, _ in cells]


def cell_options(words, path, number):
    """``expect=nan,warning`` after a cell's kind: {"expect": ["nan", "warning"]}."""
    options = {}
    for word in words:
        name, _, value = word.partition("=")
        values = value.split(",") if value else []
        if name not in OPTIONS or not values or not set(values) <= OPTIONS[name]:
            raise SystemExit(f"{path}:{number}: unknown option {word!r}; options are "
                             + ", ".join(f"{k}={'|'.join(sorted(v))}" for k, v in OPTIONS.items()))
        options[name] = values
    return options


def solutions(path):
    """{("exercise" | "wrong" | "test", N): code} from a solutions file."""
    blocks, key, lines = {}, None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"# %% (exercise|wrong|test) (\d+)\s*$", line)
        if match:
            if key:
                blocks[key] = "\n".join(lines)
            key, lines = (match[1], int(match[2])), []
        elif key:
            lines.append(line)
    if key:
        blocks[key] = "\n".join(lines)
    return blocks


def code_for(text, language):
    """The code cell as ``language`` sees it: its own comments kept, the other's dropped."""
    out = []
    for line in text.splitlines():
        stripped = line.lstrip()
        indent = line[:len(line) - len(stripped)]
        tagged = next((lang for lang in LANGUAGES if stripped.startswith(f"# {lang}:")), None)
        if tagged is None:
            out.append(line)
        elif tagged == language:
            out.append(indent + "# " + stripped[len(f"# {language}:"):].strip())
    return "\n".join(out)


def language_lines(language):
    """The lines that end a notebook's first code cell: its language, said to tracegrad,
    so that errors, warnings and tables speak it wherever the notebook is copied. The
    only code in which the two notebooks differ (tests/test_lectures.py allows it)."""
    why = {"uk": "# мова tracegrad (підписи, таблиці, помилки): українська, хоч куди "
                 "скопіюйте цей зошит",
           "en": "# tracegrad's language (captions, tables, errors): English, wherever this "
                 "notebook is copied"}[language]
    return f'{why}\nimport tracegrad as tg\ntg.set_language("{language}")'


def notebook(cells, language, path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    expected = None
    for kind, text, *options in cells:
        if kind in ("code", "exercise"):
            if expected is not None:
                raise SystemExit(f"{path}: a '%% {expected[0]}' cell has no "
                                 f"'%% {expected[1]}' twin.")
            code = code_for(text, language)
            if not any(c.cell_type == "code" for c in nb.cells):
                code = code.rstrip("\n") + "\n" + language_lines(language)
            cell = nbformat.v4.new_code_cell(code)
            tags = (["exercise"] if kind == "exercise" else []) + \
                [f"expect-{e}" for e in (options[0] if options else {}).get("expect", [])]
            if tags:
                cell.metadata["tags"] = tags
            nb.cells.append(cell)
        else:
            if expected is None:
                expected = (kind, "en" if kind == "uk" else "uk")
            elif kind == expected[1]:
                expected = None
            else:
                raise SystemExit(f"{path}: two '%% {kind}' cells in a row; each Markdown "
                                 f"cell needs its twin in the other language next to it.")
            if kind == language:
                nb.cells.append(nbformat.v4.new_markdown_cell(text))
    for i, cell in enumerate(nb.cells):               # stable ids: clean diffs
        cell["id"] = f"cell-{i:02d}"
    return nb


# A value the prose quotes from the code: ``{{expression}}`` or ``{{expression:spec}}``.
PLACEHOLDER = re.compile(r"\{\{\s*(.+?)\s*\}\}")
SPEC = re.compile(r"^[<>^=+\- #0,_]*\d*(\.\d+)?[a-zA-Z%]?$")
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def field_parts(field):
    """``ratio:.1e`` → ("ratio", ".1e"); a colon inside the expression (a slice) stays."""
    expression, colon, spec = field.rpartition(":")
    if colon and expression and SPEC.match(spec):
        return expression.strip(), spec
    return field.strip(), ""


def formatted(value, spec):
    """``format(value, spec)``, and ``.Np``: a power of ten as prose writes it, 3.7·10⁻⁷
    (``.Nt``: the same in TeX, for inside $...$: 3.7 \\cdot 10^{-7})."""
    if spec[-1:] in ("p", "t"):
        mantissa, exponent = format(value, spec[:-1] + "e").split("e")
        exponent = str(int(exponent))
        if spec[-1] == "t":
            return f"{mantissa} \\cdot 10^{{{exponent}}}"
        return f"{mantissa}·10{exponent.translate(SUPERSCRIPT)}"
    return format(value, spec)


def fill(text, values):
    """The Markdown with each ``{{field}}`` replaced by its value (``values[field]``)."""
    return PLACEHOLDER.sub(lambda m: values[m[1]], text)


def probe_code(expressions):
    """The code the kernel runs, unseen, to read the values a Markdown cell names."""
    return ("print(__import__('json').dumps([__import__('numpy').asarray(eval(_e)).item() "
            f"for _e in {list(expressions)!r}]))")


# The numbers prose quotes, which must come from the code (tests/test_lecture_claims.py):
# in a Markdown cell, outside code spans, links, HTML tags, citations (arXiv:…) and
# placeholders (which the build fills from the kernel), every number with a decimal point
# (0.84, 2.2, −1.5), and every whole number followed by a word that counts what a program
# computed or how precise it is (COUNTED: correct digits, operations). Such a number must be
# written in the notebook's code (an input the author chose, like x = 0.5) or shown by one
# of its outputs, to the digits the prose gives (0.84 is shown by 0.8415). Not counted: other
# whole numbers (years, lecture and section numbers, sizes, shapes, steps, indices), which
# are inputs or names, not results; a computed count is a placeholder all the same.
COUNTED = re.compile(r"\s+(?:correct |significant |decimal )?(?:digits|operations?)\b|"
                     r"\s+(?:правильн\w* |значущ\w* )?(?:цифр|операці)\w*", re.IGNORECASE)
NOT_PROSE = re.compile(r"```.*?```|`[^`\n]*`|\]\([^)]*\)|<[^>\n]*>|arXiv:\S+|"
                       r"\{\{.*?\}\}", re.DOTALL)
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?(?![\w]|\.\d)")


def quoted_numbers(markdown):
    """The numbers a Markdown cell quotes (see above): [(text, value, decimals)]."""
    prose = NOT_PROSE.sub(" ", markdown)
    found = []
    for match in NUMBER.finditer(prose):
        text = match[0]
        if "." in text or COUNTED.match(prose, match.end()):
            decimals = len(text.partition(".")[2])
            found.append((text, float(text.replace("−", "-")), decimals))
    return found


def execute(nb, workdir, timeout, language):
    import json
    import os

    from nbclient import NotebookClient

    class Client(NotebookClient):
        """Runs the notebook and, at each Markdown cell that names values, evaluates
        them in the kernel (after the code above the cell) and writes them in."""
        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            fields = sorted(set(PLACEHOLDER.findall(cell.source)))
            if cell.cell_type == "markdown" and fields:
                expressions = [field_parts(f)[0] for f in fields]
                probe = nbformat.v4.new_code_cell(probe_code(expressions))
                await super().async_execute_cell(probe, cell_index, store_history=False)
                self.code_cells_executed -= 1
                self.nb.cells[cell_index] = cell           # nbclient stores the probe there
                printed = "".join(o.get("text", "") for o in probe.outputs
                                  if o.get("name") == "stdout")
                if not printed:
                    raise SystemExit(f"a Markdown cell names {fields}, which the kernel "
                                     f"could not evaluate: {probe.outputs}")
                found = dict(zip(fields, json.loads(printed)))
                values = {f: formatted(found[f], field_parts(f)[1]) for f in fields}
                cell.metadata["values"] = values
                cell.source = fill(cell.source, values)
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    os.environ["TRACEGRAD_LANG"] = language          # the kernel inherits it
    client = Client(nb, timeout=timeout, kernel_name="python3",
                    resources={"metadata": {"path": str(workdir)}},
                    record_timing=False, store_widget_state=True)
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = merged_streams(cell.outputs)
    return nb


NAN_OR_INF = re.compile(r"(?<![\w.])-?(nan|inf)(?!\.?\w)", re.IGNORECASE)


def problems(nb, where="cell"):
    """What makes a run of a lecture broken: a code cell that wrote to stderr (a
    warning) or shows nan or inf, unless its tags expect it (``%% code expect=...``)."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        for out in cell.outputs:
            texts = []
            if out.get("output_type") == "stream":
                text = "".join(out["text"])
                if out.get("name") == "stderr" and "expect-warning" not in tags:
                    found.append((i, "warning", text.strip()[:300]))
                texts.append(text)
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/") or mime == "image/svg+xml":
                    texts.append("".join(value) if isinstance(value, list) else value)
            for text in texts:
                match = NAN_OR_INF.search(text)
                if match and f"expect-{match[1].lower()}" not in tags:
                    found.append((i, match[1].lower(), text[max(0, match.start() - 80):
                                                             match.end() + 20].strip()))
                    break
    return found


def refuse(nb, cells, source, language):
    """Stop the build, naming each broken cell by its line in the source."""
    found = problems(nb)
    if not found:
        return
    lines = [c[2]["line"] for c in cells
             if c[0] in ("code", "exercise") or c[0] == language]
    report = [f"{source.relative_to(HERE.parent)}:{lines[i]}: the cell printed {kind}:\n    "
              + excerpt.replace("\n", "\n    ") for i, kind, excerpt in found]
    raise SystemExit("\n".join(report) + f"\n{language} notebook not written. Fix the cell, or, "
                     "if the lecture means it, mark it: '%% code expect=nan' (or inf, warning).")


def merged_streams(outputs):
    """One output per run of prints: how a print arrives in pieces depends on timing,
    and a stored notebook must not."""
    merged = []
    for out in outputs:
        if (out.get("output_type") == "stream" and merged
                and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")):
            merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*", help="build lectures whose names start with these")
    parser.add_argument("--no-execute", action="store_true")
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args(argv)
    sources = sorted((HERE / "src").glob("[0-9]*.txt"))     # not _template.txt
    if args.only:
        sources = [s for s in sources if any(s.stem.startswith(o) for o in args.only)]
    if not sources:
        raise SystemExit("no lecture sources matched.")
    for source in sources:
        cells = parse(source, with_options=True)
        for language in LANGUAGES:
            target = HERE / language / (source.stem + ".ipynb")
            target.parent.mkdir(exist_ok=True)
            nb = notebook(cells, language, source)
            if not args.no_execute:
                nb = execute(nb, target.parent, args.timeout, language)
                refuse(nb, cells, source, language)
            nbformat.write(nb, target)
            print(f"wrote {target.relative_to(HERE.parent)}", file=sys.stderr)


if __name__ == "__main__":
    main()
