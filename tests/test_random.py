"""tg.random: keys, streams, distributions, derivatives and the transformations.

The expected values are independent of tracegrad: JAX's rule for making a
key from a seed, closed-form CDFs written out here (no scipy), softmax with
NumPy, counts from first principles, finite differences (tests/numeric.py)
and plain loops. Every statistical bound is a number of standard errors for
the sample size used; the keys are fixed, so each test gives the same
numbers on every run (it cannot flake), and a wrong sampler is far outside
the bound.
"""
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegrad as tg
import tracegrad.numpy as tnp
import tracegrad.random as random
from tests.numeric import assert_close, num_grad
from tests.programs import predict
from tests.strategies import shapes

KEY = random.PRNGKey(0)
SIGMAS = 5          # bounds below are 5 standard errors: a false alarm has odds ~ 1 in 10⁶


def ks_statistic(sample, cdf):
    """Kolmogorov–Smirnov: the largest gap between the sample's CDF and ``cdf``."""
    x = np.sort(np.asarray(sample, dtype=np.float64))
    n = len(x)
    f = cdf(x)
    return max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n))


# The critical value of the KS statistic at level 0.001 is 1.95/√n (Smirnov).
def ks_bound(n):
    return 1.95 / math.sqrt(n)


_erf = np.vectorize(math.erf)


def normal_cdf(x):
    return 0.5 * (1 + _erf(x / math.sqrt(2)))


def within(estimate, expected, standard_error):
    return abs(estimate - expected) < SIGMAS * standard_error


# ---------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed, words", [
    (0, [0, 0]), (42, [0, 42]), (2**32 + 5, [1, 5]), (-1, [2**32 - 1, 2**32 - 1]),
    (2**64 - 1, [2**32 - 1, 2**32 - 1]), (np.int64(7), [0, 7]), (np.array(9), [0, 9])])
def test_prngkey_holds_the_seed_in_two_uint32_words_as_jax_does(seed, words):
    key = random.PRNGKey(seed)
    assert key.dtype == np.uint32 and key.shape == (2,)
    assert key.tolist() == words
    assert random.key(seed).tolist() == words
    assert random.key_data(random.key(seed)).tolist() == words


def test_split_gives_distinct_uint32_keys():
    keys = random.split(KEY, 100)
    assert keys.shape == (100, 2) and keys.dtype == np.uint32
    assert len({tuple(k) for k in keys.tolist()} | {tuple(KEY.tolist())}) == 101
    assert random.split(KEY).shape == (2, 2)
    assert random.split(KEY, 0).shape == (0, 2)
    # the first keys do not depend on how many are asked for (a counter-based stream)
    np.testing.assert_array_equal(random.split(KEY, 3), random.split(KEY, 100)[:3])


def test_fold_in_gives_a_new_key_per_integer_and_is_not_a_split():
    folded = [tuple(random.fold_in(KEY, i).tolist()) for i in range(50)]
    assert len(set(folded)) == 50
    assert random.fold_in(KEY, np.uint32(3)).tolist() == list(folded[3])
    splits = {tuple(k) for k in random.split(KEY, 50).tolist()}
    assert not splits & set(folded)
    assert random.fold_in(random.fold_in(KEY, 1), 2).tolist() != \
        random.fold_in(random.fold_in(KEY, 2), 1).tolist()


