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
