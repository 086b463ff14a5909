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

# %% test 1
# hidden tests of the nbgrader assignment (tools/build_assignments.py): each assert is one test
# ∂z/∂b = 1, so ∂C₀/∂z⁽ᴸ⁾ is the slope of C₀ = (σ(z) − 1)² at z = 0.5·0.8 + 0.1 = 0.5
def t_cost_of_z(z):
    return (1 / (1 + np.exp(-z)) - 1.0) ** 2

assert abs(dC0_dz - tg.numerical_grad(t_cost_of_z, 0.5)) < 1e-3
assert dC0_dz < 0                         # a⁽ᴸ⁾ < y: raising z lowers the cost

# %% test 2
def t_cost(w, b, a_prev, y):              # C₀ in plain NumPy
    return (1 / (1 + np.exp(-(w * a_prev + b))) - y) ** 2

assert np.isclose(dC0_db(-1.2, 0.3, 2.0, 0.0),
                  tg.numerical_grad(t_cost, -1.2, 0.3, 2.0, 0.0, argnums=1), rtol=1e-6)
assert np.isclose(dC0_db(0.0, 0.0, 1.0, 0.5), 0.0)    # a⁽ᴸ⁾ = σ(0) = y: the minimum