SAMPLERS = {
    "normal": lambda k: random.normal(k, (4, 3)),
    "uniform": lambda k: random.uniform(k, (5,), minval=-2.0, maxval=3.0),
    "gumbel": lambda k: random.gumbel(k, (5,)),
    "truncated_normal": lambda k: random.truncated_normal(k, -1.0, 0.5, (6,)),
    "bernoulli": lambda k: random.bernoulli(k, 0.5, (40,)),
    "categorical": lambda k: random.categorical(k, np.zeros(6), shape=(20,)),
    "randint": lambda k: random.randint(k, (20,), -3, 9),
    "permutation": lambda k: random.permutation(k, 20),
    "choice": lambda k: random.choice(k, 50, (5,), replace=False),
    "choice_p": lambda k: random.choice(k, 50, (5,), p=np.full(50, 0.02)),
    "split": lambda k: random.split(k, 3),
    "fold_in": lambda k: random.fold_in(k, 12),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_the_same_key_gives_the_same_numbers_and_another_key_others(name):
    draw = SAMPLERS[name]
    k1, k2 = random.split(KEY)
    first = draw(k1)
    np.testing.assert_array_equal(draw(k1), first)
    np.testing.assert_array_equal(draw(random.PRNGKey(0)), draw(KEY))
    assert not np.array_equal(draw(k2), first)


# ---------------------------------------------------------------------------
# Independent streams
# ---------------------------------------------------------------------------

def test_streams_of_related_keys_are_uncorrelated():
    # Under independence the sample correlation of n pairs has standard error
    # 1/√n; with n = 40,000, 5 standard errors is 0.025.
    n = 40_000
    keys = list(random.split(KEY, 4)) + [random.fold_in(KEY, 0), random.fold_in(KEY, 1),
                                         KEY, random.split(random.split(KEY)[0])[0]]
    draws = np.stack([random.normal(k, (n,)) for k in keys])
    r = np.corrcoef(draws)
    off = r[~np.eye(len(keys), dtype=bool)]
    assert np.max(np.abs(off)) < SIGMAS / math.sqrt(n), np.max(np.abs(off))
    # a stream is not correlated with itself shifted by one either (no lag structure)
    x = draws[0]
    assert abs(np.corrcoef(x[:-1], x[1:])[0, 1]) < SIGMAS / math.sqrt(n)


def test_uniform_streams_of_neighbouring_fold_ins_are_uncorrelated():
    n = 20_000
    a = random.uniform(random.fold_in(KEY, 7), (n,))
    b = random.uniform(random.fold_in(KEY, 8), (n,))
    assert abs(np.corrcoef(a, b)[0, 1]) < SIGMAS / math.sqrt(n)


# ---------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------

def test_normal_mean_variance_and_ks():
    n = 20_000
    z = random.normal(random.PRNGKey(1), (n,))
    assert within(z.mean(), 0.0, 1 / math.sqrt(n))
    assert within(z.var(), 1.0, math.sqrt(2 / n))          # var of a sample variance: 2σ⁴/n
    assert ks_statistic(z, normal_cdf) < ks_bound(n)


def test_normal_fails_the_ks_test_when_shifted():
    # The test can fail: a shift of 0.05 is 7 standard errors at this n.
    n = 20_000
    z = random.normal(random.PRNGKey(1), (n,)) + 0.05
    assert ks_statistic(z, normal_cdf) > ks_bound(n)


@pytest.mark.parametrize("lo, hi", [(0.0, 1.0), (-2.0, 3.0), (5.0, 5.5)])
def test_uniform_mean_variance_and_ks(lo, hi):
    n = 20_000
    u = random.uniform(random.PRNGKey(2), (n,), minval=lo, maxval=hi)
    assert np.all(u >= lo) and np.all(u < hi)
    width = hi - lo
    assert within(u.mean(), (lo + hi) / 2, width / math.sqrt(12 * n))
    assert within(u.var(), width**2 / 12, width**2 * math.sqrt(1 / 180 / n))  # var of u²-ish
    assert ks_statistic(u, lambda x: np.clip((x - lo) / width, 0, 1)) < ks_bound(n)


def test_gumbel_and_truncated_normal_match_their_cdfs():
    n = 20_000
    g = random.gumbel(random.PRNGKey(3), (n,))
    assert ks_statistic(g, lambda x: np.exp(-np.exp(-x))) < ks_bound(n)
    assert within(g.mean(), 0.5772156649, math.pi / math.sqrt(6 * n))   # Euler's γ, σ = π/√6

    a, b = -0.5, 1.5
    t = random.truncated_normal(random.PRNGKey(4), a, b, (n,))
    assert np.all((t > a) & (t < b))
    fa, fb = normal_cdf(np.array(a)), normal_cdf(np.array(b))
    assert ks_statistic(t, lambda x: (normal_cdf(x) - fa) / (fb - fa)) < ks_bound(n)


def test_bernoulli_frequencies():
    n = 20_000
    for p in (0.0, 0.3, 0.97, 1.0):
        draws = random.bernoulli(random.fold_in(KEY, int(p * 100)), p, (n,))
        assert draws.dtype == np.bool_
        assert within(draws.mean(), p, math.sqrt(p * (1 - p) / n) + 1e-12)
    p = np.array([0.1, 0.5, 0.9])
    draws = random.bernoulli(KEY, p, (n, 3))                   # p broadcast over the draws
    for j in range(3):
        assert within(draws[:, j].mean(), p[j], math.sqrt(p[j] * (1 - p[j]) / n))
    assert random.bernoulli(KEY, p).shape == (3,)               # the shape defaults to p's


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_categorical_frequencies_follow_softmax():
    n = 30_000
    logits = np.array([0.5, -1.0, 2.0, 0.0, -np.inf])
    draws = random.categorical(random.PRNGKey(5), logits, shape=(n,))
    probs = softmax(logits)
    counts = np.bincount(draws, minlength=5)
    assert counts[4] == 0                                       # probability 0: never
    for j in range(5):
        assert within(counts[j] / n, probs[j], math.sqrt(probs[j] * (1 - probs[j]) / n) + 1e-12)


def test_categorical_over_another_axis_and_a_batch_of_logits():
    n = 20_000
    logits = np.array([[0.0, 1.0], [2.0, 0.0], [-1.0, 0.5]])     # 3 categories along axis 0
    draws = random.categorical(random.PRNGKey(6), logits, axis=0, shape=(n, 2))
    assert draws.shape == (n, 2)
    probs = softmax(logits, axis=0)
    for col in range(2):
        freq = np.bincount(draws[:, col], minlength=3) / n
        for j, q in enumerate(probs[:, col]):
            assert within(freq[j], q, math.sqrt(q * (1 - q) / n))
    assert random.categorical(KEY, logits, axis=0).shape == (2,)


def test_randint_range_and_uniform_frequencies():
    n = 20_000
    draws = random.randint(random.PRNGKey(7), (n,), -2, 3)
    assert draws.dtype == np.int64 and draws.min() == -2 and draws.max() == 2
    freq = np.bincount(draws + 2, minlength=5) / n
    assert all(within(f, 0.2, math.sqrt(0.2 * 0.8 / n)) for f in freq)
    assert random.randint(KEY, (3,), 0, 10, dtype=np.int32).dtype == np.int32


def test_permutation_is_a_permutation_and_uniform_over_small_n():
    for n in (0, 1, 7, 100):
        perm = random.permutation(random.fold_in(KEY, n), n)
        assert sorted(perm.tolist()) == list(range(n))
    # Each of the 3! = 6 orders of range(3) with frequency 1/6, over 6,000 keys.
    m = 6_000
    perms = tg.vmap(lambda k: random.permutation(k, 3))(random.split(random.PRNGKey(8), m))
    seen = {order: 0 for order in itertools.permutations(range(3))}
    for row in perms.tolist():
        seen[tuple(row)] += 1
    assert len(seen) == 6
    assert all(within(c / m, 1 / 6, math.sqrt(5 / 36 / m)) for c in seen.values()), seen


def test_permutation_of_an_array_shuffles_along_an_axis():
    x = np.arange(12.0).reshape(4, 3)
    rows = random.permutation(KEY, x)
    assert sorted(map(tuple, rows.tolist())) == sorted(map(tuple, x.tolist()))
    cols = random.permutation(KEY, x, axis=1)
    assert sorted(map(tuple, cols.T.tolist())) == sorted(map(tuple, x.T.tolist()))
    # the order of the rows is the permutation of range(4) from the same key
    np.testing.assert_array_equal(rows[:, 0] / 3, random.permutation(KEY, 4))


def test_choice_without_replacement_has_no_repeats():
    for k, n in ((5, 5), (3, 10), (1, 1)):
        for seed in range(20):
            picked = random.choice(random.PRNGKey(seed), n, (k,), replace=False)
            assert len(set(picked.tolist())) == k and 0 <= picked.min() and picked.max() < n
    p = np.array([0.1, 0.0, 0.4, 0.2, 0.3])
    for seed in range(20):
        picked = random.choice(random.PRNGKey(seed), 5, (4,), replace=False, p=p)
        assert sorted(picked.tolist()) == [0, 2, 3, 4]           # p = 0 is never taken
    a = np.array([10.0, 20.0, 30.0, 40.0])
    picked = random.choice(KEY, a, (2, 2), replace=False)
    assert picked.shape == (2, 2) and sorted(picked.ravel().tolist()) == [10, 20, 30, 40]


def test_choice_frequencies_follow_p():
    n = 20_000
    p = np.array([0.1, 0.0, 0.6, 0.3])
    draws = random.choice(random.PRNGKey(9), 4, (n,), p=p)
    freq = np.bincount(draws, minlength=4) / n
    assert all(within(freq[j], p[j], math.sqrt(p[j] * (1 - p[j]) / n) + 1e-12) for j in range(4))
    # without replacement the first pick still follows p (the largest of log p + Gumbel)
    m = 4_000
    firsts = tg.vmap(lambda k: random.choice(k, 4, (2,), replace=False, p=p)[0])(
        random.split(random.PRNGKey(10), m))
    freq = np.bincount(firsts, minlength=4) / m
    assert all(within(freq[j], p[j], math.sqrt(p[j] * (1 - p[j]) / m) + 1e-12) for j in range(4))
    uniform = random.choice(random.PRNGKey(11), 5, (n,))
    assert all(within(f, 0.2, math.sqrt(0.16 / n)) for f in np.bincount(uniform) / n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_floating_dtype_requested_is_returned(dtype):
    for sample in (random.normal(KEY, (3,), dtype), random.uniform(KEY, (3,), dtype),
                   random.uniform(KEY, (3,), dtype, minval=np.float64(-1.0), maxval=2.0),
                   random.gumbel(KEY, (3,), dtype),
                   random.truncated_normal(KEY, -1, 1, (3,), dtype)):
        assert sample.dtype == dtype and sample.shape == (3,)
    u = random.uniform(random.PRNGKey(12), (20_000,), dtype)
    assert np.all((u >= 0) & (u < 1))                             # never 1, even rounded
    assert random.categorical(KEY, np.zeros(3, dtype)).dtype.kind == "i"


# ---------------------------------------------------------------------------
# Derivatives: into the parameters, never into the key
# ---------------------------------------------------------------------------

def test_uniform_gradient_in_minval_and_maxval_matches_finite_differences():
    k = random.PRNGKey(13)

    def f(bounds):
        lo, hi = bounds[0], bounds[1]
        return tnp.sum(tnp.sin(random.uniform(k, (5,), minval=lo, maxval=hi)))

    at = np.array([-0.5, 2.0])
    assert_close(tg.grad(f)(at), num_grad(f, at), rtol=1e-6)
    # closed form: ∂/∂lo Σ sin(x) = Σ cos(x)(1 − u), ∂/∂hi = Σ cos(x) u
    u = random.uniform(k, (5,))
    x = -0.5 + 2.5 * u
    assert_close(tg.grad(f)(at), [np.sum(np.cos(x) * (1 - u)), np.sum(np.cos(x) * u)])
    jg = tg.jit(tg.grad(f))
    for bounds in (at, np.array([1.0, 1.5])):       # traced, then compiled
        assert_close(jg(bounds), num_grad(f, bounds), rtol=1e-6)


def test_array_minval_gradient_and_a_scaled_normal():
    k = random.PRNGKey(14)

    def f(lo):
        return tnp.sum(random.uniform(k, (2, 3), minval=lo, maxval=4.0) ** 2)

    lo = np.array([0.5, -1.0, 1.0])                               # broadcast over the rows
    assert_close(tg.grad(f)(lo), num_grad(f, lo), rtol=1e-6)

    def g(params):
        mu, sigma = params[0], params[1]
        return tnp.sum(tnp.tanh(mu + sigma * random.normal(k, (6,))))

    at = np.array([0.3, 1.7])
    assert_close(tg.grad(g)(at), num_grad(g, at), rtol=1e-6)


def test_forward_mode_and_second_order_through_minval():
    k = random.PRNGKey(18)
    u = random.uniform(k, (3,))
    _, tangent = tg.jvp(lambda lo: random.uniform(k, (3,), minval=lo, maxval=2.0), (0.5,), (1.0,))
    assert_close(tangent, 1 - u)                                  # ∂x/∂lo = 1 − u
    h = tg.hessian(lambda lo: tnp.sum(random.uniform(k, (3,), minval=lo, maxval=2.0) ** 2))(0.5)
    assert_close(h, 2 * np.sum((1 - u) ** 2))


def test_gradient_through_logits_where_the_draw_is_used_as_an_index():
    # The draw itself is an integer (no derivative); the log-probability of the
    # drawn categories depends on the logits smoothly, with the same key.
    k = random.PRNGKey(15)

    def logp(logits):
        drawn = random.categorical(k, logits, shape=(7,))
        return tnp.sum(tnp.take(tg.nn.log_softmax(logits), drawn))

    at = np.array([0.2, -0.4, 1.1, 0.0])
    assert_close(tg.grad(logp)(at), num_grad(logp, at), rtol=1e-6)

    def picked(a):
        return tnp.sum(random.choice(k, a, (6,)) ** 2) + tnp.sum(random.permutation(k, a)[:2])

    a = np.array([1.0, -2.0, 3.0, 0.5])
    assert_close(tg.grad(picked)(a), num_grad(picked, a), rtol=1e-6)


def test_bernoulli_with_a_traced_p_gives_booleans_and_no_error():
    k = random.PRNGKey(16)
    mask = random.bernoulli(k, 0.4, (5,))
    # E = Σ where(mask, p, 1 − p): d/dp = (#True) − (#False), the draws held fixed
    expected = mask.sum() - (~mask).sum()
    got = tg.grad(lambda p: tnp.sum(tnp.where(random.bernoulli(k, p, (5,)), p, 1 - p)))(0.4)
    assert got == expected


# ---------------------------------------------------------------------------
# vmap and jit: keys are data
# ---------------------------------------------------------------------------

VMAPPED = {
    "normal": lambda k: random.normal(k, (3,)),
    "uniform": lambda k: random.uniform(k, (2, 2), minval=-1.0, maxval=np.array([1.0, 5.0])),
    "bernoulli": lambda k: random.bernoulli(k, 0.5, (4,)),
    "categorical": lambda k: random.categorical(k, np.array([0.0, 1.0, -1.0]), shape=(5,)),
    "randint": lambda k: random.randint(k, (4,), 0, 7),
    "permutation_array": lambda k: random.permutation(k, np.arange(10.0).reshape(5, 2)),
    "permutation_axis": lambda k: random.permutation(k, np.arange(10.0).reshape(2, 5), axis=1),
    "choice": lambda k: random.choice(k, np.array([1.0, 2.0, 4.0]), (2, 2)),
    "choice_p": lambda k: random.choice(k, 4, (3,), replace=False, p=np.full(4, 0.25)),
    "split": lambda k: random.split(k, 3),
    "fold_in": lambda k: random.fold_in(k, 5),
    "gumbel": lambda k: random.gumbel(k, (2,)),
    "truncated_normal": lambda k: random.truncated_normal(k, -0.5, 2.0, (3,), np.float32),
}


@pytest.mark.parametrize("name", sorted(VMAPPED))
def test_vmap_over_split_keys_equals_a_loop(name):
    f = VMAPPED[name]
    jf, jvf = tg.jit(f), tg.jit(tg.vmap(f))
    for seed in (17, 18):         # the first jit call traces, the second runs compiled code
        keys = random.split(random.PRNGKey(seed), 4)
        loop = np.stack([f(k) for k in keys])
        np.testing.assert_array_equal(tg.vmap(f)(keys), loop)
        np.testing.assert_array_equal(jvf(keys), loop)
        np.testing.assert_array_equal(np.stack([jf(k) for k in keys]), loop)
    assert jf.cache_info().traces == 1 and jf.cache_info().hits == 7


def test_vmap_over_fold_in_indices_and_nested_vmap():
    loop = np.stack([random.normal(random.fold_in(KEY, i), (2,)) for i in range(5)])
    np.testing.assert_array_equal(
        tg.vmap(lambda i: random.normal(random.fold_in(KEY, i), (2,)))(np.arange(5)), loop)
    keys = random.split(KEY, 6).reshape(2, 3, 2)
    nested = tg.vmap(tg.vmap(lambda k: random.uniform(k, (2,))))(keys)
    np.testing.assert_array_equal(
        nested, [[random.uniform(k, (2,)) for k in row] for row in keys])


def test_unpacking_split_inside_vmap():
    def f(k):
        a, b = random.split(k)
        return random.normal(a) - random.normal(b)

    keys = random.split(KEY, 3)
    np.testing.assert_array_equal(tg.vmap(f)(keys), [f(k) for k in keys])


def test_jit_draws_new_numbers_for_a_new_key_without_tracing_again():
    f = tg.jit(lambda k, scale: scale * random.normal(k, (3,)))
    keys = random.split(KEY, 5)
    for k in keys:
        np.testing.assert_array_equal(f(k, 2.0), 2.0 * random.normal(k, (3,)))
    assert f.cache_info().traces == 1
    assert "philox(" in f.source(keys[0], 2.0)


def test_jit_source_with_a_local_named_like_the_primitive():
    # The compiled code calls the helper philox(...); a user's local of that name
    # must not shadow it (it did: UnboundLocalError on the call after source()).
    def f(k):
        philox = random.normal(k, (2,))
        return philox * 2

    jf = tg.jit(f)
    text = jf.source(KEY)
    assert "def philox(" in text and "philox_1 = philox(" in text
    for seed in (4, 5):
        k = random.PRNGKey(seed)
        np.testing.assert_array_equal(jf(k), 2 * random.normal(k, (2,)))


def test_grad_does_not_flow_into_a_key():
    # a key is data: a function of (params, key) differentiates in params only
    def loss(w, k):
        return tnp.sum((w * random.normal(k, (3,))) ** 2)

    w = np.array(0.7)
    z = random.normal(KEY, (3,))
    assert_close(tg.grad(loss)(w, KEY), 2 * w * np.sum(z**2))
    per_key = tg.vmap(tg.grad(loss), in_axes=(None, 0))(w, random.split(KEY, 3))
    assert_close(per_key, [2 * w * np.sum(random.normal(k, (3,)) ** 2)
                           for k in random.split(KEY, 3)])


# ---------------------------------------------------------------------------
# Bad input: clear errors that name the fix, and the next call works
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, match", [
    (lambda: random.PRNGKey(1.5), TypeError, r"seed must be an integer.*PRNGKey\(int\(seed\)\)"),
    (lambda: random.PRNGKey("0"), TypeError, r"seed must be an integer"),
    (lambda: random.PRNGKey(2**64), ValueError, r"does not fit in 64 bits"),
    (lambda: random.normal(0, (2,)), TypeError, r"key = random.PRNGKey\(0\)"),
    (lambda: random.normal(np.array([0, 0]), (2,)), TypeError, r"two uint32 words.*int64"),
    (lambda: random.normal(np.zeros(3, np.uint32)), TypeError, r"shape \(2,\)"),
    (lambda: random.normal(random.split(KEY), (2,)), ValueError, r"tg.vmap\(lambda k"),
    (lambda: random.normal(KEY, (2.0,)), TypeError, r"tuple of plain ints"),
    (lambda: random.normal(KEY, (-1,)), ValueError, r"negative size"),
    (lambda: random.normal(KEY, dtype=np.int32), TypeError, r"floating dtype.*randint"),
    (lambda: random.randint(KEY, (2,), 0, 5, dtype=np.float64), TypeError, r"integer dtype"),
    (lambda: random.randint(KEY, (2,), 3, 3), ValueError, r"maxval must be above minval"),
    (lambda: random.bernoulli(KEY, 1.5), ValueError, r"p must be a probability.*sigmoid"),
    (lambda: random.bernoulli(KEY, np.array([0.5, -0.1])), ValueError, r"from 0 to 1"),
    (lambda: random.bernoulli(KEY, np.nan), ValueError, r"from 0 to 1"),
    (lambda: random.bernoulli(KEY, np.full(3, 0.5), (2,)), ValueError, r"does not broadcast"),
    (lambda: random.uniform(KEY, (2,), minval=np.zeros(3)), ValueError,
     r"minval has shape \(3,\).*shape=\(2,\)"),
    (lambda: random.categorical(KEY, np.zeros((2, 3)), shape=(4,)), ValueError,
     r"must end with \(2,\)"),
    (lambda: random.categorical(KEY, 1.0), ValueError, r"at least one axis"),
    (lambda: random.categorical(KEY, np.zeros(3), axis=1), ValueError, r"out of range"),
    (lambda: random.choice(KEY, 3, (4,), replace=False), ValueError,
     r"cannot take 4 entries from 3.*replace=True"),
    (lambda: random.choice(KEY, 3, p=np.array([0.5, 0.5])), ValueError, r"shape \(3,\)"),
    (lambda: random.choice(KEY, 2, p=np.array([1.5, -0.5])), ValueError, r"none negative"),
    (lambda: random.permutation(KEY, np.array(3.0)), ValueError, r"0-d array"),
    (lambda: random.fold_in(KEY, 1.5), TypeError, r"fold_in\(key, int\(i\)\)"),
    (lambda: random.fold_in(KEY, -1), ValueError, r"from 0 to 2\*\*32 - 1"),
    (lambda: random.split(KEY, 2.0), TypeError, r"num must be a plain int"),
    (lambda: random.truncated_normal(KEY, 1.0, -1.0), ValueError, r"must be below upper"),
    (lambda: random.truncated_normal(KEY, 6.0, 7.0), ValueError, r"interval nearer 0"),
    (lambda: tg.vmap(random.PRNGKey)(np.arange(3)), tg.TracegradError, r"random.fold_in"),
    (lambda: tg.vmap(lambda p: random.bernoulli(KEY, p))(np.array([0.5, 2.0])), ValueError,
     r"p must be a probability"),
    (lambda: tg.grad(lambda lo: tnp.sum(random.truncated_normal(KEY, lo, 1.0, (2,))))(0.0),
     TypeError, r"plain numbers"),
])
def test_bad_input_gets_a_clear_error_and_the_next_call_works(call, error, match):
    with pytest.raises(error, match=match):
        call()
    assert random.normal(KEY, (2,)).shape == (2,)


