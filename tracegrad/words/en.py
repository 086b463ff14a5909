"""English: the words table every other language follows, key for key."""

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
    "copy.error": "error: {error}",
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


# -- errors and warnings: tg.words.message(key, ...) adds the code [TG-<key>], the same
# in every language, so a student can search for it. Parts ("part.*") are pieces of a
# message that the code chooses between. -------------------------------------------
EN.update({
    # checks.py: check_grads
    "err.check-grads": "check_grads: {what} disagrees with numerical differentiation.\n"
                       "  automatic: {got}\n  numerical: {want}\n"
                       "  max |difference| = {err} (rtol={rtol}, atol={atol})",
    "err.check-mode": "check_grads: unknown mode {mode}; use 'fwd' and/or 'rev'.",
    "part.check fwd": "forward mode (jvp), order {order}",
    "part.check rev": "reverse mode (vjp), order {order}",
    "part.shape mismatch": "shape mismatch",
    # custom.py: custom_jvp and custom_vjp rules
    "err.jvp-none": "custom_jvp {name}: the defjvps rule {rule} returned None, but it must "
                    "return the output's tangent from this argument, e.g. `lambda x_dot, ans, "
                    "x: tnp.cos(x) * x_dot`. Did you forget `return`? (For an argument with "
                    "no effect on the output, pass None in place of the rule.)",
    "err.jvp-norule": "custom_jvp function {name} has no rule yet: define one with "
                      "@{name}.defjvp.",
    "err.vjp-norule": "custom_vjp function {name} has no rule yet: call {name}.defvjp(fwd, "
                      "bwd) first.",
    "err.fwd-pair": "custom_vjp {name}: {fwd} must return a pair (output, residuals), e.g. "
                    "`return {name}(x), (x,)` (the residuals are what bwd will need; None for "
                    "nothing), but it returned {got}.",
    "err.rule-structure": "{name}: its rule returns an output of structure {tree} and shapes "
                          "{shapes}, but the function returns {want_tree} and shapes "
                          "{want_shapes}; the rule's output must be the function's.",
    "err.vjp-forward": "{name}: forward mode (jvp, jacfwd, check_grads with modes=('fwd',)) "
                       "met a function that has only a reverse-mode rule (bwd), which it "
                       "cannot use; JAX refuses this too. Differentiate it in reverse mode "
                       "(grad, vjp, jacrev), or give the function a forward rule with "
                       "tg.custom_jvp instead. hessian works: it runs jacfwd over jacrev, so "
                       "forward mode sees only fwd and bwd, as ordinary code; but if fwd "
                       "calls the function itself, compute the value there directly.",
    "err.jvp-pair": "custom_jvp {name}: {rule} must return a pair (primal_out, tangent_out), "
                    "e.g. {example}, but it returned {got}. Return the output and its "
                    "tangent, both.",
    "err.jvp-tangent-none": "custom_jvp {name}: {rule} returned None as the tangent output. "
                            "Return the tangent itself; for a zero tangent return "
                            "tnp.zeros_like(out).",
    "err.jvp-tangent-tree": "custom_jvp {name}: {rule} returned an output of structure "
                            "{out_tree} and a tangent of structure {tangent_tree} (* is an "
                            "array); the tangent must have the output's structure, one "
                            "tangent per output array.",
    "err.jvp-tangent-shape": "custom_jvp {name}: {rule} returned a tangent of shape {shape} "
                             "for an output of shape {out_shape}{leaf}; a tangent has its "
                             "output's shape. Compute it from the tangents elementwise (e.g. "
                             "tnp.cos(x) * x_dot), or broadcast it: tnp.broadcast_to(t, "
                             "out.shape).",
    "err.jvp-tangent-dtype": "custom_jvp {name}: {rule} returned a tangent of dtype {dtype} "
                             "for an output of dtype {out_dtype}{leaf}; the tangent of a "
                             "floating-point output is floating-point: write 0.0, not 0.",
    "err.bwd-tuple": "custom_vjp {name}: {bwd} must return a tuple with one cotangent per "
                     "argument ({count}), e.g. {example}, but it returned {got}.",
    "err.bwd-tree": "custom_vjp {name}: {bwd} returned for argument {i} a cotangent of "
                    "structure {tree}, but the argument has the structure {arg} (* is an "
                    "array); give it the argument's structure, with None for a zero part.",
    "err.bwd-shape": "custom_vjp {name}: {bwd} returned a cotangent of shape {shape} for "
                     "argument {i}, whose shape is {arg_shape}; they must match.",
    "part.its rule": "its rule",
    "part.output leaf": " (output leaf {k})",
    "part.sequence": "a {type} of {count} values",
    "part.sequence of one": "a {type} of 1 value",
    "part.dict": "a dict with keys {keys}",
    "part.array": "an array of shape {shape}",
    "part.object": "a {type}",
    # tree.py: pytrees
    "err.tree-keys": "pytree: a dict's keys must be sortable, so of one type, but these mix "
                     "{kinds}: {keys}. Use keys of one type, e.g. all str.",
    "err.tree-leaves": "tree_unflatten: the structure {treedef} has {want} leaves, but {got} "
                       "were given.",
    "err.tree-map": "tree_map: the trees have different structures: {first} and {other}.",
    "part.and": " and ",
    # lectures.py: python -m tracegrad.lectures
    "err.no-notebooks": "this installation of tracegrad carries no lecture notebooks (an "
                        "install made without `make dist`?); download them from {where}",
})

