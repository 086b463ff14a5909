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
