"""One language for the student: errors and warnings come from the words tables.

* every key of tracegrad/words/ exists in each language, with the same {placeholders};
* the language is chosen by tg.set_language, else $TRACEGRAD_LANG, else the folder;
* a message ends with a stable code such as [TG-tree-map], the same in every
  language, and its exception type never changes with the language;
* no converted module passes a literal English sentence to an exception or a
  warning: the test reads the source (ast), so a new message written in place
  fails here; the modules not yet converted are listed, and the list can only shrink;
* an error shown in a Ukrainian notebook passes the lectures' scan for English.
"""
from __future__ import annotations

import ast
import pathlib
import re
import string

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
from tracegrad import words as W

from .test_lecture_words import found_in

SOURCE = pathlib.Path(tg.__file__).resolve().parent

# Modules whose messages are still written in place, in English. Convert one, then
# take it off this list: test_the_allow_list_only_shrinks fails while a listed module
# has no English message left, so the list stays exact. Every module is converted.
NOT_YET_CONVERTED = set()


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    """Each test starts from the default (English here) and leaves it so."""
    monkeypatch.delenv("TRACEGRAD_LANG", raising=False)
    before = W.set_language(None)
    yield
    W.set_language(before)


# --- the tables ------------------------------------------------------------------


def placeholders(text):
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


def test_every_key_is_in_every_language_with_the_same_placeholders():
    english = W.LANGUAGES["en"]
    for name, table in W.LANGUAGES.items():
        assert set(table) == set(english), f"{name}: {sorted(set(table) ^ set(english))}"
        wrong = [k for k in english if placeholders(table[k]) != placeholders(english[k])]
        assert not wrong, f"{name}: other placeholders than English in {wrong}"


def test_a_changed_placeholder_is_found():
    # The check above can fail: a Ukrainian text that lost its {name}.
    assert placeholders("tree_map: {first} і {other}") != placeholders("tree_map: {first}")


def test_every_message_key_used_in_the_source_exists():
    used = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) in ("message", "_message")
                    and node.args and isinstance(node.args[0], ast.Constant)):
                used.add(node.args[0].value)
    assert len(used) >= 20, "message() calls not found: the walk above is out of date"
    assert not sorted(used - set(W.EN))


# --- choosing the language ---------------------------------------------------------


def test_set_language_wins_over_the_environment_and_the_folder(monkeypatch, tmp_path):
    uk_folder = tmp_path / "uk"
    uk_folder.mkdir()
    monkeypatch.chdir(uk_folder)
    assert W.language() == "uk"                        # the folder
    monkeypatch.setenv("TRACEGRAD_LANG", "en")
    assert W.language() == "en"                        # $TRACEGRAD_LANG over the folder
    tg.set_language("uk")
    assert W.language() == "uk"                        # set_language over both
    assert W.language("en") == "en"                    # a language passed wins
    assert tg.set_language(None) == "uk"               # back to the default; the old one
    assert W.language() == "en"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACEGRAD_LANG")
    assert W.language() == "en"


def test_an_unknown_language_is_refused_and_changes_nothing():
    with pytest.raises(ValueError, match=r"one of \['en', 'uk'\], not 'fr'.*\[TG-lang\]"):
        tg.set_language("fr")
    assert W.language() == "en"


# --- messages in both languages -----------------------------------------------------


def _custom_rule_returning_none():
    f = tg.custom_jvp(lambda x: x * x)
    f.defjvps(lambda x_dot, ans, x: None)
    tg.grad(f)(1.0)


def _bwd_of_wrong_shape():
    f = tg.custom_vjp(lambda x: tnp.sum(x))
    f.defvjp(lambda x: (tnp.sum(x), None), lambda res, g: (np.ones(3),))
    tg.grad(f)(np.ones(2))


def sine(x):
    return tnp.sin(x)


