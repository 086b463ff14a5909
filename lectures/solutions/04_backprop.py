"""Lecture 04: reference solutions and wrong answers (see tests/test_exercises.py)."""

# %% exercise 1
by_hand = {}
by_hand["(a−y)"] = 2 * (0.5 - 1.0)                  # ∂u²/∂u = 2u, with a = σ(0) = 1/2
by_hand["a"] = by_hand["(a−y)"] * 1                 # sub: ∂(a − y)/∂a = 1
by_hand["z"] = by_hand["a"] * 0.5 * (1 - 0.5)       # σ'(0) = σ(0)(1 − σ(0)) = 1/4
by_hand["b"] = by_hand["z"] * 1                     # add
by_hand["(wx)"] = by_hand["z"] * 1                  # add
by_hand["w"] = by_hand["(wx)"] * 2.0                # ∂(wx)/∂w = x = 2

# %% wrong 1
by_hand = {}
by_hand["(a−y)"] = 2 * (0.5 - 1.0)
by_hand["a"] = by_hand["(a−y)"] * 1
by_hand["z"] = by_hand["a"]                         # forgets σ'(z)
by_hand["b"] = by_hand["z"] * 1
by_hand["(wx)"] = by_hand["z"] * 1
by_hand["w"] = by_hand["(wx)"] * 2.0

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

# %% test 1
# hidden tests of the nbgrader assignment (tools/build_assignments.py): each assert is one test
def t_cost(w1, b1, w2, b2, w3, b3, x, y):              # C₀ of the chain in plain NumPy
    a = x
    for w, b in ((w1, b1), (w2, b2), (w3, b3)):
        a = 1 / (1 + np.exp(-(w * a + b)))
    return (a - y) ** 2

t_point = (0.3, -0.2, 1.1, 0.4, -0.7, 0.2, 0.9, 0.6)
# the neuron of exercise 1 in plain NumPy: C₀(w, b) = (σ(2w + b) − 1)²
def t_neuron(w, b):
    return (1 / (1 + np.exp(-(2.0 * w + b))) - 1.0) ** 2

# b and w by central differences (the inputs), z by its definition: z = 2w + b
assert np.isclose(by_hand["b"], tg.numerical_grad(t_neuron, 0.5, -1.0, argnums=1), atol=1e-8)
assert np.isclose(by_hand["w"], tg.numerical_grad(t_neuron, 0.5, -1.0, argnums=0), atol=1e-8)
assert np.isclose(by_hand["z"], tg.numerical_grad(lambda z: (1 / (1 + np.exp(-z)) - 1.0) ** 2, 0.0),
                  atol=1e-8)
# C₀ = (a − 1)²: ∂C₀/∂a and ∂C₀/∂(a−y) at a = 1/2, the same number
assert np.isclose(by_hand["a"], tg.numerical_grad(lambda a: (a - 1.0) ** 2, 0.5), atol=1e-8) \
    and np.isclose(by_hand["(a−y)"], by_hand["a"])
# z = (wx) + b: the two summands get the same gradient
assert np.isclose(by_hand["(wx)"], by_hand["z"]) and np.isclose(by_hand["b"], by_hand["z"])

# %% test 2
assert np.isclose(dC0_dw1(*t_point), tg.numerical_grad(t_cost, *t_point, argnums=0),
                  rtol=1e-5, atol=1e-10)
# x = 0: w⁽¹⁾ multiplies nothing, so C₀ does not depend on it
assert np.isclose(dC0_dw1(0.3, -0.2, 1.1, 0.4, -0.7, 0.2, 0.0, 0.6), 0.0)

# %% test 3
t_xs, t_ys = np.array([-1.0, 0.0, 0.5, 2.0]), np.array([0.1, 0.9, 0.4, 0.7])
assert np.isclose(dC_db3(*t_point[:6], t_xs, t_ys),
                  tg.numerical_grad(lambda b3: np.mean(t_cost(*t_point[:5], b3, t_xs, t_ys)),
                                    t_point[5]), rtol=1e-5, atol=1e-10)
# a mean: the same data set twice over has the same gradient
assert np.isclose(dC_db3(*t_point[:6], np.tile(t_xs, 2), np.tile(t_ys, 2)),
                  dC_db3(*t_point[:6], t_xs, t_ys))

# %% test 4
def t_cost_many(a_k, w, b, y):                          # C₀ = Σⱼ (σ(wⱼ a_k + bⱼ) − yⱼ)²
    return np.sum((1 / (1 + np.exp(-(w * a_k + b))) - y) ** 2)

t_w, t_b, t_y = np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.3, -0.2]), np.array([0.2, 0.9, 0.5])
assert np.isclose(dC0_da_k(0.4, t_w, t_b, t_y), tg.numerical_grad(t_cost_many, 0.4, t_w, t_b, t_y),
                  rtol=1e-5, atol=1e-10)
# two equal neurons: two equal paths, so twice the derivative of one
assert np.isclose(dC0_da_k(0.4, np.array([0.5, 0.5]), np.array([0.1, 0.1]), np.array([0.2, 0.2])),
                  2 * dC0_da_k(0.4, np.array([0.5]), np.array([0.1]), np.array([0.2])))
