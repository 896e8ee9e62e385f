# Contract of the CPU convolution, pooling and optimizer loops
# (nn_kernels.pyx). They are called from Python only (eager/ops/conv.py,
# pooling.py, nn.py, eager/train/kernels.py), so the contract is the Python
# one; nothing here is cimported:
#   im2col_nhwc(x, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl, out=None) -> cols
#   col2im_nhwc(cols, out, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl) -> out (added in place)
#   im2row_nhwc(x, Hp, OW, KW, sw, dw, pt, pl, out=None) -> E [Hp, N, OW, KW*C]
#   row2im_nhwc(E, out, Hp, OW, KW, sw, dw, pt, pl) -> out (added in place)
#   max_pool_nhwc(x, OH, OW, KH, KW, sh, sw, pt, pl) -> y
#   max_pool_route_nhwc(x, y, g, KH, KW, sh, sw, pt, pl, backward) -> array
#   relu(x) -> array or None
#   relu_grad(g, ans) -> array or None
#   adam(var, m, v, vhat_or_None, g, lr, beta1, beta2, epsilon) -> bool (in place)
# The image loops take float32/float64 C-contiguous NHWC arrays (`out`, when
# given, exactly the shape and dtype they write) and raise ValueError or
# TypeError (never read or write out of bounds) on anything else; adam
# returns False, touching nothing, for arrays it does not take.
