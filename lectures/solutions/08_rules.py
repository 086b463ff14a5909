"""Lecture 08: reference solutions and wrong answers (see tests/test_exercises.py)."""

# %% exercise 1
def d_my_sinh(out, x):
    return tnp.cosh(x)

# %% wrong 1
def d_my_sinh(out, x):
    return out                                  # sinh, not its derivative

# %% exercise 2
@log_sigmoid.defjvp
def log_sigmoid_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return log_sigmoid(x), tg.nn.sigmoid(-x) * x_dot

# %% wrong 2
@log_sigmoid.defjvp
def log_sigmoid_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return log_sigmoid(x), tg.nn.sigmoid(x) * x_dot     # σ(x) instead of σ(−x)
