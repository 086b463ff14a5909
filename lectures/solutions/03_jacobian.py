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
