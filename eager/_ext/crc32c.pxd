# Contract of the CRC-32C (Castagnoli) kernel used by TFRecord framing:
# hardware crc32 instructions where the CPU has them (SSE 4.2), otherwise a
# table-driven slicing-by-8 loop. Both run without the GIL.
from libc.stdint cimport uint32_t

# CRC-32C of n bytes at data, continuing from crc (0 to start).
cdef uint32_t crc32c_update(uint32_t crc, const unsigned char *data, size_t n) noexcept nogil