# advice.py, numpy/dispatch.py: what a traced array refuses, and what to write instead
EN.update({
    "err.inplace": "Traced arrays cannot be changed in place (x[i] = v): the old value may "
                   "already be recorded for the backward pass, and changing it would give a "
                   "wrong gradient. Build a new array instead: x = tnp.at(x)[i].set(v) (or "
                   ".add(v)), which runs on plain arrays too, or x = tnp.where(mask, v, x).",
    "err.item": "x.item() of a traced value would turn it into a Python number and drop its "
                "gradient.\nKeep it an array (x[0], x.sum()); to use the number after the "
                "step, return it: tg.value_and_grad(f) returns f's value too, has_aux=True "
                "any other.",
    "err.pytorch": "{what} is PyTorch's style; tracegrad, like JAX, is functional: tg.grad "
                   "returns gradients, nothing is stored on the values.\n{instead}",
    "part.pytorch backward": "Write the loss as a function of the parameters and take its "
                             "gradient: grads = tg.grad(loss_fn)(params).",
    "part.pytorch grad": "The gradient is what tg.grad returns: "
                         "grads = tg.grad(loss_fn)(params).",
    "part.pytorch requires_grad": "Nothing needs switching on: tg.grad(loss_fn, argnums=(0, "
                                  "1))(w, b) differentiates with respect to the arguments "
                                  "it names.",
    "part.pytorch detach": "Write tg.stop_gradient(x): the same value, a constant for every "
                           "derivative.",
    "err.numpy-method": "x.numpy() of a traced value would turn it into a plain array and "
                        "drop its gradient.\nKeep using tracegrad.numpy on it (tnp.sum(x), x "
                        "@ W); to use the numbers after the step, return them: "
                        "tg.value_and_grad(f) returns f's value too, has_aux=True any other.",
    "err.scipy": "scipy.special.{name} works on plain NumPy arrays only, so it cannot be "
                 "traced for differentiation. Use {instead}: the same function, written with "
                 "tracegrad's own operations.",
    "err.ufunc": "NumPy's np.{call} cannot be traced for differentiation. {fix}",
    "part.ufunc without": "Use tnp.{name} from tracegrad.numpy without those arguments.",
    "part.ufunc none": "tracegrad.numpy has no equivalent; compose it from the functions in "
                       "tracegrad.numpy.__all__, or compute it outside the function you "
                       "differentiate and pass the result in as an argument.",
    "err.numpy-function": "{name} was called on a traced array, and tracegrad.numpy has no "
                          "'{short}', so it cannot be differentiated. Compose it from the "
                          "functions in tracegrad.numpy.__all__ (import tracegrad.numpy as "
                          "tnp){example}, or apply {name} outside the function you "
                          "differentiate.",
    "part.norm example": ", e.g. tnp.sqrt(tnp.sum(x ** 2))",
    "err.tolist": "x.tolist() of a traced value would turn it into Python numbers, which "
                  "{who} cannot follow (a gradient would be lost).\nKeep it an array: index "
                  "it (x[0]), loop over it (for v in x), or print(x) to see the numbers; to "
                  "use them after the step, return them (tg.value_and_grad(f) returns f's "
                  "value too, has_aux=True any other) and call .tolist() on the result. "
                  "tg.stop_gradient(x) gives a constant that stays an array.",
    "err.not-a-method": "x.{name}() is not a method of traced values (nor of NumPy's arrays; "
                        "PyTorch's tensors have it). Write {instead}.",
    "part.pow instead": "x ** p (or tnp.power(x, p))",
    "err.subscript": "a plain NumPy array is indexed by integers traced by {who} (under "
                     "vmap, each example has its own), and NumPy's indexing cannot pick a "
                     "different element for each example. Write tnp.take(a, k, axis=0), "
                     "which picks per example, or tg.nn.one_hot(k, n) for tnp.eye(n)[k].",
    "err.store": "x[i] = v stores a value traced by {who} into a plain NumPy array "
                 "(tnp.zeros, tnp.ones and np.zeros make plain arrays), which holds numbers "
                 "only: v's gradient would be lost. Collect the values in a list and stack "
                 "them, preds = tnp.stack([f(x) for x in X]), or build a new array each "
                 "time, preds = tnp.at(preds)[i].set(v) (preds.at[i].set(v) once preds is "
                 "traced).",
})

# numpy/: tracegrad.numpy's functions
EN.update({
    "err.int-cast": "tnp.{name}(x) of a traced value: a cast to {name} has no derivative and "
                    "would drop the gradient. Compare instead (x > 0), round with tnp.round, "
                    "or cast outside the function you differentiate. Float casts of traced "
                    "values go through x.astype(...) or tnp.asarray(x, dtype=...).",
    "err.linspace-args": "linspace: with a traced start or stop, tracegrad supports neither "
                         "retstep nor axis; compute the step as (stop - start) / (num - 1).",
    "err.linspace-num": "linspace: num must be non-negative, got {num}.",
    "err.clip": "clip: give a_min, a_max or both.",
    "err.where": "where: give both x and y, where(cond, x, y), or neither, where(cond), for "
                 "the positions where cond holds.",
    "err.axis": "{who}: axis {axis} is out of range for an array with {ndim} dimension(s); "
                "use an axis from {low} to {high}.",
    "err.matmul-scalar": "matmul: operands must be arrays with at least one axis, but the "
                         "shapes are {a} and {b}; use * for scalars.",
    "err.align": "{who}: shapes {a} and {b} do not align: the last axis of the first ({k_a}) "
                 "must equal the {which} axis of the second ({k_b}).",
    "part.only axis": "only",
    "part.second-to-last axis": "second-to-last",
    "err.reshape-two": "{who}: only one axis may be -1, got {new}.",
    "err.reshape-infer": "{who}: cannot reshape an array of shape {old} ({total} elements) "
                         "into {new}.",
    "err.reshape": "{who}: cannot reshape an array of shape {old} ({total} elements) into "
                   "shape {new} ({count} elements).",
    "err.transpose": "transpose: axes {axes} are not a permutation of the {n} axes of an "
                     "array of shape {shape}.",
    "err.squeeze": "squeeze: axis {axis} of shape {shape} has length {length}, not 1, so it "
                   "cannot be removed.",
    "err.broadcast": "broadcast_to: an array of shape {shape} cannot be broadcast to shape "
                     "{want}.",
    "err.concatenate": "concatenate: shapes {a} and {b} differ outside axis {axis}.",
    "err.stack": "stack: all arrays need the same shape, got {shapes}.",
    "err.no-function": "tracegrad.numpy has no '{name}'. The functions it differentiates are "
                       "listed in tracegrad.numpy.__all__; plain NumPy's np.{name} works on "
                       "ordinary arrays but not on traced values inside grad/jvp.",
})

