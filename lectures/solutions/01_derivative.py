"""Lecture 01: reference solutions and wrong answers (see tests/test_exercises.py)."""

# %% exercise 1
def central_difference(fun, x, h):
    return (fun(x + h) - fun(x - h)) / (2 * h)

# %% wrong 1
def central_difference(fun, x, h):
    return (fun(x + h) - fun(x)) / h          # the forward difference

# %% exercise 2
def second_difference(fun, x, h):
    return (fun(x + h) - 2 * fun(x) + fun(x - h)) / h ** 2

# truncation ~ h², round-off ~ ε/h²: they balance near h = ε^(1/4) ≈ 1e-4
h_best = 1e-4

# %% wrong 2
def second_difference(fun, x, h):
    return (fun(x + h) - 2 * fun(x) + fun(x - h)) / h ** 2

h_best = 1e-8                                 # round-off ε/h² ≈ 1 swamps it

# %% exercise 3
def logistic_with_derivative(x, n):
    l, dl = x, 1.0
    for _ in range(n - 1):
        l, dl = 4 * l * (1 - l), 4 * (1 - 2 * l) * dl
    return l, dl

# %% wrong 3
def logistic_with_derivative(x, n):
    l, dl = x, 1.0
    for _ in range(n - 1):
        l = 4 * l * (1 - l)
        dl = 4 * (1 - 2 * l) * dl             # uses the new l instead of the old one
    return l, dl

# %% test 1
# hidden tests of the nbgrader assignment (tools/build_assignments.py): each assert is one test
assert np.isclose(central_difference(lambda x: x ** 2, 3.0, 0.5), 6.0)   # exact on a parabola
assert np.isclose(central_difference(np.exp, 0.0, 1e-4), 1.0, rtol=0, atol=1e-8)

# %% test 2
assert np.isclose(second_difference(lambda x: x ** 3, 2.0, 0.1), 12.0)  # exact on a cubic: 6x
assert 1e-5 <= h_best <= 1e-2             # near ε^(1/4) ≈ 1e-4
assert abs(second_difference(np.cos, 0.7, h_best) + np.cos(0.7)) < 1e-6     # cos″ = −cos

# %% test 3
# with x = sin²θ the map at r = 4 is l_n = sin²(2ⁿ⁻¹θ), so l_n′ = 2ⁿ⁻¹ sin(2ⁿθ) / sin 2θ
t_theta = np.arcsin(np.sqrt(0.3))
assert np.isclose(logistic_with_derivative(0.3, 6)[0], np.sin(2 ** 5 * t_theta) ** 2)
assert np.isclose(logistic_with_derivative(0.3, 6)[1],
                  2 ** 5 * np.sin(2 ** 6 * t_theta) / np.sin(2 * t_theta))
assert np.allclose(logistic_with_derivative(0.2, 2), (0.64, 2.4))        # 4x(1 − x), 4 − 8x
