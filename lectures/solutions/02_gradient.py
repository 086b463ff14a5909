"""Lecture 02: reference solutions and wrong answers (see tests/test_exercises.py)."""

# %% exercise 1
def directional(f, x, u):
    return np.dot(tg.grad(f)(x), u)

# %% wrong 1
def directional(f, x, u):
    return np.dot(tg.grad(f)(x), u[::-1])     # the components of u swapped

# %% exercise 2
def grad_C0_by_hand(w, a_prev, b=0.1, y=1.0):
    z = np.dot(w, a_prev) + b
    a = 1 / (1 + np.exp(-z))
    return 2 * (a - y) * a * (1 - a) * a_prev

# %% wrong 2
def grad_C0_by_hand(w, a_prev, b=0.1, y=1.0):
    z = np.dot(w, a_prev) + b
    a = 1 / (1 + np.exp(-z))
    return 2 * (a - y) * a * (1 - a) * w      # w instead of a⁽ᴸ⁻¹⁾

# %% exercise 3
# along x₂ the curvature is 20, so lr must stay below 2/20 = 0.1; 0.05 halves x₂'s
# error every step, and x₁ (curvature 2) shrinks by 0.9 per step: 0.9¹⁰⁰·2 ≈ 5e-5
lr = 0.05

# %% wrong 3
lr = 0.1                                      # x₂ ← x₂ − 0.1·20·x₂ = −x₂: it oscillates for ever

# %% test 1
# hidden tests of the nbgrader assignment (tools/build_assignments.py): each assert is one test
diagonal = np.array([1.0, 1.0]) / np.sqrt(2)
assert np.isclose(directional(f, x0, diagonal), np.dot(tg.grad(f)(x0), diagonal))
# in 3-D: ∇Σv³ = 3v², so along u = (0, 0.6, 0.8) at (0.3, −0.2, 0.5): 3(0.6·0.04 + 0.8·0.25)
assert np.isclose(directional(lambda v: tnp.sum(v ** 3), np.array([0.3, -0.2, 0.5]),
                              np.array([0.0, 0.6, 0.8])), 0.672)

# %% test 2
assert np.shape(grad_C0_by_hand(w, a_prev)) == np.shape(a_prev)     # one number per weight
w7, a7 = np.linspace(-1, 1, 7), np.linspace(0, 1, 7)                # another neuron, 7 inputs
assert np.allclose(grad_C0_by_hand(w7, a7), tg.grad(C0)(w7, a7))

# %% test 3
assert 0 < lr < 0.1                                 # stable along x₂: |1 − 20·lr| < 1
assert np.linalg.norm(gradient_descent(bowl, [-1.0, 2.0], lr=lr, steps=150)[-1]) < 1e-3