# numpy/_shape.py, _indexing.py, _order.py: splitting, flipping, taking, padding, tnp.gradient
EN.update({
    "err.sections": "array_split: the number of sections must be larger than 0.",
    "err.split-equal": "split: an axis of length {n} cannot be split into {sections} equal "
                       "sections; use tnp.array_split for unequal ones.",
    "err.split-ndim": "{who} only works on arrays of {n} or more dimensions.",
    "err.fliplr": "fliplr: the array must have at least 2 dimensions.",
    "err.flipud": "flipud: the array must have at least 1 dimension.",
    "err.rot90": "rot90: the two axes must be different.",
    "err.moveaxis": "moveaxis: source and destination need the same number of axes.",
    "err.rollaxis": "rollaxis: start {start} is out of range for {n} dimensions.",
    "err.take-mode": "take: mode must be 'raise', 'wrap' or 'clip', not {mode}.",
    "err.take-along": "take_along_axis: indices need as many dimensions as the array ({n}), "
                      "got {got}.",
    "err.pad-mode": "pad: mode {mode} is not supported; use 'constant', 'edge', 'wrap', "
                    "'reflect' or 'symmetric'.",
    "err.gradient-spacing": "gradient: give one spacing, or one per axis ({axes}), not {got}.",
    "err.edge-order": "gradient: edge_order must be 1 or 2.",
    "err.gradient-small": "gradient: shape of array too small to calculate a numerical "
                          "gradient, at least (edge_order + 1) elements are required.",
    "err.gradient-coords": "gradient: the coordinates of axis {axis} must be a 1-D array of "
                           "its length ({length}), got shape {shape}.",
    "err.r_": "r_/c_: string directives ('0,2', 'r') are not supported; use tnp.concatenate "
              "or tnp.stack.",
})

# numpy/_elementwise.py, _order.py, _products.py, linalg.py
EN.update({
    "err.select": "select: condlist and choicelist must have the same length.",
    "err.quantile-method": "quantile: method {method} is not supported; use 'linear', "
                           "'midpoint', 'lower', 'higher' or 'nearest'.",
    "err.quantile-traced": "quantile: q must be a plain number or array, not a traced value.",
    "err.quantile-range": "quantile: q must be between 0 and 1 (percentile: 0 and 100).",
    "err.quantile-empty": "quantile (or median) of an empty slice: the result is nan",
    "err.einsum-count": "einsum: the subscripts {spec} name {want} operand(s), but {got} were "
                        "given.",
    "err.tensordot": "tensordot: shape mismatch for sum: axis {i} of a has length {n}, axis "
                     "{j} of b has {m}.",
    "err.cross": "cross: incompatible dimensions for cross product (dimension must be 2 or "
                 "3).",
    "err.diag": "diag: the input must be 1-D or 2-D.",
    "err.triangle": "{who}: the input must have at least 1 dimension, got a scalar.",
    "err.square": "{who}: the last two axes must form a square matrix, but the shape is "
                  "{shape}.",
    "err.matrix": "{who}: needs a matrix (or a stack of them), but the shape is {shape}.",
    "err.qr-mode": "qr: mode must be 'reduced', 'complete' or 'r' (tracegrad does not "
                   "support {mode}).",
    "err.norm-axis": "norm: axis must be an int or a pair of ints, not {axis}.",
    "err.norm-ord-matrix": "norm: ord {ord} is for matrices; give a pair of axes.",
    "err.norm-ord": "norm: invalid ord {ord} for a matrix norm.",
})

# lax/: the primitives' own checks
EN.update({
    "err.batch-matmul": "batch_matmul: both operands need the same batch axes and two matrix "
                        "axes, but the shapes are {a} and {b}.",
    "err.einsum-ellipsis": "einsum: '...' (ellipsis) is not supported; write out the axes "
                           "with letters, e.g. 'bij,bjk->bik'.",
    "err.einsum-repeat": "einsum: the subscript {sub} repeats an index (a diagonal); that is "
                         "not supported. Use tnp.diagonal-free forms, e.g. multiply by an "
                         "identity matrix.",
    "err.svd-full": "svd: U and Vᵀ with full_matrices=True of a {m}×{n} matrix (its extra "
                    "columns are any orthonormal completion, as in JAX) has no derivative (it "
                    "is not unique); pass full_matrices=False, or differentiate only the "
                    "singular values (compute_uv=False).",
    "err.qr-complete": "qr: Q with mode='complete' of a {m}×{n} matrix (its last {extra} "
                       "column(s) are any orthonormal completion) has no derivative (it is not "
                       "unique); use mode='reduced' (R of mode='complete' has a derivative).",
    "err.eig-complex": "linalg.eig: this matrix has complex eigenvalues, and tracegrad works "
                       "with real numbers only. For a symmetric matrix use linalg.eigh; "
                       "otherwise compute it with NumPy outside the traced function.",
    "err.branch-structure": "{who}: the branches (or the loop body and its initial value) "
                            "return different structures, {new} and {old}; under vmap, "
                            "where the examples differ, both are computed and must match.",
    "err.branch-shape": "{who}: the branches (or the loop body and its initial value) return "
                        "shapes {new} and {old}; under vmap, where the examples differ, they "
                        "must be the same.",
    "err.scan": "scan: give xs or length.",
    "err.index-per-example": "An index holds integers computed per example (under vmap): "
                             "that works alone, x[i] or x[i, :] (along the first axis); "
                             "elsewhere use tnp.take(x, i, axis) or tnp.take_along_axis(x, "
                             "i, axis).",
    "err.index-traced": "An index is a traced (differentiable) value; indices must be "
                        "integers, slices or boolean masks. Compute the index from plain "
                        "values, e.g. with tnp.argmax, which returns ints.",
    "err.derivative-none": "{name}: its derivative with respect to {argname} ({rule}) "
                           "returned None, but it must return ∂{name}/∂{argname}, an array "
                           "written with tnp operations (e.g. tnp.cosh(x) for sinh). Did you "
                           "forget `return`?",
})

