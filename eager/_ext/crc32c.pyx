"""CRC-32C (Castagnoli, polynomial 0x82F63B78 reflected) for TFRecord files.

TFRecord frames every length and payload with a "masked" CRC-32C. Reading a
file verifies two CRCs per record, so this is on the hot path of every
TFRecordDataset: the SSE 4.2 `crc32` instruction (8 bytes per instruction)
when the CPU has it, else slicing-by-8 over eight 256-entry tables. The GIL is
released for inputs large enough for that to pay.
"""
from libc.stdint cimport uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE

cdef extern from *:
    """
    #if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    #define EAGER_CRC_HW 1
    #include <stdint.h>
    #include <string.h>
    __attribute__((target("sse4.2")))
    static uint32_t eager_crc32c_hw(uint32_t crc, const unsigned char *p, size_t n) {
        uint64_t c = crc ^ 0xFFFFFFFFu;
        while (n && ((uintptr_t)p & 7)) { c = __builtin_ia32_crc32qi((uint32_t)c, *p++); n--; }
        while (n >= 8) {
            uint64_t w; memcpy(&w, p, 8);
            c = __builtin_ia32_crc32di(c, w); p += 8; n -= 8;
        }
        while (n) { c = __builtin_ia32_crc32qi((uint32_t)c, *p++); n--; }
        return (uint32_t)c ^ 0xFFFFFFFFu;
    }
    static int eager_crc_hw_available(void) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("sse4.2");
    }
    #else
    #define EAGER_CRC_HW 0
    static uint32_t eager_crc32c_hw(uint32_t crc, const unsigned char *p, size_t n) { return crc; }
    static int eager_crc_hw_available(void) { return 0; }
    #endif
    """
    uint32_t eager_crc32c_hw(uint32_t crc, const unsigned char *p, size_t n) noexcept nogil
    int eager_crc_hw_available() noexcept nogil

cdef uint32_t POLY = 0x82F63B78
cdef uint32_t MASK_DELTA = 0xA282EAD8
# Releasing the GIL costs ~100 ns; below this many bytes it does not pay.
cdef size_t NOGIL_BYTES = 65536

cdef uint32_t TABLE[8][256]
cdef bint _use_hw = False


cdef void _init_tables() noexcept:
    cdef uint32_t c
    cdef int i, j, k
    for i in range(256):
        c = <uint32_t>i
        for j in range(8):
            c = (c >> 1) ^ (POLY if (c & 1) else 0)
        TABLE[0][i] = c
    for i in range(256):
        c = TABLE[0][i]
        for k in range(1, 8):
            c = TABLE[0][c & 0xFF] ^ (c >> 8)
            TABLE[k][i] = c


_init_tables()
_use_hw = eager_crc_hw_available() != 0


# Slicing-by-8: eight bytes per step through eight tables. Bytes are
# combined explicitly, so the result does not depend on the host's byte order.
cdef uint32_t _crc_table(uint32_t crc, const unsigned char *p, size_t n) noexcept nogil:
    cdef uint32_t c = crc ^ 0xFFFFFFFFU
    cdef uint32_t lo, hi
    while n >= 8:
        lo = c ^ (<uint32_t>p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16) |
                  (<uint32_t>p[3] << 24))
        hi = (<uint32_t>p[4] | (<uint32_t>p[5] << 8) | (<uint32_t>p[6] << 16) |
              (<uint32_t>p[7] << 24))
        c = (TABLE[7][lo & 0xFF] ^ TABLE[6][(lo >> 8) & 0xFF] ^
             TABLE[5][(lo >> 16) & 0xFF] ^ TABLE[4][lo >> 24] ^
             TABLE[3][hi & 0xFF] ^ TABLE[2][(hi >> 8) & 0xFF] ^
             TABLE[1][(hi >> 16) & 0xFF] ^ TABLE[0][hi >> 24])
        p += 8
        n -= 8
    while n:
        c = TABLE[0][(c ^ p[0]) & 0xFF] ^ (c >> 8)
        p += 1
        n -= 1
    return c ^ 0xFFFFFFFFU


cdef uint32_t crc32c_update(uint32_t crc, const unsigned char *data, size_t n) noexcept nogil:
    if _use_hw:
        return eager_crc32c_hw(crc, data, n)
    return _crc_table(crc, data, n)


cdef uint32_t _crc_buffer(object data, uint32_t crc, bint table_only) except? 0xFFFFFFFFU:
    cdef Py_buffer view
    cdef const unsigned char *p
    cdef size_t n
    cdef uint32_t r
    PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
    try:
        p = <const unsigned char *>view.buf
        n = <size_t>view.len
        if table_only:
            if n >= NOGIL_BYTES:
                with nogil:
                    r = _crc_table(crc, p, n)
            else:
                r = _crc_table(crc, p, n)
        elif n >= NOGIL_BYTES:
            with nogil:
                r = crc32c_update(crc, p, n)
        else:
            r = crc32c_update(crc, p, n)
    finally:
        PyBuffer_Release(&view)
    return r


def crc32c(data, unsigned int crc=0):
    """CRC-32C of a bytes-like object (continuing from `crc`)."""
    return _crc_buffer(data, crc, False)


def crc32c_table(data, unsigned int crc=0):
    """CRC-32C by the portable slicing-by-8 tables (tests compare it with
    the hardware path)."""
    return _crc_buffer(data, crc, True)


def masked_crc32c(data):
    """TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8, mod 2**32."""
    cdef uint32_t c = _crc_buffer(data, 0, False)
    return <uint32_t>(((c >> 15) | (c << 17)) + MASK_DELTA)


def hardware_available():
    """True when the SSE 4.2 crc32 instruction is in use."""
    return _use_hw