def _check_grads_of_a_wrong_rule():
    f = tg.custom_jvp(sine)
    f.defjvps(lambda x_dot, ans, x: 2.0 * x_dot)
    tg.check_grads(f, (0.3,), order=1, modes=("rev",))


def _change_in_place(x):
    x[0] = 1.0
    return tnp.sum(x)


def _store_in_numpy(x):
    out = np.zeros((2, 2))
    out[0] = x                              # a row: NumPy passes our error on
    return tnp.sum(out)


_blank = tg.lax.elementwise("blank", lambda x: x ** 2, (lambda out, x: None,), ("2x",))


def _primitive_rule_returning_none(x):
    return _blank(x)


# (what goes wrong, the exception's type, its code)
MISTAKES = [
    (_custom_rule_returning_none, tg.TracegradError, "jvp-none"),
    (_bwd_of_wrong_shape, tg.TracegradError, "bwd-shape"),
    (_check_grads_of_a_wrong_rule, AssertionError, "check-grads"),
    (lambda: tg.check_grads(tnp.sin, (0.3,), modes=("backward",)), ValueError, "check-mode"),
    (lambda: tg.tree_map(np.add, (1.0, 2.0), [1.0, 2.0]), ValueError, "tree-map"),
    (lambda: tg.tree_unflatten(tg.tree_flatten((1, 2))[1], [1]), ValueError, "tree-leaves"),
    (lambda: tg.grad(lambda p: p[1] * p["a"])({1: 2.0, "a": 3.0}), TypeError, "tree-keys"),
    (lambda: tg.custom_vjp(sine)(1.0), tg.TracegradError, "vjp-norule"),
    (lambda: tg.grad(_change_in_place)(np.ones(3)), TypeError, "inplace"),
    (lambda: tg.grad(lambda x: x.backward())(1.0), AttributeError, "pytorch"),
    (lambda: tg.grad(lambda x: x.pow(2))(1.0), AttributeError, "not-a-method"),
    (lambda: tg.grad(lambda x: np.convolve(x, x)[0])(np.ones(2)), TypeError, "numpy-function"),
    (lambda: tg.grad(_store_in_numpy)(np.ones(2)), tg.TracegradError, "store"),
    (lambda: tg.grad(lambda x: x.item())(1.0), TypeError, "item"),
    (lambda: tg.grad(lambda x: tnp.sum(x.tolist()))(np.ones(2)), AttributeError, "tolist"),
    (lambda: tg.grad(lambda x: tnp.sum(x @ np.ones((3, 2))))(np.ones(2)), ValueError, "align"),
    (lambda: tg.grad(lambda x: tnp.sum(tnp.reshape(x, (4,))))(np.ones(3)), ValueError,
     "reshape"),
    (lambda: tg.grad(lambda x: tnp.sum(x, axis=2))(np.ones(3)), ValueError, "axis"),
    (lambda: tg.grad(lambda x: (x * tnp.ones(3))[x])(1.0), tg.TracegradError,
     "index-traced"),
    (lambda: tg.grad(_primitive_rule_returning_none)(1.0), tg.TracegradError,
     "derivative-none"),
    (lambda: tg.random.normal(3, (2,)), TypeError, "key-int"),
    (lambda: tg.jvp(tnp.sin, (1.0,), (np.ones(2),)), ValueError, "jvp-shape"),
    (lambda: tnp.no_such_function, AttributeError, "no-function"),
    # arguments.py, core.py, reverse.py, jit.py, vmap.py
    (lambda: tg.grad(lambda x: None)(1.0), TypeError, "returned-none"),
    (lambda: tg.grad(2.0), TypeError, "not-callable"),
    (lambda: tg.grad(lambda x: x, argnums=3)(1.0), ValueError, "argnums-range"),
    (lambda: tg.grad(lambda x: x * 2.0)(np.ones(3)), TypeError, "scalar-shape"),
    (lambda: tg.grad(lambda x: tnp.sum(np.asarray(x)))(np.ones(2)), TypeError, "asarray"),
    (lambda: tg.grad(lambda x: float(x))(1.0), TypeError, "number"),
    (lambda: tg.grad(lambda x: x, has_aux=True)(1.0), TypeError, "aux-pair"),
    (lambda: tg.vjp(tnp.sin, np.ones(2))[1](np.ones(3)), ValueError, "cotangent-shape"),
    (lambda: tg.grad(lambda x: tnp.sum(x + np.ones(3)))(np.ones(2)), ValueError, "shape-args"),
    (lambda: tg.jit(lambda x, n: x * len(n), static_argnums=1)(1.0, [1]), TypeError,
     "jit-static-hash"),
    (lambda: tg.jit(lambda x: x)("text"), TypeError, "jit-leaf"),
    (lambda: tg.vmap(lambda x: x if x > 0 else -x)(np.array([1.0, -1.0])),
     tg.TracegradError, "vmap-branch"),
    (lambda: tg.vmap(lambda x, y: x + y)(np.ones(2), np.ones(3)), ValueError, "vmap-sizes"),
    (lambda: tg.vmap(lambda x: x, in_axes=(0, 0))(np.ones(2)), ValueError, "in-axes-count"),
]