# random.py: keys and draws
EN.update({
    "err.philox-kind": "philox: unknown kind {kind}",
    "err.seed-traced": "PRNGKey: the seed is a traced value (an input of vmap, jit or grad), "
                       "but a key is made from a plain int. Make the key outside and pass it "
                       "in, or derive keys from one key: random.fold_in(key, i) takes a traced "
                       "integer i, and random.split(key, n) gives n keys.",
    "err.seed-type": "PRNGKey: the seed must be an integer, got {seed} ({type}); write "
                     "PRNGKey(int(seed)) or PRNGKey(0).",
    "err.seed-range": "PRNGKey: the seed {seed} does not fit in 64 bits; use a seed from "
                      "-2**63 to 2**64 - 1 (e.g. seed % 2**32).",
    "err.split-num": "split: num must be a plain int ≥ 0 (how many keys), got {num}.",
    "err.fold-in-type": "fold_in: data must be one integer (a step number or an index), got "
                        "{got}; write fold_in(key, int(i)).",
    "err.fold-in-range": "fold_in: data must be from 0 to 2**32 - 1, got {data}.",
    "err.keys": "{who}: takes one key, shape (2,), but got keys of shape {shape}. For one "
                "draw per key, map over them: tg.vmap(lambda k: random.{who}(k, ...))(keys); "
                "or take one: keys[0].",
    "err.key-int": "{who}: the key is the int {key}, but a key is made from a seed first: "
                   "key = random.PRNGKey({key}), then random.{who}(key, ...).",
    "err.key": "{who}: a key is an array of two uint32 words, shape (2,), as "
               "random.PRNGKey(seed), random.split and random.fold_in make; got {got}. Make "
               "one with key = random.PRNGKey(0).",
    "part.array of dtype": "an array of shape {shape} and dtype {dtype}",
    "err.shape-type": "{who}: shape must be a tuple of plain ints, e.g. (3,) or (2, 4); got "
                      "{shape}.",
    "err.shape-negative": "{who}: shape {shape} has a negative size.",
    "err.float-dtype": "{who}: dtype must be a floating dtype (float64, float32 or float16), "
                       "got {dtype}; for integers use random.randint.",
    "err.fits": "{who}: {name} has shape {s}, which does not broadcast to shape={shape}, the "
                "shape of the result; give {name} a shape that does (or a number), or pass "
                "the shape you want.",
    "part.traced outside": "a traced value outside that range",
    "err.truncated-bounds": "truncated_normal: lower and upper must be plain numbers here (no "
                            "arrays, no traced values); for a traced scale or shift, draw "
                            "with plain bounds and compute mu + sigma * z.",
    "err.truncated-order": "truncated_normal: lower ({lower}) must be below upper ({upper}).",
    "err.truncated-mass": "truncated_normal: ({lower}, {upper}) holds only {mass} of the "
                          "normal's probability, and this sampler keeps the normal draws that "
                          "fall inside; use an interval nearer 0 (e.g. (-2, 2)).",
    "err.bernoulli": "bernoulli: p must be a probability, from 0 to 1, got {p}; for logits "
                     "use p = tg.nn.sigmoid(logits).",
    "err.categorical-axis": "categorical: logits must have at least one axis, one entry per "
                            "category; for two categories use random.bernoulli.",
    "err.categorical-range": "categorical: axis {axis} is out of range for logits of shape "
                             "{shape}.",
    "err.categorical-shape": "categorical: shape {shape} must end with {batch}, the shape of "
                             "logits {lshape} without axis {axis}; e.g. shape=(n,) + {batch}.",
    "err.randint-dtype": "randint: dtype must be an integer dtype, got {dtype}; for floats use "
                         "random.uniform.",
    "err.randint-range": "randint: maxval must be above minval (maxval is left out), got "
                         "minval {minval}, maxval {maxval}.",
    "err.permutation-n": "permutation: n must be ≥ 0, got {n}.",
    "err.permutation-0d": "permutation: x is a 0-d array; pass an int n for a permutation of "
                          "range(n), or an array with at least one axis.",
    "err.choice-0d": "choice: a is a 0-d array; pass an int n to choose from range(n), or an "
                     "array with at least one axis.",
    "err.choice-many": "choice: cannot take {k} entries from {n} without replacement; take at "
                       "most {n}, or pass replace=True.",
    "err.choice-empty": "choice: there is nothing to choose from (a has no entries).",
    "err.choice-p-shape": "choice: p has shape {shape}, but needs one probability per entry, "
                          "shape ({n},).",
    "err.choice-p": "choice: p must be probabilities, none negative and not all zero, got "
                    "{p}.",
    "err.random-axis": "{who}: axis {axis} is out of range for an array of shape {shape}.",
})


# tg.primitives(): English is each primitive's own docstring and convention (its row),
# beside its rules; another language translates them in its PRIMITIVES.
PRIMITIVES = {}
FORMULAS = {}

