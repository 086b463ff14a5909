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
    # -- accessibility: what a screen reader says (widgets/, drawing/text.py, the site) --
    "zoom in": "zoom in",
    "zoom out": "zoom out",
    "graph box": "graph: arrow keys scroll it, + and − zoom",
    "stepper": "step-by-step pass over the graph",
    "summary": "Computation graph of {out}: {inputs} inputs ({names}), {ops} operations; "
               "{out} = {value}.",
    "summary no inputs": "Computation graph of {out}: {ops} operations; {out} = {value}.",
    "text form": "The graph as a table",
    "more rows": "… {count} more rows: print(graph) lists every operation",
    "column.node": "node",
    "column.operation": "operation",
    "column.value": "value",
    "column.gradient": "gradient",
    "column.input": "input",
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
    "loop folded": "{name}: loop × {total}",
    "passes folded": "{count} more passes, each like one drawn: {ops} operations",
    "fold note": "{count} operations: a loop's repeated passes are drawn once "
                 "(fold=False draws every pass)",
    "paths from": "Paths from {start} to {out}: {count}",
    "path": "path",
    "more paths": "… and {count} more paths, counted in the sum",
    "sum over paths": "sum over paths = {sum};  backward pass: {symbol} = {grad}",
    "paths of arrays": "the factors are Jacobians of arrays, applied as vector-Jacobian "
                       "products, so a path has no single number; the backward pass sums "
                       "the paths: {symbol} = {grad}",
    "more lines": "{count} more lines: print(graph) shows all",
    # -- checks: check_grads and the primitives table --------------------------------
    "table.primitive": "primitive",
    "table.derivative": "local derivative(s)",
    "table.meaning": "meaning",
    "table.vmap": "vmap",
    "table.special": "at special points",
    "table.not differentiable": "not differentiable",
    "table.rule": "rule",
    "table.loop": "loop",
    # -- jit: the comments of the source that tg.jit writes (jit.py) -------------------
    "jit.header": "tg.jit({name}) for {signature}: plain NumPy, one line per primitive",
    "jit.transpose": "(a transpose used once is written in place; a product with 1 is "
                     "left out).",
    "jit.forward pass": "forward pass",
    "jit.backward pass": "backward pass",
    "jit.constants": "constants: {shown}",
    "jit.guard": "guard: {where}",
    "jit.guard at": "guard: {what} at {where}",
    "jit.branch": "a branch (if/while) on a traced value",
    "jit.reading": "reading a traced value ({how})",
    "jit.numpy call": "np.{name}(...)",
    "jit.same": "Is x exactly the value read while tracing?",
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
    # -- доступність: що читає екранний читач (widgets/, drawing/text.py, сайт) -------
    "zoom in": "збільшити",
    "zoom out": "зменшити",
    "graph box": "граф: стрілки прокручують його, + і − змінюють масштаб",
    "stepper": "покроковий прохід графом",
    "summary": "Граф обчислення {out}: входів: {inputs} ({names}), операцій: {ops}; "
               "{out} = {value}.",
    "summary no inputs": "Граф обчислення {out}: операцій: {ops}; {out} = {value}.",
    "text form": "Граф у вигляді таблиці",
    "more rows": "… ще рядків: {count}; print(graph) покаже всі операції",
    "column.node": "вузол",
    "column.operation": "операція",
    "column.value": "значення",
    "column.gradient": "градієнт",
    "column.input": "вхід",
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
    "loop folded": "{name}: цикл × {total}",
    "passes folded": "ще проходів, кожен як показаний: {count}; операцій: {ops}",
    "fold note": "операцій: {count}; однакові проходи циклу показано один раз "
                 "(fold=False показує кожен прохід)",
    "paths from": "Шляхи від {start} до {out}: {count}",
    "path": "шлях",
    "more paths": "… і ще шляхів: {count}, їх враховано в сумі",
    "sum over paths": "сума за шляхами = {sum};  зворотний прохід: {symbol} = {grad}",
    "paths of arrays": "множники — якобіани масивів, їх застосовують як добутки вектора "
                       "на якобіан, тож шлях не має одного числа; зворотний прохід "
                       "підсумовує шляхи: {symbol} = {grad}",
    "more lines": "ще рядків: {count}; print(graph) покаже всі",
    # -- checks -----------------------------------------------------------------------
    "table.primitive": "примітив",
    "table.derivative": "локальні похідні",
    "table.meaning": "що обчислює",
    "table.vmap": "vmap",
    "table.special": "в особливих точках",
    "table.not differentiable": "не диференційовний",
    "table.rule": "правило",
    "table.loop": "цикл",
    # -- jit --------------------------------------------------------------------------
    "jit.header": "tg.jit({name}) для {signature}: звичайний NumPy, один рядок на примітив",
    "jit.transpose": "(транспонування, використане один раз, записано на місці; множення "
                     "на 1 пропущено).",
    "jit.forward pass": "прямий прохід",
    "jit.backward pass": "зворотний прохід",
    "jit.constants": "сталі: {shown}",
    "jit.guard": "перевірка: {where}",
    "jit.guard at": "перевірка: {what}, {where}",
    "jit.branch": "розгалуження (if/while) за трасованим значенням",
    "jit.reading": "читання трасованого значення ({how})",
    "jit.numpy call": "np.{name}(...)",
    "jit.same": "Чи x точно те значення, що його прочитано під час трасування?",
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


