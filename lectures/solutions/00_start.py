"""Lecture 00: reference solutions (``# %% exercise N``) and a wrong answer for
each (``# %% wrong N``). tests/test_exercises.py runs every check on both."""

# %% exercise 1
# ∂C₀/∂z⁽ᴸ⁾ = 2(a⁽ᴸ⁾ − y) σ′(z⁽ᴸ⁾) with z⁽ᴸ⁾ = 0.5·0.8 + 0.1 = 0.5, the value on the graph
a = 1 / (1 + np.exp(-0.5))
dC0_dz = round(2 * (a - 1.0) * a * (1 - a), 3)

# %% wrong 1
# the red line of w⁽ᴸ⁾, not of z⁽ᴸ⁾
dC0_dz = round(float(graph.grads[graph.node("w⁽ᴸ⁾")]), 3)

# %% exercise 2
def dC0_db(w, b, a_prev, y):
    z = w * a_prev + b
    a = 1 / (1 + np.exp(-z))
    return 2 * (a - y) * a * (1 - a)

# %% wrong 2
def dC0_db(w, b, a_prev, y):
    z = w * a_prev + b
    a = 1 / (1 + np.exp(-z))
    return 2 * (a - y)          # forgets σ′(z)
