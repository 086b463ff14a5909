"""Lecture 07: reference solutions and wrong answers (see tests/test_exercises.py)."""

# %% exercise 1
def value_tanh(v):
    t = math.tanh(v.data)
    return Value(t, (v,), (1 - t * t,), "tanh")

# %% wrong 1
def value_tanh(v):
    t = math.tanh(v.data)
    return Value(t, (v,), (t,), "tanh")                   # tanh instead of its derivative

# %% exercise 2
def value_div(u, v):
    return Value(u.data / v.data, (u, v), (1 / v.data, -u.data / v.data ** 2), "div")

# %% wrong 2
def value_div(u, v):
    return Value(u.data / v.data, (u, v), (1 / v.data, -u.data / v.data), "div")   # −u/v, not −u/v²

# %% test 1
# hidden tests of the nbgrader assignment (tools/build_assignments.py): each assert is one test
assert np.isclose(value_tanh(Value(0.3)).data, np.tanh(0.3))
assert np.isclose(value_tanh(Value(0.3)).local_grads[0], 1 / np.cosh(0.3) ** 2)   # sech²
assert np.isclose(engine_grad(lambda u: value_tanh(u * u), 0.7)[0],
                  tg.numerical_grad(lambda u: np.tanh(u * u), 0.7), rtol=1e-6)

# %% test 2
assert np.isclose(value_div(Value(3.0), Value(4.0)).data, 0.75)
assert np.allclose(value_div(Value(3.0), Value(4.0)).local_grads, (1 / 4, -3 / 16))
# u·v / (u + v): u and v each reach the division along two paths
assert np.allclose(engine_grad(lambda u, v: value_div(u * v, u + v), 1.5, 0.5),
                   [tg.numerical_grad(lambda u: u * 0.5 / (u + 0.5), 1.5),
                    tg.numerical_grad(lambda v: 1.5 * v / (1.5 + v), 0.5)], rtol=1e-6)
