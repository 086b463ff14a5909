"""Lecture 05: reference solutions and wrong answers (see tests/test_exercises.py)."""

# %% exercise 1
def tanh_second(x):
    t = np.tanh(x)
    return -2 * t * (1 - t ** 2)

# %% wrong 1
def tanh_second(x):
    return 1 - np.tanh(x) ** 2                 # the first derivative

# %% exercise 2
# the graph recorded the branch x * x; the function itself takes the branch −x
staged_answer = 9.0
traced_answer = 3.0

# %% wrong 2
staged_answer = 3.0                            # as if the recorded graph chose its branch anew
traced_answer = 3.0

# %% test 1
# hidden tests of the nbgrader assignment (tools/build_assignments.py): each assert is one test
# tanh″ is the slope of tanh′ = 1 − tanh²: central differences of that
assert np.isclose(tanh_second(0.8), tg.numerical_grad(lambda x: 1 - np.tanh(x) ** 2, 0.8),
                  rtol=1e-6)
assert np.isclose(tanh_second(0.0), 0.0)                  # tanh′ is largest at 0
assert np.isclose(tanh_second(-1.3), -tanh_second(1.3))   # tanh is odd, so tanh″ is odd too

# %% test 2
t_x = -3.0
assert np.isclose(staged_answer, t_x * t_x)      # the recorded branch: x * x
assert np.isclose(traced_answer, -t_x)           # the branch the function takes: −x
