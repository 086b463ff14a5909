"""Lecture 03: reference solutions and wrong answers (see tests/test_exercises.py)."""

# %% exercise 1
def jacobian_of_g(x):
    return np.array([[x[1], x[0]],
                     [np.exp(x[0]), 0.0],
                     [0.0, 2 * x[1]]])

# %% wrong 1
def jacobian_of_g(x):
    return np.array([[x[1], np.exp(x[0]), 0.0],       # transposed: 2 × 3
                     [x[0], 0.0, 2 * x[1]]])

# %% exercise 2
def row(f, x, i):
    out, vjp_fun = tg.vjp(f, x)
    e_i = np.zeros(np.shape(out))
    e_i[i] = 1.0
    return vjp_fun(e_i)[0]

# %% wrong 2
def row(f, x, i):
    out, vjp_fun = tg.vjp(f, x)
    e_i = np.zeros(np.shape(out))
    e_i[i] = 1.0
    return vjp_fun(e_i)[0] * 2                         # twice the row

# %% exercise 3
def cheaper_mode(n, m):
    return "rev" if n > m else "fwd"

# %% wrong 3
def cheaper_mode(n, m):
    return "rev"                                       # reverse mode is not always cheaper

# %% test 1
# hidden tests of the nbgrader assignment (tools/build_assignments.py): each assert is one test
assert np.shape(jacobian_of_g(np.array([1.0, 2.0]))) == (3, 2)       # m × n: a row per output
# by hand at (0, 3): ∇(x₁x₂) = (x₂, x₁) = (3, 0), ∇eˣ¹ = (1, 0), ∇x₂² = (0, 6)
assert np.allclose(jacobian_of_g(np.array([0.0, 3.0])), [[3.0, 0.0], [1.0, 0.0], [0.0, 6.0]])

# %% test 2
A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
assert np.allclose(row(lambda v: A @ v, np.array([0.5, -1.0]), 2), [5.0, 6.0])   # J of Av is A
assert np.shape(row(layer, a_prev, 0)) == np.shape(a_prev)

# %% test 3
assert cheaper_mode(1000, 1) == "rev" and cheaper_mode(1, 1000) == "fwd"   # a loss; a curve