# drawing/ and widgets/: graphs, figures, the stepper and the explorer
EN.update({
    "err.graph-tangents": "graph: tangents must be a tuple with one tangent per argument in "
                          "argnums ({count}), e.g. tangents=(1.0,).",
    "err.save-format": "save: the format must be 'svg', 'pdf' or 'png' (from the file's "
                       "suffix, or format=), not {fmt}.",
    "err.save-dpi": "save: dpi must be a number of dots per inch between 10 and 2400 (300 for "
                    "print, 150 for slides), not {dpi}.",
    "err.save-theme": "save: theme must be one of {themes}, not {theme}.",
    "err.too-big": "save: this graph is too big for a slide: its smallest text is {ratio} of "
                   "a 16:9 slide's height (the projector theme aims at {target}). Draw less "
                   "of it: graph.collapse(...), max_nodes=, or a part with graph.path(name).",
    "err.light-theme": "the light theme must give each role its own colour",
    "err.type-ratio": "type_ratio: no <svg width=...pt height=...pt> in this SVG.",
    "err.not-png": "with_dpi: not a PNG file.",
    "err.graph-argnums-range": "graph: argnums={argnums} is out of range for {count} argument(s).",
    "err.evaluate-count": "evaluate takes the function's arguments, as it was called when the "
                          "graph was drawn: {want} argument(s), not {got}.",
    "err.evaluate-structure": "evaluate: argument {i} has the structure {new}, but the graph "
                              "was drawn with {old}.",
    "err.evaluate-constant": "evaluate: argument {i} was not differentiated (argnums="
                             "{argnums}), so the graph holds its value as a constant and "
                             "cannot take a new one. Draw the graph with argument {i} in "
                             "argnums.",
    "err.collapse": "collapse: no function named {names} in this graph; {rest}",
    "part.collapse functions": "the functions it can collapse are: {functions}.",
    "part.collapse none": "it has no function boxes to collapse.",
    "err.render-format": "render: format must be 'svg', 'png' or 'pdf', not {fmt}.",
    "err.unknown-name": "no value named {name} in this graph; {hint}the names are: {shown}.",
    "part.did you mean": "did you mean {close}? ",
    "part.or": " or ",
    "err.graph-option": "graph: unknown option(s) {unknown}; the options are {options}.",
    "err.graph-theme": "graph: theme must be one of {themes}, not {theme}.",
    "err.graph-rankdir": "graph: rankdir must be 'TB', 'LR', 'BT' or 'RL', not {rankdir}.",
    "err.graph-show": "graph: show may hold 'value', 'grad', 'tangent' and 'shape', not {bad}.",
    "err.graph-language": "graph: language must be one of {languages}, not {name}.",
    "err.graph-fold": "graph: fold must be True (draw a loop's repeated passes once) or False "
                      "(draw every pass), not {fold}.",
    "err.graph-positive": "graph: {option} must be a positive whole number, not {value}.",
    "err.path-no-output": "path: this graph has no traced output.",
    "err.graphviz": "Graphviz's `dot` program was not found, so the graph is shown as text.\n"
                    "Install Graphviz, then re-run the cell:\n"
                    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
                    "  macOS:          brew install graphviz\n"
                    "  conda:          conda install -c conda-forge graphviz\n"
                    "  Windows:        winget install graphviz  (or "
                    "https://graphviz.org/download/),\n"
                    "                  then add its bin folder to PATH\n"
                    "(`pip install graphviz` alone is not enough: it only installs the Python "
                    "wrapper.)",
    "err.graphviz-timeout": "Graphviz took longer than {timeout} s to lay out this graph. "
                            "Draw fewer nodes: pass max_nodes= (e.g. 200) or collapse= with "
                            "the names of functions to fold into single boxes.",
    "err.graphviz-failed": "Graphviz failed: {error}",
    "err.renderer": "renderer must be one of {renderers}, not {name}: e.g. tg.graph(f, "
                    "renderer='browser') or tg.set_renderer('dot').",
    "err.step-mode": "mode must be one of {modes}, not {mode}.",
    "err.no-backward": "This graph has no backward pass to step through: its output is not a "
                       "scalar, or it was drawn with argnums=None or tangents=. Draw it with "
                       "tg.graph(f, argnums=...)(...) for a scalar f, or use mode='forward'.",
    "err.no-tangents": "This graph carries no tangents. Draw it with tg.graph(f, "
                       "tangents=(v,))(x) to step through forward mode.",
    "err.need": "tracegrad.widgets needs {module} (and JupyterLab to show it). Install them "
                "with:  pip install ipywidgets anywidget jupyterlab   (or: pip install "
                "'tracegrad[lab]'), then restart the kernel.",
    "err.explore-signature": "explore: cannot read the parameters of this function; pass a "
                             "function defined with def.",
    "err.explore-unknown": "explore: {unknown} are not parameters of {signature}.",
    "err.explore-no-slider": "explore: parameter {name} has no slider and no default value; "
                             "pass {bare}=(low, high) or give it a default in the def.",
    "err.explore-range": "explore: the range of {name} must be (min, max), (min, max, value) "
                         "or (min, max, step, value).",
    "err.explore-start": "explore: the start value {value} of {name} is outside its range "
                         "({lo}, {hi}).",
    "err.stepper-function": "stepper: {name} is a function; the stepper needs its recorded "
                            "graph. Pass tg.graph({name})(...), called with {name}'s "
                            "arguments: tg.widgets.stepper(tg.graph({name})(params, x, y)).",
    "err.stepper-type": "stepper: expected a graph from tg.graph(f)(...), not {type}.",
    # the widgets' one-line text form (their repr)
    "repr.graphview": "GraphView({count} nodes, laid out in the browser)",
    "repr.stepper": "Stepper({mode}, {steps} steps over a graph of {nodes} nodes)",
    "part.pass reverse": "reverse pass",
    "part.pass forward": "forward pass",
    "part.pass tangent": "tangent pass",
    "repr.explorer": "Explorer({name}: sliders for {names})",
})

# forward.py (jvp) and tracegrad/__init__.py
EN.update({
    "err.jvp-tuples": "jvp(fun, primals, tangents): primals and tangents must be tuples with "
                      "one entry per argument, e.g. jvp(f, (x,), (v,)).",
    "err.jvp-structure": "jvp: primals and tangents must have the same structure, but they "
                         "are {primals} and {tangents}.",
    "err.jvp-shape": "jvp: tangent {k} has shape {shape} but its primal has shape {primal}; "
                     "they must match.",
    "err.no-attribute": "module 'tracegrad' has no attribute {name}",
})