def test_a_jitted_bernoulli_checks_p_again_on_new_values():
    f = tg.jit(lambda p: random.bernoulli(KEY, p, (3,)))
    f(0.5)
    with pytest.raises(ValueError, match="p must be a probability"):
        f(1.5)
    np.testing.assert_array_equal(f(0.7), random.bernoulli(KEY, 0.7, (3,)))


# ---------------------------------------------------------------------------
# Properties over seeds and shapes
# ---------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(seed=st.integers(-2**63, 2**64 - 1), shape=shapes(),
       lo=st.floats(-10, 10), width=st.floats(0.1, 10))
def test_any_seed_and_shape_deterministic_in_range_and_splittable(seed, shape, lo, width):
    key = random.PRNGKey(seed)
    assert key.tolist() == [(seed % 2**64) >> 32, seed % 2**32]
    u = random.uniform(key, shape, minval=lo, maxval=lo + width)
    assert u.shape == shape and u.dtype == np.float64
    assert np.all((u >= lo) & (u < lo + width))
    np.testing.assert_array_equal(random.uniform(key, shape, minval=lo, maxval=lo + width), u)
    z = random.normal(key, shape, np.float32)
    assert z.shape == shape and z.dtype == np.float32 and np.all(np.isfinite(z))
    keys = random.split(key, 3)
    assert len({tuple(k) for k in keys.tolist()} | {tuple(key.tolist())}) == 4
    np.testing.assert_array_equal(tg.vmap(lambda k: random.normal(k, shape))(keys),
                                  np.stack([random.normal(k, shape) for k in keys]))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12), data=st.data())
