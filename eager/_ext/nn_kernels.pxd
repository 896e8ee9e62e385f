# Contract of the CPU convolution and pooling loops (nn_kernels.pyx). They
# are called from Python only (eager/ops/conv.py, pooling.py, nn.py), so the
# contract is the Python one; nothing here is cimported:
#   im2col_nhwc(x, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl) -> cols
#   col2im_nhwc(cols, out, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl) -> out (added in place)
#   max_pool_nhwc(x, OH, OW, KH, KW, sh, sw, pt, pl) -> y
#   max_pool_route_nhwc(x, y, g, KH, KW, sh, sw, pt, pl, backward) -> array
#   relu(x) -> array or None
#   relu_grad(g, ans) -> array or None
# All take float32/float64 C-contiguous NHWC arrays and raise ValueError or
# TypeError (never read or write out of bounds) on anything else.
