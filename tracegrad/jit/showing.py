"""Showing: the generated source as text, highlighted in Jupyter."""
from __future__ import annotations

import html
import io
import keyword
import tokenize


class Source(str):
    """The generated source: a string, shown as highlighted code in Jupyter.

    ``exec(source, {"np": np})`` defines the function. ``source.namespace`` holds
    what the text only names: constants too big to write out, ``RETRACE`` (what a
    failed guard returns) and what helpers read; ``exec(source, {"np": np,
    **source.namespace})`` runs in any case.
    """

    namespace = {}
    code = ""             # the text the compiled function was made from (constants not written)

    def __repr__(self):
        return str(self)

    def _repr_markdown_(self):
        fence = "```"
        while fence in self:
            fence += "`"
        return f"{fence}python\n{self}\n{fence}"

    def _repr_html_(self):
        return f"<pre style='line-height:1.35'>{_highlight(str(self))}</pre>"


_COLOURS = {"keyword": "#0000c0", "comment": "#408080", "number": "#007020",
            "string": "#a02020", "np": "#7030a0"}


def _highlight(code):
    """HTML for Python source, escaped, with keywords, comments, numbers coloured."""
    out, lines = [], code.splitlines(keepends=True)
    position = (1, 0)

    def text_between(start, end):
        (l1, c1), (l2, c2) = start, end
        if l1 == l2:
            return lines[l1 - 1][c1:c2] if l1 - 1 < len(lines) else ""
        return lines[l1 - 1][c1:] + "".join(lines[l1:l2 - 1]) + \
            (lines[l2 - 1][:c2] if l2 - 1 < len(lines) else "")

    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            out.append(html.escape(text_between(position, tok.start)))
            piece = html.escape(tok.string)
            name = tok.type == tokenize.NAME
            colour = (_COLOURS["keyword"] if name and keyword.iskeyword(tok.string)
                      else _COLOURS["np"] if name and tok.string == "np"
                      else _COLOURS.get({tokenize.COMMENT: "comment", tokenize.NUMBER: "number",
                                         tokenize.STRING: "string"}.get(tok.type, "")))
            shown = f"<span style='color:{colour}'>{piece}</span>" if colour and piece else piece
            out.append(shown)
            position = tok.end
    except (tokenize.TokenError, IndexError):
        return html.escape(code)
    return "".join(out)


