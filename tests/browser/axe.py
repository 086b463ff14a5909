"""axe-core, the standard accessibility engine, run on a page in the browser.

axe-core comes from the npm registry at the version and hash pinned in
tools/npm-assets.txt (``make site`` or ``python tools/vendor.py`` unpacks it
into build/npm/axe-core/, with its licence); it loads nothing from the network.
The rules run are WCAG 2.1 A and AA: the level a university course must meet.
"""
from __future__ import annotations

import collections
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
AXE = ROOT / "build" / "npm" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def require_axe():
    """Skip the calling test module when axe-core is not vendored yet (``make site`` does it)."""
    import os

    import pytest
    if not AXE.exists():
        message = (f"{AXE.relative_to(ROOT)} is missing: run `python tools/vendor.py` "
                   "(make site does it)")
        if os.environ.get("CI") == "true":
            raise RuntimeError(message)
        pytest.skip(message, allow_module_level=True)


def audit(page, context="document"):
    """axe's WCAG 2.1 A/AA violations on ``page``: a list of dicts (id, impact, nodes...).

    ``context`` is a JavaScript expression: the whole document, or one element."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        f"""async () => {{
          const result = await axe.run({context}, {{runOnly: {{type: 'tag', values: {WCAG21_AA!r}}},
                                                   resultTypes: ['violations']}});
          return result.violations.map(v => ({{id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({{target: n.target.join(' '), summary: n.failureSummary}}))}}));
        }}""")


def counts(violations):
    """{impact: number of failing elements}, as the issue's before/after table counts them."""
    total = collections.Counter()
    for v in violations:
        total[v["impact"]] += len(v["nodes"])
    return dict(total)


def blocking(violations):
    """The serious and critical violations, one readable line each (for an assert message)."""
    return [f'{v["impact"]} {v["id"]} ({v["help"]}): {len(v["nodes"])} elements, e.g. '
            f'{v["nodes"][0]["target"]}: {v["nodes"][0]["summary"]}'
            for v in violations if v["impact"] in BLOCKING]
