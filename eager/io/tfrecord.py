"""TFRecord files, byte for byte as TensorFlow writes and reads them.

Each record is framed as

    uint64 length        little endian
    uint32 masked_crc32c(length bytes)
    byte   data[length]
    uint32 masked_crc32c(data)

with mask(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8 (mod 2**32), and
the whole stream optionally GZIP- or ZLIB-compressed. Both CRCs are checked
on reading; a corrupt or truncated record raises DataLossError naming the
file and the record's byte offset (in the decompressed stream for
compressed files). Nothing is skipped silently.
"""
import gzip
import os
import struct
import zlib

from eager import errors

try:
    from eager._ext.crc32c import crc32c, masked_crc32c
except ImportError:  # the extension is not built: a slow but exact fallback
    def _table():
        t = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
            t.append(c)
        return t

    _TABLE = _table()

    def crc32c(data, crc=0):
        """CRC-32C of a bytes-like object (continuing from `crc`)."""
        c = crc ^ 0xFFFFFFFF
        t = _TABLE
        for b in bytes(data):
            c = t[(c ^ b) & 0xFF] ^ (c >> 8)
        return c ^ 0xFFFFFFFF

    def masked_crc32c(data):
        """TFRecord's masked CRC-32C."""
        c = crc32c(data)
        return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF

_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")
_HEADER = struct.Struct("<QI")
_BIG_READ = 1 << 24   # records longer than this are read in pieces (a forged length
                      # with a valid CRC must not allocate terabytes)


class TFRecordCompressionType(object):
    """Compression of a TFRecord file (tf.io.TFRecordCompressionType)."""
    NONE = 0
    ZLIB = 1
    GZIP = 2


class TFRecordOptions(object):
    """Options of TFRecordWriter and readers: the compression type ('',
    'ZLIB', 'GZIP' or a TFRecordCompressionType) and its zlib level."""
    compression_type_map = {TFRecordCompressionType.NONE: "",
                            TFRecordCompressionType.ZLIB: "ZLIB",
                            TFRecordCompressionType.GZIP: "GZIP"}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        self.compression_type = compression_type
        self.compression_level = compression_level
        self.window_bits = window_bits

    @classmethod
    def get_compression_type_string(cls, options):
        if options is None:
            return ""
        if isinstance(options, TFRecordOptions):
            return compression_name(options.compression_type)
        return compression_name(options)


def compression_name(value):
    """'' , 'ZLIB' or 'GZIP' from any accepted spelling (None, str, enum)."""
    if isinstance(value, TFRecordOptions):
        return compression_name(value.compression_type)
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, int) and not isinstance(value, bool):
        if value in TFRecordOptions.compression_type_map:
            return TFRecordOptions.compression_type_map[value]
    elif isinstance(value, str) and value.upper() in ("", "ZLIB", "GZIP", "NONE"):
        v = value.upper()
        return "" if v == "NONE" else v
    elif hasattr(value, "numpy"):  # a string scalar Tensor
        return compression_name(value.numpy())
    raise errors.InvalidArgumentError(
        None, None, "Unsupported compression_type %r: use None, '', 'ZLIB' or 'GZIP'" % (value,))


def os_error(e, path, what):
    """An OSError as TensorFlow's error class."""
    if isinstance(e, FileNotFoundError):
        return errors.NotFoundError(None, None, "%s: %s: No such file or directory" % (what, path))
    if isinstance(e, PermissionError):
        return errors.PermissionDeniedError(None, None, "%s: %s: Permission denied" % (what, path))
    if isinstance(e, IsADirectoryError):
        return errors.FailedPreconditionError(None, None, "%s: %s: Is a directory" % (what, path))
    return errors.UnknownError(None, None, "%s: %s: %s" % (what, path, e))


def frame(record):
    """One record with TFRecord framing (bytes)."""
    header = _LENGTH.pack(len(record))
    return b"".join((header, _CRC.pack(masked_crc32c(header)), record,
                     _CRC.pack(masked_crc32c(record))))