# arguments.py: what the user passes to a transformation
EN.update({
    "the function": "the function",
    "hint.set": "a set has no order, so pass a list or a tuple of its arrays instead",
    "hint.dataclass": "pass its arrays in a dict, e.g. dataclasses.asdict(obj), and rebuild "
                      "the object inside the function if you need it",
    "hint.object": "pass its arrays in a tuple, list or dict, e.g. {{'w': obj.w, 'b': obj.b}}, "
                   "and rebuild the object inside the function if you need it",
    "err.not-callable": "{who} takes the function, not its value: {example}. It was given a "
                        "{kind}, which is not callable.",
    "err.generator": "{who}: {name} is a generator function (it contains `yield`), so calling "
                     "it gives a generator, not a value. Return the value instead of "
                     "yielding it.",
    "err.returned-none": "{who}: {name} returned None; did you forget `return`?",
    "err.int-input": "{who}: input {position} has dtype {dtype}, but derivatives are only "
                     "defined for floating-point inputs. Pass floats instead, e.g. "
                     "np.asarray(x, dtype=float) or 3.0 rather than an integer array (plain "
                     "Python ints and floats are accepted as they are). If it is not to be "
                     "differentiated (labels, a count), pass it as another argument, one that "
                     "argnums leaves out.",
    "err.not-pytree": "{who}: input {position} is a {kind}, which is not a pytree: tracegrad "
                      "looks for arrays inside tuples, lists, dicts and namedtuples only. To "
                      "differentiate with respect to its arrays, {hint}.",
    "err.list-input": "{who}: an input is a Python {kind} of {n} numbers, and a list is a "
                      "pytree of scalars: the function receives {n} separate traced scalars in "
                      "a {kind}, not an array, so array arithmetic on it fails. If you meant an "
                      "array, pass np.array({example}).",
    "err.tangent-int": "{who}: tangent {position} has dtype {dtype}, but its primal is "
                       "floating-point ({primal}), and a tangent has its primal's dtype. Pass "
                       "floats, e.g. np.ones(3) rather than np.ones(3, dtype=int).",
    "err.argnums-type": "{who}: argnums={argnums} is not a position: argnums is the position "
                        "of the argument to differentiate (an int, 0 for the first) or a tuple "
                        "of positions, e.g. argnums=1 or argnums=(0, 1). Names are not "
                        "accepted: pass the arguments to differentiate positionally.",
    "err.argnums-none": "{who}: the function was called with no positional arguments, so "
                        "there is nothing to differentiate (argnums={argnums}). Pass the "
                        "arguments to differentiate positionally, e.g. grad_f(x) rather than "
                        "grad_f(x=x); keyword arguments are held constant.",
    "err.argnums-range": "{who}: argnums={argnums} is out of range: the function was called "
                         "with {nargs} positional argument(s), so argnums must be between 0 "
                         "and {last}. Pass the arguments to differentiate positionally.",
    "err.argnums-repeated": "{who}: argnums={argnums} names argument {position} more than "
                            "once; each argument can be differentiated only once, so list "
                            "each position once, e.g. argnums={once}.",
    "err.scalar-container": "{who}: the function must return one scalar, but it returned a "
                            "{kind}.",
    "err.scalar-container-aux": "{who}: the function must return one scalar, but it returned "
                                "a {kind}; to return extra values next to the loss, return "
                                "(loss, extra) and pass has_aux=True.",
    "err.scalar-one": "{who}: the function must return a scalar (shape ()), but it returned "
                      "an array of shape {shape} holding one number. Return out.squeeze(), or "
                      "index it down to that number: out[{index}].",
    "err.scalar-shape": "{who}: the function must return a scalar, but it returned an array "
                        "of shape {shape}. grad is for scalar outputs such as a loss. Reduce "
                        "it (e.g. .sum() or .mean()), or use tg.jacrev(fun) for the whole "
                        "Jacobian, or tg.vjp(fun, x) to pull back a cotangent of shape "
                        "{shape}.",
    "err.scalar-dtype": "{who}: the function returned a value of dtype {dtype}; a gradient "
                        "needs a floating-point output.",
})

# core.py: tracers and traces
EN.update({
    "complex.result": "{name} of real arguments gave a complex result",
    "complex.argument": "argument {argument} of {name} is a complex value ({dtype})",
    "complex.input": "input {k} of {who} is a complex value ({dtype})",
    "complex.tangent": "a tangent or cotangent is complex ({dtype}) where its value is real "
                       "({real})",
    "err.complex": "{what}. tracegrad works over real numbers only: a complex value inside "
                   "grad, jvp, vjp, vmap or jit would lose its imaginary part somewhere and give "
                   "a wrong derivative without a word. Write the complex arithmetic with two "
                   "real arrays (real and imaginary parts: e^(ix) = cos x + i·sin x), or compute "
                   "the complex part outside the function you transform.",
    "and": " and ",
    "err.shape-args": "{name}: cannot apply to arguments of shapes {shapes}: {error}",
    "escaped.array": ", then given to np.array() (or plt.plot, which calls it)",
    "escaped.number": ", then given to {kind}()",
    "err.escaped": "a traced value escaped from {who}, which has already finished: it was kept "
                   "while {who} ran (appended to a list, stored in a global or an "
                   "attribute){how}. A list filled inside the function holds such traced "
                   "values, not numbers, and their derivative bookkeeping is gone, so any "
                   "result would be wrong. To log a loss, log the number after the step: "
                   "`loss, g = tg.value_and_grad(f)(w)` then `hist.append(float(loss))`. To get "
                   "any other value out, return it: for grad or vjp return (output, value) and "
                   "pass has_aux=True; for jvp return it as an extra output.",
    "err.len-scalar": "len() of a 0-d (scalar) traced array",
    "err.asarray": "np.asarray()/np.array() was called on a traced array; converting it to a "
                   "plain NumPy array would silently drop its gradient. Inside a function you "
                   "differentiate, use tracegrad.numpy (import tracegrad.numpy as tnp) instead "
                   "of numpy for this step. To use the numbers themselves on purpose, return "
                   "them (has_aux=True) or compute with them outside the function you "
                   "differentiate.",
    "math.for": "{tnp}(x) for math.{math}",
    "err.math": "math.{function}() takes plain Python numbers, so it called float() on a value "
                "traced by {who}, and the result would have no gradient.\nUse {uses}: "
                "tracegrad.numpy (import tracegrad.numpy as tnp) works on traced values and "
                "plain arrays alike.",
    "number.math": "Python's math module calls float() too: write tnp.exp, tnp.log, tnp.sqrt, "
                   "tnp.sin, tnp.tanh (and so on) for math.exp, math.log, math.sqrt, math.sin, "
                   "math.tanh.",
    "err.number": "{kind}() of a value traced by {who} would drop its gradient: the result is "
                  "a plain number that {who} cannot follow.\nKeep it an array and use "
                  "tracegrad.numpy on it; for a branch, compare instead (`if x > 0:` works); to "
                  "print it, print(x); to use the number after the step, return it: "
                  "tg.value_and_grad(f) returns f's value too, has_aux=True any other.{more}",
})