def test_any_seed_choice_without_replacement_and_permutation(seed, n, data):
    key = random.PRNGKey(seed)
    k = data.draw(st.integers(0, n))
    picked = random.choice(key, n, (k,), replace=False)
    assert len(set(picked.tolist())) == k and all(0 <= i < n for i in picked.tolist())
    assert sorted(random.permutation(key, n).tolist()) == list(range(n))


# ---------------------------------------------------------------------------
# The lecture's use: an MLP initialised with split keys, as JAX code does it
# ---------------------------------------------------------------------------

def init_mlp(key, sizes):
    """He initialisation, one key per layer: w^(L) ~ N(0, 2/n_in), b^(L) = 0,
    as the (w, b) pairs of the lecture's network (tests/programs.py's predict)."""
    keys = random.split(key, len(sizes) - 1)
    return [(random.normal(k, (n_in, n_out)) * np.sqrt(2.0 / n_in), np.zeros(n_out))
            for k, n_in, n_out in zip(keys, sizes[:-1], sizes[1:])]


def test_an_mlp_initialised_with_split_keys_trains():
    params = init_mlp(random.PRNGKey(0), [1, 64, 64, 1])
    again = init_mlp(random.PRNGKey(0), [1, 64, 64, 1])
    for (w, _), (w_again, _) in zip(params, again):
        np.testing.assert_array_equal(w, w_again)
    # each layer its own stream; the variance 2/n_in within 5 standard errors
    w = params[1][0]
    assert within(w.var(), 2 / 64, (2 / 64) * math.sqrt(2 / w.size))
    assert abs(np.corrcoef(params[1][0].ravel()[:64], params[0][0].ravel())[0, 1]) < 0.6

    # a minibatch drawn with the data key, as in a JAX training loop
    data_key, key = random.split(random.PRNGKey(1))
    xs = random.uniform(data_key, (64,), minval=-2.0, maxval=2.0)
    ys = np.sin(xs)

    def loss(params, xs, ys):
        preds = tg.vmap(predict, in_axes=(None, 0))(params, xs[:, None])[:, 0]
        return tnp.mean((preds - ys) ** 2)

    step = tg.jit(tg.value_and_grad(loss))
    first, _ = step(params, xs, ys)
    for i in range(60):
        batch = random.choice(random.fold_in(key, i), 64, (16,), replace=False)
        _, grads = step(params, xs[batch], ys[batch])
        params = tg.tree_map(lambda p, g: p - 0.01 * g, params, grads)   # tanh: a small step
    last, _ = step(params, xs, ys)
    assert last < 0.5 * first
