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

# %% test 1
# hidden tests of the nbgrader assignment (tools/build_assignments.py): each assert is one test
def t_loss(params, inputs, targets):                      # loss_fun in plain NumPy
    for W, b in params:
        outputs = inputs @ W + b
        inputs = np.tanh(outputs)
    return np.mean((outputs - targets) ** 2)

t_params = init_params([1, 4, 1], np.random.default_rng(5))    # another, smaller network
t_x = np.linspace(-1, 1, 6).reshape(-1, 1)
t_y = np.cos(3 * t_x)
assert np.shape(grad_b_last(t_params, t_x, t_y)) == (1,)
assert np.allclose(grad_b_last(t_params, t_x, t_y),
                   tg.numerical_grad(lambda b: t_loss(t_params[:-1] + [(t_params[-1][0], b)],
                                                      t_x, t_y), t_params[-1][1]), rtol=1e-6)

# %% test 2
assert np.shape(grad_W_last(t_params, t_x, t_y)) == np.shape(t_params[-1][0])     # (4, 1)
assert np.allclose(grad_W_last(t_params, t_x, t_y),
                   tg.numerical_grad(lambda W: t_loss(t_params[:-1] + [(W, t_params[-1][1])],
                                                      t_x, t_y), t_params[-1][0]), rtol=1e-6)

# %% test 3
# per layer dot, add, tanh; for the loss subtract, square, mean (sum and divide): 3·4 + 4
assert my_count == 3 * 4 + 4
assert my_count == tg.graph(loss_fun)(init_params([1, 8, 8, 8, 1], np.random.default_rng(7)),
                                      x, y).num_ops      # the values do not change the count