# jit.py: its errors and warnings (JitWarning), and why it runs eagerly
EN.update({
    "jit.versions": "tg.jit({name}) has {count} compiled versions; .source(x, ...) shows the "
                    "one that serves those arguments:",
    "jit.version": "{k}. for {signature}",
    "jit.version guard": " (guard at {where})",
    "jit.latest": "The latest, number {count}:",
    "jit.shows": "shows a traced value (print, repr or format)",
    "jit.why guard": "a guard failed again after {limit} compiled versions (the branch at "
                     "{where})",
    "jit.why impure": "it {what} at {where}; compiled code would not do that again",
    "err.jit-static-type": "jit: static_argnums must be integers, got {static}.",
    "err.jit-static-range": "jit({name}): static_argnums={static} is out of range for a call "
                            "with {nargs} positional argument(s).",
    "err.jit-static-hash": "jit({name}): static argument {position} must be hashable (it is "
                           "part of the cache key), but it is a {kind}; pass a tuple instead of "
                           "a list, or trace it (remove it from static_argnums).",
    "err.jit-finished": "jit({name}): argument leaf {k} is a traced value from a "
                        "transformation that has finished.",
    "err.jit-leaf": "jit({name}): an argument (leaf {k}) is a {kind}, which cannot be traced: "
                    "only arrays and numbers can. If it only steers the computation, mark it "
                    "static: tg.jit({name}, static_argnums=(...)).",
    "err.jit-random": "tg.jit({name}) drew numbers from NumPy's global random state "
                      "(np.random.rand, np.random.normal, ...) while tracing: the numbers drawn "
                      "are constants of the compiled code, so every call reuses the very same "
                      "ones (the same dropout mask, the same noise). Draw them with tg.random "
                      "from a key passed as an argument instead, a new key for each call: "
                      "`key, sub = tg.random.split(key)`, then `tg.random.uniform(sub, x.shape)` "
                      "inside the function.",
    "err.jit-names": "tg.jit({name}): tracing again to find the names gave a different program "
                     "(random numbers drawn inside the function?), so the source keeps plain "
                     "names (t1, arg0) and the compiled code stays as it was.",
    "err.jit-eager": "tg.jit({name}) runs eagerly from now on for arguments like these: {why}.",
    "err.jit-nothing-yet": "jit({name}).source() with no arguments shows the code compiled "
                           "last, but nothing is compiled yet. Call the function first, or "
                           "pass the arguments to compile for: .source(x, ...), as you call it.",
    "err.jit-no-code": "jit({name}): there is no compiled code for these arguments; the "
                       "function runs eagerly because {why}.",
    "err.jit-not-callable": "jit: expected a function, got {kind}.",
})

# reverse.py: vjp, grad and their pullbacks
EN.update({
    "leaf": "leaf {k}",
    "of argument": "{path} of argument {i}",
    "zero.argument": "argument {i}, which grad differentiates",
    "zero.arguments": "arguments {i}, which grad differentiates",
    "err.aux-pair": "{who}(..., has_aux=True): the function must return a pair (output, aux), "
                    "but it returned {kind}.",
    "err.cotangent-tree": "{who}: the cotangent must have the structure of the output, {out}, "
                          "but has {tree}.",
    "err.cotangent-shape": "{who}: the cotangent has shape {shape} but the output has shape "
                           "{out}; they must match.",
    "err.zero-gradient": "{who}: the output does not depend on {inputs}: no differentiable "
                         "operation in {name} used it, so the gradient is zero. Does {name} "
                         "read a global (W) instead of its argument (w)? Compute the output "
                         "from the argument; to differentiate another argument, pass argnums. "
                         "If it is meant (a constant, or a step function built from "
                         "comparisons), silence this with "
                         "warnings.simplefilter('ignore', tg.ZeroGradientWarning).",
})