# -- lectures: the words of the lecture notebooks' own plots and prints (lectures/) --
# The notebooks' code is the same in both languages; a cell shows T["lec.loss"]
# where T = words(), and the language comes from the notebook's folder (uk/, en/).
EN.update({
    "lec.layer": "layer",
    "lec.symbolic": "symbolic",
    "lec.numerical": "numerical",
    "lec.automatic": "automatic",
    "lec.correct digits": "correct digits",
    "lec.error": "error",
    "lec.truncation": "truncation",
    "lec.round-off": "round-off",
    "lec.by hand": "by hand",
    "lec.from the graph": "from the graph",
    "lec.step": "step",
    "lec.value": "value",
    "lec.data": "data",
    "lec.held-out data": "held-out data",
    "lec.before training": "before training",
    "lec.after training": "after training",
    "lec.training loss": "C on the training set",
    "lec.held-out loss": "C on the held-out set",
    "lec.noise variance": "noise variance 0.01",
    "lec.number of parameters": "number of parameters",
    "lec.loss before training": "loss before training",
    "lec.before the step": "before the step",
    "lec.after the step": "after the step",
    "lec.operations": "operations",
    "lec.has shape": "has shape",
    "lec.agrees with central differences": "agrees with central differences",
    "lec.order": "order",
    "lec.matches": "matches",
    "lec.trace": "trace",
    "lec.secant": "secant",
    "lec.slope": "slope",
    "lec.tangent": "tangent line",
    "lec.secants close in": "secants close in on the tangent",
    "lec.forward difference": "forward difference",
    "lec.central difference": "central difference",
    "lec.theory": "theory",
    "lec.exact up to rounding": "tracegrad: no truncation, rounding ≈ ε·|f′|",
    "lec.finite differences at x = 1": "finite differences at x = 1",
    "lec.formula of": "formula of",
    "lec.trace of": "trace of",
    "lec.number of operations": "number of operations",
    "lec.swell vs linear": "expression swell vs. a linear trace",
    "lec.grad of grad": "and grad of grad of …",
    "lec.calls": "calls",
    "lec.by definition": "by definition",
    "lec.time of f": "one evaluation of f",
    "lec.time of grad": "tg.grad: forward + backward pass",
    "lec.definition time": "by definition: (n + 1) · time of f",
    "lec.time, s": "time, s",
    "lec.ratio": "time of gradient / time of f",
    "lec.small constant": "a small constant: ≤ 5",
    "lec.maximum": "maximum",
    "lec.minimum": "minimum",
    "lec.gradient descent": "gradient descent",
    "lec.every 500th step": "every 500th step",
    "lec.more inputs": "more inputs",
    "lec.more outputs": "more outputs",
    "lec.with": "with",
    "lec.jacfwd": "jacfwd (forward mode, n JVPs)",
    "lec.jacrev": "jacrev (reverse mode, m VJPs)",
    "lec.time of one Jacobian": "time of one Jacobian, ms",
    "lec.columns": "columns",
    "lec.rows": "rows",
    "lec.MB": "MB",
    "lec.staged graph at": "grad of the staged graph at",
    "lec.traced anew at": "grad of f, traced anew at",
    "lec.checked": "forward and reverse mode, orders 1 and 2",
    "lec.depth": "depth: number of layers",
    "lec.vanishing": "|∂C₀/∂w⁽¹⁾| in a chain of one-neuron layers",
})
UK.update({
    "lec.layer": "шар",
    "lec.symbolic": "символічно",
    "lec.numerical": "чисельно",
    "lec.automatic": "автоматично",
    "lec.correct digits": "правильних цифр",
    "lec.error": "похибка",
    "lec.truncation": "обрізання",
    "lec.round-off": "округлення",
    "lec.by hand": "вручну",
    "lec.from the graph": "з графа",
    "lec.step": "крок",
    "lec.value": "значення",
    "lec.data": "дані",
    "lec.held-out data": "відкладені дані",
    "lec.before training": "до навчання",
    "lec.after training": "після навчання",
    "lec.training loss": "C на навчальній вибірці",
    "lec.held-out loss": "C на відкладеній вибірці",
    "lec.noise variance": "дисперсія шуму 0.01",
    "lec.number of parameters": "кількість параметрів",
    "lec.loss before training": "втрати до навчання",
    "lec.before the step": "до кроку",
    "lec.after the step": "після кроку",
    "lec.operations": "операцій",
    "lec.has shape": "має форму",
    "lec.agrees with central differences": "збігається з центральними різницями",
    "lec.order": "порядок",
    "lec.matches": "збігається з",
    "lec.trace": "трасування",
    "lec.secant": "січна",
    "lec.slope": "нахил",
    "lec.tangent": "дотична",
    "lec.secants close in": "січні наближаються до дотичної",
    "lec.forward difference": "пряма різниця",
    "lec.central difference": "центральна різниця",
    "lec.theory": "теорія",
    "lec.exact up to rounding": "tracegrad: без обрізання, округлення ≈ ε·|f′|",
    "lec.finite differences at x = 1": "кінцеві різниці в точці x = 1",
    "lec.formula of": "формула",
    "lec.trace of": "трасування",
    "lec.number of operations": "кількість операцій",
    "lec.swell vs linear": "розбухання виразів проти лінійного трасування",
    "lec.grad of grad": "і grad від grad від …",
    "lec.calls": "виклики",
    "lec.by definition": "за означенням",
    "lec.time of f": "одне обчислення f",
    "lec.time of grad": "tg.grad: прямий + зворотний прохід",
    "lec.definition time": "за означенням: (n + 1) · час f",
    "lec.time, s": "час, с",
    "lec.ratio": "час градієнта / час f",
    "lec.small constant": "мала стала: ≤ 5",
    "lec.maximum": "максимум",
    "lec.minimum": "мінімум",
    "lec.gradient descent": "градієнтний спуск",
    "lec.every 500th step": "кожен 500-й крок",
    "lec.more inputs": "більше входів",
    "lec.more outputs": "більше виходів",
    "lec.with": "при",
    "lec.jacfwd": "jacfwd (прямий режим, n JVP)",
    "lec.jacrev": "jacrev (зворотний режим, m VJP)",
    "lec.time of one Jacobian": "час одного якобіана, мс",
    "lec.columns": "стовпці",
    "lec.rows": "рядки",
    "lec.MB": "МБ",
    "lec.staged graph at": "grad записаного графа в точці",
    "lec.traced anew at": "grad від f, трасованої наново, в точці",
    "lec.checked": "прямий і зворотний режими, порядки 1 і 2",
    "lec.depth": "глибина: кількість шарів",
    "lec.vanishing": "|∂C₀/∂w⁽¹⁾| у ланцюжку шарів з одним нейроном",
})


