"""Lecture 04: reference solutions and wrong answers (see tests/test_exercises.py)."""

# %% exercise 1
def dC0_db2(w1, b1, w2, b2, w3, b3, x, y):
    z1 = w1 * x + b1;   a1 = sigma_np(z1)
    z2 = w2 * a1 + b2;  a2 = sigma_np(z2)
    z3 = w3 * a2 + b3;  a3 = sigma_np(z3)
    return 2 * (a3 - y) * dsigma_np(z3) * w3 * dsigma_np(z2) * 1.0

# %% wrong 1
def dC0_db2(w1, b1, w2, b2, w3, b3, x, y):
    z1 = w1 * x + b1;   a1 = sigma_np(z1)
    z2 = w2 * a1 + b2;  a2 = sigma_np(z2)
    z3 = w3 * a2 + b3;  a3 = sigma_np(z3)
    return 2 * (a3 - y) * dsigma_np(z3) * w3          # forgets σ′(z⁽²⁾)

# %% exercise 2
def dC0_dw1(w1, b1, w2, b2, w3, b3, x, y):
    z1 = w1 * x + b1;   a1 = sigma_np(z1)
    z2 = w2 * a1 + b2;  a2 = sigma_np(z2)
    z3 = w3 * a2 + b3;  a3 = sigma_np(z3)
    return 2 * (a3 - y) * dsigma_np(z3) * w3 * dsigma_np(z2) * w2 * dsigma_np(z1) * x

# %% wrong 2
def dC0_dw1(w1, b1, w2, b2, w3, b3, x, y):
    z1 = w1 * x + b1;   a1 = sigma_np(z1)
    z2 = w2 * a1 + b2;  a2 = sigma_np(z2)
    z3 = w3 * a2 + b3;  a3 = sigma_np(z3)
    # a⁽¹⁾ at the end, not a⁽⁰⁾ = x
    return 2 * (a3 - y) * dsigma_np(z3) * w3 * dsigma_np(z2) * w2 * dsigma_np(z1) * a1

# %% exercise 3
def dC_db3(w1, b1, w2, b2, w3, b3, xs, ys):
    z1 = w1 * xs + b1;  a1 = sigma_np(z1)
    z2 = w2 * a1 + b2;  a2 = sigma_np(z2)
    z3 = w3 * a2 + b3;  a3 = sigma_np(z3)
    return np.mean(2 * (a3 - ys) * dsigma_np(z3))

# %% wrong 3
def dC_db3(w1, b1, w2, b2, w3, b3, xs, ys):
    z1 = w1 * xs + b1;  a1 = sigma_np(z1)
    z2 = w2 * a1 + b2;  a2 = sigma_np(z2)
    z3 = w3 * a2 + b3;  a3 = sigma_np(z3)
    return np.sum(2 * (a3 - ys) * dsigma_np(z3))       # the sum, not the mean

# %% exercise 4
def dC0_da_k(a_k, w, b, y):
    z = w * a_k + b
    a = sigma_np(z)
    return np.sum(w * dsigma_np(z) * 2 * (a - y))

# %% wrong 4
def dC0_da_k(a_k, w, b, y):
    z = w * a_k + b
    a = sigma_np(z)
    return (w * dsigma_np(z) * 2 * (a - y))[0]         # only the first path
