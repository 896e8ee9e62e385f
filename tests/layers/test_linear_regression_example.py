"""python -m eager.examples.linear_regression: the seed's two programs
converge to W = 3, B = 2 (the data are 3 * x + 2 + unit noise)."""
import contextlib
import io

import eager as tf
from eager.examples import linear_regression


def test_both_programs_converge():
    tf.set_random_seed(0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        w1, b1, loss1 = linear_regression.with_gradients_function()
        w2, b2, loss2 = linear_regression.with_variables_and_optimizer()
    text = out.getvalue()
    assert text.startswith("Initial loss: ") and "Loss at step 180:" in text
    assert "Loss at step 200:" in text                      # the second runs 201 steps
    for w, b, loss in ((w1, b1, loss1), (w2, b2, loss2)):
        assert abs(w - 3) < 0.3 and abs(b - 2) < 0.3 and loss < 1.4