def raised(mistake, language):
    tg.set_language(language)
    try:
        mistake()
    except Exception as error:              # noqa: BLE001  (the type is compared below)
        return error
    finally:
        tg.set_language(None)
    raise AssertionError("no error was raised")


@pytest.mark.parametrize("mistake, kind, code", MISTAKES, ids=[m[2] for m in MISTAKES])
def test_a_mistake_raises_the_same_type_and_code_in_each_language(mistake, kind, code):
    english, ukrainian = raised(mistake, "en"), raised(mistake, "uk")
    assert type(english) is type(ukrainian) and isinstance(english, kind)
    assert str(english).endswith(f"[TG-{code}]") and str(ukrainian).endswith(f"[TG-{code}]")
    assert str(english) != str(ukrainian)
    assert re.search("[а-яіїєґ]{4}", str(ukrainian)), ukrainian
    # as a notebook shows it: "TypeError: ..." in the output, scanned like a lecture's
    shown = f"{type(ukrainian).__name__}: {ukrainian}"
    assert not found_in(shown), f"English in a Ukrainian error: {found_in(shown)}"
    assert found_in(f"{type(english).__name__}: {english}")      # the scan can fail
    # put back in English (what `pytest --tg-language=uk` matches against), it is the
    # English message: the Ukrainian one says the same, with the same fields
    assert W.in_english(str(ukrainian)) == str(english)


@settings(max_examples=25, deadline=None)
@given(key=st.sampled_from(sorted(k for k in W.EN if k.startswith("err."))),
       language=st.sampled_from(sorted(W.LANGUAGES)))
def test_any_message_fills_its_placeholders_and_ends_with_its_code(key, language):
    fields = {name: f"<{name}>" for name in placeholders(W.EN[key])}
    text = W.message(key, language=language, **fields)
    assert text.endswith(f" [TG-{key[len('err.'):]}]")
    assert all(value in text for value in fields.values())
    assert "{" not in text


# --- no English written in place -------------------------------------------------------


def _english_in(node):
    """A literal sentence in ``node`` (a str or an f-string's text): two Latin words."""
    parts = [node] if isinstance(node, ast.Constant) else (
        node.values if isinstance(node, ast.JoinedStr) else [])
    text = " ".join(p.value for p in parts if isinstance(p, ast.Constant)
                    and isinstance(p.value, str))
    return re.search(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}", text) is not None