# -- the lectures outside a notebook: the static site's navigation (tools/build_site.py)
# and `python -m tracegrad.lectures DIR` (lectures.py) ---------------------------------
EN.update({
    "site.language": "English",          # each language's own name, on the other's pages
    "site.lectures": "Lectures",
    "site.previous": "← previous",
    "site.next": "next →",
    "site.nav": "lectures: previous, next, other language",
    "site.graph listing": "The graph as text (its listing: each operation, value and gradient)",
    "site.plot alt": "A plot drawn by the code above; the text around it says what it shows.",
    "site.graph alt": "Computation graph of {out} ({boxes} boxes), inputs {names}{value}.",
    "site.svg alt": "Graph of {boxes} boxes: {labels}.",
    "site.title": "tracegrad: lectures on automatic differentiation",
    "site.offline": ("These pages work offline: the graphs, the formulas and the step-by-step "
                     "views are in them. To run the code, open the notebooks in JupyterLab."),
    "copy.description": "Copy tracegrad's lecture notebooks (uk/ and en/) into DIR.",
    "copy.dir": "the folder to copy them into (made if missing)",
    "copy.force": "overwrite notebooks already in DIR",
    "copy.copied": "copied the notebook {path}",
    "copy.kept": "kept {count} notebooks already in {dir} (--force overwrites them)",
    "copy.open": "open them with:  jupyter lab {dir}",
})
UK.update({
    "site.language": "Українська",
    "site.lectures": "Лекції",
    "site.previous": "← попередня",
    "site.next": "наступна →",
    "site.nav": "лекції: попередня, наступна, інша мова",
    "site.graph listing": "Граф як текст (його лістинг: кожна операція, значення й градієнт)",
    "site.plot alt": "Графік, побудований кодом вище; текст поруч пояснює, що на ньому.",
    "site.graph alt": "Граф обчислення {out} (блоків: {boxes}), входи {names}{value}.",
    "site.svg alt": "Граф, блоків: {boxes}: {labels}.",
    "site.title": "tracegrad: лекції з автоматичного диференціювання",
    "site.offline": ("Ці сторінки працюють без мережі: графи, формули й покроковий перегляд "
                     "уже в них. Щоб запускати код, відкрийте зошити в JupyterLab."),
    "copy.description": "Скопіювати зошити лекцій tracegrad (uk/ і en/) у теку DIR.",
    "copy.dir": "тека, куди їх скопіювати (її буде створено, якщо її немає)",
    "copy.force": "перезаписати зошити, які вже є в DIR",
    "copy.copied": "скопійовано зошит {path}",
    "copy.kept": "у {dir} вже є зошитів: {count}; їх залишено (--force перезапише їх)",
    "copy.open": "відкрийте їх так:  jupyter lab {dir}",
})


