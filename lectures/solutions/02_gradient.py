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
