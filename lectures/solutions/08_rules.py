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

# %% test 1
# hidden tests of the nbgrader assignment (tools/build_assignments.py): each assert is one test
t_sinh = lax.elementwise("t_sinh", np.sinh, (d_my_sinh,), ("?",))
assert np.isclose(tg.grad(t_sinh)(0.9), tg.numerical_grad(np.sinh, 0.9), rtol=1e-6)
# the rule is traced (tnp, not np), so the second derivative is right too: sinh″ = sinh
assert np.isclose(tg.grad(tg.grad(t_sinh))(0.4), np.sinh(0.4))

# %% test 2
# ℓ′(x) = σ(−x) = 1 / (1 + eˣ), at points where that is computed without overflow
assert np.allclose(tg.grad(lambda p: log_sigmoid(p).sum())(np.array([-30.0, 2.0])),
                   1 / (1 + np.exp([-30.0, 2.0])), rtol=1e-8)
assert np.isclose(tg.grad(log_sigmoid)(-1000.0), 1.0)        # stable where e⁻ˣ overflows
assert np.isclose(tg.jvp(log_sigmoid, (0.3,), (2.0,))[1],
                  2 * tg.numerical_grad(lambda x: -np.log1p(np.exp(-x)), 0.3), rtol=1e-6)