def _written_in_place(path):
    """Lines where an exception or a warning gets a literal English sentence: a
    call of a name ending in Error, Exception or Warning (raised or returned), of
    anything raised, or of ``warnings.warn`` (and core's ``warn_at_user``, jit's ``_warn``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    raised = {id(node.exc) for node in ast.walk(tree) if isinstance(node, ast.Raise)}
    lines = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        name = getattr(call.func, "id", None) or getattr(call.func, "attr", "")
        if not (id(call) in raised or name in ("warn", "warn_at_user", "_warn")
                or name.endswith(("Error", "Exception", "Warning"))):
            continue
        for arg in list(call.args) + [k.value for k in call.keywords]:
            pieces = [arg] + (list(ast.walk(arg)) if isinstance(arg, ast.BinOp) else [])
            if any(_english_in(p) for p in pieces):
                lines.append(call.lineno)
    return sorted(set(lines))


def _modules():
    return sorted(str(p.relative_to(SOURCE)) for p in SOURCE.rglob("*.py")
                  if "words" not in p.parts)


@pytest.mark.parametrize("module", [m for m in _modules() if m not in NOT_YET_CONVERTED])
def test_a_converted_module_writes_no_message_in_place(module):
    lines = _written_in_place(SOURCE / module)
    assert not lines, (f"tracegrad/{module} lines {lines}: an English message written in "
                       f"place; add it to tracegrad/words/ and raise message(key, ...)")


def test_the_allow_list_only_shrinks():
    for module in sorted(NOT_YET_CONVERTED):
        assert (SOURCE / module).exists(), f"{module} is gone: take it off NOT_YET_CONVERTED"
        assert _written_in_place(SOURCE / module), (
            f"tracegrad/{module} has no English message left: take it off NOT_YET_CONVERTED")


def test_the_walk_finds_a_message_written_in_place(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import warnings\n"
                      "def f(x):\n"
                      "    if x:\n"
                      "        raise ValueError(f'bad shape {x}: pass a vector')\n"
                      "    warnings.warn('this is ' + str(x), stacklevel=2)\n"
                      "    error = KeyError('no such key ' + x)\n"
                      "    raise TypeError(message('err.tree-map', first=x))\n"
                      "    warn_at_user(f'{x} is not used', UserWarning)\n")
    assert _written_in_place(source) == [4, 5, 6, 8]


# --- tg.primitives(): the table in the notebook's language ------------------------------


def test_every_primitive_is_translated_and_no_translation_is_stale():
    names = {p.name for p in tg.primitives()}
    formulas = {f for p in tg.primitives() for f in (p.formulas or ())}
    # English words among the formulas: "1 at the winner", "1 if x < y", "symmetrized"
    worded = {f for f in formulas if re.search(
        r"\b(at|if|where|for|except|the|copied|moved|placed|symmetrized)\b", f)}
    assert len(worded) >= 10, "the English words above are out of date"
    for name, module in W._MODULES.items():
        if name == "en":
            continue
        assert set(module.PRIMITIVES) == names, sorted(set(module.PRIMITIVES) ^ names)
        assert all(doc and special for doc, special in module.PRIMITIVES.values())
        assert set(module.FORMULAS) <= formulas, sorted(set(module.FORMULAS) - formulas)
        assert worded <= set(module.FORMULAS), sorted(worded - set(module.FORMULAS))


def test_the_primitives_table_speaks_the_chosen_language():
    english = repr(tg.primitives())
    tg.set_language("uk")
    ukrainian, html = repr(tg.primitives()), tg.primitives()._repr_html_()
    assert "примітив" in ukrainian and "арккосинус" in ukrainian and "арккосинус" in html
    assert "arc cosine" in english and "arc cosine" not in ukrainian
    assert not found_in(ukrainian), found_in(ukrainian)
    # no English description or convention is left in the Ukrainian table
    tg.set_language("en")
    left = [cell for row in tg.primitives()._rows() for cell in row[2:5:2]
            if re.search("[a-z]{4} [a-z]{4}", cell) and cell in ukrainian]
    assert not left, left


def test_an_exercise_check_knows_a_forgotten_return_in_either_language():
    # checks.error_verdict once looked for the English "returned None": in a Ukrainian
    # notebook a rule left blank would have been reported as any other error
    from tracegrad.checks import error_verdict
    for language in ("en", "uk"):
        error = raised(_custom_rule_returning_none, language)
        tg.set_language(language)
        assert error_verdict(error) == "✗ " + W.words()["check.none"]
        tg.set_language(None)


def test_every_message_is_translated_not_copied():
    # a key copied from en.py into uk.py unchanged would pass the key test above
    for name, table in W.LANGUAGES.items():
        if name != "en":
            copied = [k for k in W.EN if k.startswith(("err.", "part.", "repr."))
                      and table[k] == W.EN[k]]
            assert not copied, f"{name}: not translated: {copied}"


def test_numpy_warnings_said_again_speak_the_language():
    # core.route_numpy_warnings repeats NumPy's warning at the user's line, naming the rule
    def shown(language, fun, x):
        tg.set_language(language)
        try:
            with pytest.warns(RuntimeWarning) as seen:
                tg.grad(fun)(x)
        finally:
            tg.set_language(None)
        return [str(w.message) for w in seen]

    assert shown("en", tnp.sqrt, 0.0) == [
        "divide by zero encountered computing the derivative of sqrt (backward pass)"]
    ukrainian = shown("uk", tnp.sqrt, 0.0) + shown("uk", tnp.log, -1.0)
    assert ukrainian == ["ділення на нуль під час обчислення похідної sqrt (зворотний прохід)",
                         "недійсне значення у log"]
    assert not found_in("RuntimeWarning: " + " ".join(ukrainian))


@settings(max_examples=40, deadline=None)
@given(key=st.sampled_from(sorted(k for k in W.EN if k.startswith("err."))),
       value=st.text(alphabet="abcxyz0123 ()[],", min_size=1, max_size=8))
def test_any_ukrainian_message_goes_back_to_its_english(key, value):
    # what `pytest --tg-language=uk` relies on: a Ukrainian message, put back in
    # English, is the English message with the same fields
    fields = {name: f"<{name}:{value}>" for name in placeholders(W.EN[key])}
    ukrainian = W.message(key, language="uk", **fields)
    english = W.message(key, language="en", **fields)
    assert W.in_english(f"Error: {ukrainian}") == f"Error: {english}"


def test_no_key_is_written_twice_in_a_table():
    # a dict literal keeps the last of two equal keys without a word: one message lost
    import ast
    import pathlib
    for table in ("en", "uk"):
        source = pathlib.Path(tg.__file__).parent / "words" / f"{table}.py"
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                assert len(keys) == len(set(keys)), (table, sorted(
                    {k for k in keys if keys.count(k) > 1}))


def _uk_warning(name, backward):
    """NumPy's "divide by zero" said again by core.py, in Ukrainian, with its pieces."""
    uk = dict(language="uk")
    if backward:
        rule = W.said("numpy.backward rule", **uk, name=name)
        where, why = "", W.said("numpy.computing alone", **uk, rule=rule)
    else:
        where, why = W.said("numpy.in", **uk, name=name), ""
    return W.said("numpy.warning", **uk, kind=W.said("numpy.divide by zero", **uk),
                  where=where, why=why)


def test_a_message_goes_back_to_english_after_a_later_one_reused_its_pieces():
    first = _uk_warning("log", backward=False)
    _uk_warning("log", backward=True)           # says "divide by zero" again, in a longer text
    assert W.in_english(first) == "divide by zero encountered in log"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["log", "sqrt", "arctanh"]), st.booleans()),
                min_size=1, max_size=6))
def test_every_recent_message_goes_back_to_english(calls):
    english = {False: "divide by zero encountered in {}",
               True: "divide by zero encountered computing the derivative of {} (backward pass)"}
    made = [(_uk_warning(name, backward), english[backward].format(name))
            for name, backward in calls]
    for text, expected in made:
        assert W.in_english(text) == expected