# -- exercise checks: the hints a failed check shows instead of the answer (checks.py) --
# {shape}/{want} are shapes, {right}/{total} counts, {error}/{message} an exception's
# name and first line; checks.is_verdict accepts nothing else in a ✗ line.
EN.update({
    "check.none": "no answer yet: replace None with your code",
    "check.not a number": "your answer should be a number or an array of numbers, not {type}",
    "check.ragged": "the parts of your answer have different shapes",
    "check.shape": "your answer has shape {shape}, it should have {want}",
    "check.transposed": "your answer has shape {shape}, it should have {want}: transposed?",
    "check.not finite": "your answer is not a finite number (an overflow, or 0/0?)",
    "check.sign": "the sign is wrong",
    "check.factor": "off by a constant factor: a factor missing, or one too many?",
    "check.close": "close, but not close enough: rounded too early, or a less exact formula?",
    "check.some right": "{right} of {total} values are right",
    "check.wrong": "not the right value yet; read the hint above the exercise again",
    "check.error": "your code stopped with {error}: {message}",
    "check.grads": "the derivative disagrees with numerical differentiation ({mode}, "
                   "order {order})",
    "check.warning": "your code warned: {message}",
})
UK.update({
    "check.none": "відповіді ще немає: замініть None своїм кодом",
    "check.not a number": "відповідь має бути числом або масивом чисел, а не {type}",
    "check.ragged": "частини вашої відповіді мають різні форми",
    "check.shape": "форма відповіді {shape}, а має бути {want}",
    "check.transposed": "форма відповіді {shape}, а має бути {want}: транспоновано?",
    "check.not finite": "відповідь не є скінченним числом (переповнення чи 0/0?)",
    "check.sign": "знак неправильний",
    "check.factor": "відрізняється сталим множником: якийсь множник пропущено чи зайвий?",
    "check.close": "близько, але недостатньо точно: заокруглено зарано чи формула менш точна?",
    "check.some right": "правильних значень: {right} з {total}",
    "check.wrong": "значення ще не те; перечитайте підказку над вправою",
    "check.error": "ваш код зупинився з помилкою {error}: {message}",
    "check.grads": "похідна не збігається з чисельним диференціюванням ({mode}, "
                   "порядок {order})",
    "check.warning": "ваш код видав попередження: {message}",
})
