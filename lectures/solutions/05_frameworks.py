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
