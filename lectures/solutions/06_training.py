"""Lecture 06: reference solutions and wrong answers (see tests/test_exercises.py)."""

# %% exercise 1
def grad_b_last(params, x, y):
    return np.mean(2 * (predict(params, x) - y), axis=0)

# %% wrong 1
def grad_b_last(params, x, y):
    return np.mean(predict(params, x) - y, axis=0)        # forgets the 2 of (a − y)²

# %% exercise 2
def grad_W_last(params, x, y):
    a_prev = np.tanh(predict(params[:-1], x))             # A⁽ᴸ⁻¹⁾, n × 16
    delta = 2 * (predict(params, x) - y)                  # δ⁽ᴸ⁾, n × 1
    return a_prev.T @ delta / len(x)

# %% wrong 2
def grad_W_last(params, x, y):
    a_prev = predict(params[:-1], x)                      # z⁽ᴸ⁻¹⁾: the activation is missing
    delta = 2 * (predict(params, x) - y)
    return a_prev.T @ delta / len(x)

# %% exercise 3
# three primitives per layer (matmul, add, tanh) and four for the loss: 3·4 + 4
my_count = 16

# %% wrong 3
my_count = 13                                             # the count for three layers