# vmap.py: batching, in_axes and out_axes
EN.update({
    "vmap.argument": "argument {k}",
    "vmap.output": "the output",
    "vmap.disagree": "the examples disagree: it is {first} for example 0 and {other} for "
                     "example {k}, and Python can take only one branch for the whole batch",
    "vmap.axis from": "use an axis from {low} to {high}",
    "vmap.scalar": "a scalar has no axis to map over",
    "vmap.list": "{what} is a list or tuple, which vmap reads as a pytree of separate inputs "
                 "(one per entry, as JAX does), and a number has no axis to map over. To map "
                 "over its entries, pass an array: np.array([...])",
    "vmap.size": "{where} has {size} (axis {ax} of shape {shape})",
    "err.vmap-empty-loop": "vmap: {name} has no batching rule, and over a batch of 0 examples "
                           "the loop that replaces it cannot tell the shape of the result. "
                           "Give the batch at least one example.",
    "err.len-scalar-batched": "len() of a 0-d (scalar) value",
    "err.vmap-ambiguous": "{kind}() of an array with {size} elements is ambiguous (NumPy's "
                          "rule); use .any() or .all().",
    "err.vmap-bug": "vmap: tracegrad's own code ({module}, {where}) asked for {kind}() of a "
                    "batched value, but {disagree}. This is a bug in tracegrad, not in your "
                    "code: please report it. Until it is fixed, loop over the examples in "
                    "Python instead of using vmap for this function.",
    "err.vmap-branch": "vmap: {kind}() of a batched value at {where}, e.g. a Python `if` or "
                       "`while` on it, but {disagree}. Write the choice with "
                       "tnp.where(cond, a, b), which chooses per example (lax.cond, lax.switch "
                       "and lax.while_loop do too), or move the branch out of the function you "
                       "vmap.",
    "err.vmap-asarray": "np.asarray()/np.array() was called on a batched value inside vmap; "
                        "one NumPy array cannot stand for every example. Use tracegrad.numpy "
                        "(tnp) for this step, or take the value out of the vmapped function's "
                        "result.",
    "err.vmap-empty": "vmap: {name} on a batch of 0 examples: there is no example to compute "
                      "its result's shape from.",
    "err.vmap-ragged": "vmap: {name} gives results of different shapes for different examples "
                       "({shapes}), but a batch holds one shape for all its examples. Compute "
                       "it outside the function you vmap, or keep the shape fixed (e.g. "
                       "tnp.where(cond, x, 0) instead of the positions where cond holds).",
    "err.in-axes-count": "{who}: in_axes has {n} entries but the function was called with "
                         "{nargs} positional argument(s); give one entry per argument (e.g. "
                         "in_axes={example}), or one int or None for all of them.",
    "err.in-axes-dict": "{who}: in_axes is a dict, but it must be an int, None, or a tuple with "
                        "one entry per positional argument; for a dict argument write "
                        "in_axes=({spec},).",
    "err.axes-type": "{who}: {name} holds {spec}, but an axis must be an int or None (in a "
                     "tuple, list or dict that matches the arguments' structure).",
    "err.axes-structure": "{who}: {name} is {spec}, which does not match the structure of "
                          "{where}, {tree} (* is an array). Give {name} the same structure (the "
                          "same keys, the same number of entries), or one int or None for all "
                          "of {where}.",
    "err.in-axes-range": "{who}: in_axes {ax} is out of range for {where}, of shape {shape}; "
                         "{hint}, or None to give every example the same value.",
    "err.vmap-nothing": "{who}: no input is mapped (in_axes is None for every argument, or "
                        "there are no array arguments), so there is no batch to run over. Give "
                        "at least one input a batch axis, e.g. in_axes=0.",
    "err.vmap-sizes": "{who}: the mapped inputs have different numbers of examples: {listed}. "
                      "Every mapped input needs the same number; use None in in_axes for an "
                      "input that all the examples share.",
    "err.out-axes-none": "{who}: out_axes is None for {where}, but it differs from example to "
                         "example (it depends on a mapped input). Give it an int out_axes to "
                         "stack the examples, or return only what every example shares.",
    "err.out-axes-range": "{who}: out_axes {ax} is out of range for {where}, of shape {shape} "
                          "per example; use an axis from {low} to {high}.",
})

# core.py: NumPy's warnings, said again at the user's line
EN.update({
    "numpy.warning": "{kind} encountered{where}{why}",
    "numpy.divide by zero": "divide by zero",
    "numpy.invalid value": "invalid value",
    "numpy.overflow": "overflow",
    "numpy.underflow": "underflow",
    "numpy.in": " in {name}",
    "numpy.in numpy": " in a NumPy function",
    "numpy.computing": ", computing {rule}",
    "numpy.computing alone": " computing {rule}",
    "numpy.forward rule": "the derivative of {name} (forward mode)",
    "numpy.backward rule": "the derivative of {name} (backward pass)",
    # usercode.py: a place in a notebook cell
    "usercode.cell line": "{name}, line {line}",
})

# program.py: a program run again on new arguments
EN.update({
    "usercode.inside": "{where} (in {name})",
    "err.program-arguments": "evaluate: the program was recorded with {want} as its inputs, "
                             "but got {got}. Pass the arguments as the traced function was "
                             "called, with the same structure.",
})

# widgets/player.py and static/player.js: the trace player
EN.update({
    "trace.player": "trace player: the function's lines run one by one, each operation recorded",
    "trace.source": "source of {name}: arrow keys choose a line, and its nodes are ringed",
    "trace.start": "Before the first line: the inputs {inputs}",
    "trace.no inputs": "Before the first line: no inputs",
    "trace.phase forward": "recording (forward pass)",
    "trace.phase backward": "backward pass",
    "trace.line": "line {line}",
    "trace.pass": "{name}, loop on line {line}: pass {number} of {total}",
    "trace.no source": "(the source of {name} cannot be read)",
    "trace.made on": "{name} was recorded on line {line}",
    "trace.line made": "line {line} recorded: {names}",
    "trace.line none": "line {line} has recorded nothing yet",
    "repr.trace": "TracePlayer({name}: {ops} operations recorded, {steps} steps)",
    "err.trace-graph": "tg.widgets.trace: a graph carries no source code to show. Pass the "
                       "function and its arguments: tg.widgets.trace(f, x); or step through "
                       "this graph with tg.widgets.stepper(graph).",
    "err.trace-function": "tg.widgets.trace: expected a function to run and record, not {type}: "
                          "tg.widgets.trace(f, x).",
})

# widgets/explorer.py and static/explorer.js: the explorer, second edition
EN.update({
    "explorer": "explorer: sliders, the function along each, its tangent and gradient",
    "explorer.along": "{out} along {name}",
    "explorer.slope": "slope of the tangent: ∂{out}/∂{name} = {slope}",
    "explorer.contour": "level lines of {out} over {x} and {y}",
    "explorer.gradient": "∇{out}: the gradient, uphill",
    "explorer.descent": "−∇{out}: the way down",
    "explorer.point": "the point ({x}, {y}), {out} = {value}",
    "explorer.step": "Descent step",
    "explorer.rate": "learning rate",
    "explorer.clear": "Clear the trail",
    "explorer.trail": "{count} steps taken",
    "explorer.grid": ("Values and gradients were computed at the {points} points of the "
                      "sliders' grid when the cell ran: the sliders work without a kernel."),
    "explorer.kernel": ("{points} grid points are too many to compute in advance: each move "
                        "of a slider asks the kernel."),
    "explorer.snap": "A descent step lands on the nearest point of the sliders' grid.",
    "explorer.graph": "The graph, recorded at the starting point:",
    "err.explore-nothing": "explore: no slider was given; name a parameter and its range, "
                           "e.g. explore(f, {name}=(-2, 2)).",
})

# words.counted: a count and its noun, agreeing
EN.update({
    "lec.operations counted": "operation|operations|operations",
    "lec.clipped 5 to 1": "5, clipped to 1",
    "lec.at 0, fixed": "at 0, fixed",
    "lec.at −2": "at −2",
    "lec.constant": "const",
    "lec.at 0": "at 0",
    "lec.at 2": "at 2",
})