class TFRecordWriter(object):
    """Writes records to a TFRecord file (tf.io.TFRecordWriter).

        with TFRecordWriter("data.tfrecord") as w:
            w.write(example.SerializeToString())

    options: None, '', 'ZLIB', 'GZIP' or TFRecordOptions. close() (or leaving
    the with block) flushes, syncs and closes the file.
    """

    def __init__(self, path, options=None):
        self._path = os.fspath(path)
        self._compression = compression_name(options)
        level = getattr(options, "compression_level", None)
        level = 6 if level is None or level < 0 else level
        try:
            self._raw = open(self._path, "wb")
        except OSError as e:
            raise os_error(e, self._path, "TFRecordWriter")
        self._zlib = None
        if self._compression == "GZIP":
            self._file = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw,
                                       compresslevel=level, mtime=0)
        else:
            self._file = self._raw
            if self._compression == "ZLIB":
                bits = getattr(options, "window_bits", None) or zlib.MAX_WBITS
                self._zlib = zlib.compressobj(level, zlib.DEFLATED, bits)
        self._closed = False

    def write(self, record):
        """Appends one record (bytes, a scalar string tensor, a message with
        SerializeToString() such as an Example; a str is written as UTF-8)."""
        if self._closed:
            raise errors.FailedPreconditionError(None, None, "TFRecordWriter: %s is closed"
                                                 % self._path)
        if hasattr(record, "SerializeToString"):
            record = record.SerializeToString()
        if isinstance(record, str):
            record = record.encode()
        elif hasattr(record, "numpy") and not isinstance(record, (bytes, bytearray)):
            record = record.numpy()
        data = frame(memoryview(record).tobytes() if not isinstance(record, bytes) else record)
        if self._zlib is not None:
            data = self._zlib.compress(data)
        self._file.write(data)

    def flush(self):
        """Pushes the written records to the operating system."""
        if self._closed:
            return
        if self._zlib is not None:
            self._file.write(self._zlib.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()
        if self._file is not self._raw:
            self._raw.flush()

    def close(self):
        """Finishes the compressed stream, flushes, syncs and closes."""
        if self._closed:
            return
        try:
            if self._zlib is not None:
                self._file.write(self._zlib.flush(zlib.Z_FINISH))
            if self._file is not self._raw:
                self._file.close()   # writes the gzip trailer
            self._raw.flush()
            os.fsync(self._raw.fileno())
        finally:
            self._raw.close()
            self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class _ZlibReader(object):
    """read(n) over a ZLIB stream, reporting a cut-off stream as EOFError."""

    def __init__(self, raw):
        self._raw = raw
        self._z = zlib.decompressobj()
        self._buf = b""

    def read(self, n):
        while len(self._buf) < n and not self._z.eof:
            chunk = self._raw.read(1 << 16)
            if not chunk:
                if self._buf or self._z.unconsumed_tail:
                    break
                raise EOFError("the ZLIB stream ended before its end marker")
            self._buf += self._z.decompress(chunk)
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def close(self):
        self._raw.close()


def _data_loss(path, offset, what, compressed):
    where = " of the decompressed stream" if compressed else ""
    return errors.DataLossError(None, None, "%s: %s at byte offset %d%s" % (path, what, offset,
                                                                           where))


def read_records(path, compression_type=None):
    """The records of one TFRecord file, CRCs verified (a generator of bytes)."""
    for _, data in records_with_offsets(path, compression_type):
        yield data


def records_with_offsets(path, compression_type=None):
    """(byte offset, record) pairs of one TFRecord file, CRCs verified."""
    path = os.fspath(path)
    compression = compression_name(compression_type)
    try:
        raw = open(path, "rb")
    except OSError as e:
        raise os_error(e, path, "TFRecordDataset")
    try:
        size = os.fstat(raw.fileno()).st_size if not compression else None
        if compression == "GZIP":
            f = gzip.GzipFile(fileobj=raw, mode="rb")
        elif compression == "ZLIB":
            f = _ZlibReader(raw)
        else:
            f = raw
        read, offset, compressed = f.read, 0, bool(compression)
        while True:
            try:
                header = read(12)
                if not header:
                    return
                if len(header) < 12:
                    raise _data_loss(path, offset, "truncated record: %d of 12 header bytes"
                                     % len(header), compressed)
                length, crc = _HEADER.unpack(header)
                if masked_crc32c(header[:8]) != crc:
                    raise _data_loss(path, offset, "corrupted record: the CRC of the length "
                                     "does not match", compressed)
                if size is not None and length + 16 > size - offset:
                    raise _data_loss(path, offset, "truncated record: the record holds %d data "
                                     "bytes but the file has %d more"
                                     % (length, size - offset - 12), compressed)
                data = read(length) if length <= _BIG_READ else _read_long(read, length)
                footer = read(4) if len(data) == length else b""
            except (EOFError, OSError, zlib.error) as e:
                raise _data_loss(path, offset, "unreadable compressed data (%s)" % e, compressed)
            if len(data) < length or len(footer) < 4:
                raise _data_loss(path, offset, "truncated record: %d of %d data bytes and %d of "
                                 "4 CRC bytes" % (len(data), length, len(footer)), compressed)
            if masked_crc32c(data) != _CRC.unpack(footer)[0]:
                raise _data_loss(path, offset, "corrupted record: the CRC of the data does not "
                                 "match", compressed)
            yield offset, data
            offset += 16 + length
    finally:
        raw.close()


def _read_long(read, length):
    parts, left = [], length
    while left:
        piece = read(min(left, _BIG_READ))
        if not piece:
            break
        parts.append(piece)
        left -= len(piece)
    return b"".join(parts)


def tf_record_iterator(path, options=None):
    """The records of a TFRecord file as bytes (TF 1's tf_record_iterator)."""
    return read_records(path, options)
