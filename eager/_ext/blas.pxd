# Contract of the CPU matrix-product kernels (blas.pyx): BLAS gemm for float
# and complex matrices, typed C loops for integers and tiny matrices.
cimport numpy as cnp

# a @ b for NumPy arrays of rank >= 2 (batch dimensions broadcast), with
# adj_a / adj_b taking the conjugate transpose of the last two axes. Returns
# a new array, or None when the dtypes, shapes or sizes are ones it does not
# handle (the caller then uses NumPy, which also raises the shape errors).
cdef object matmul_arrays(cnp.ndarray a, cnp.ndarray b, int adj_a, int adj_b)
