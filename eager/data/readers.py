"""Datasets read from files: TextLineDataset, FixedLengthRecordDataset and
TFRecordDataset. Each yields string scalars (one line or record each),
reads its files in order (or `num_parallel_reads` at a time, interleaved
record by record), and decompresses GZIP and ZLIB streams. A file that
ends inside a record or fails its checks raises DataLossError with the
file and the byte offset; nothing is skipped."""
import gzip
import os
import zlib

import numpy as np

from eager import errors
from eager._ext.dtypes import as_dtype
from eager.data import structure as st
from eager.data._sources import _strings
from eager.data._threads import prefetched
from eager.data.dataset import Dataset, AUTOTUNE, UNKNOWN, close_iter, int_arg, invalid
from eager.io import tfrecord
from eager.io.tfrecord import compression_name, os_error

_READ = 1 << 16
_STRING = as_dtype("string")


def _scalar(b):
    a = np.empty((), dtype=object)
    a[()] = b
    return a


class _FileDataset(Dataset):
    _op = "dataset"

    def __init__(self, filenames, compression_type, num_parallel_reads):
        if isinstance(filenames, Dataset):
            self._files_dataset, self._files = filenames, None
        else:
            self._files_dataset, self._files = None, _strings(filenames, self._op)
        self._compression = compression_name(compression_type)
        n = int_arg(num_parallel_reads, "num_parallel_reads", self._op, allow_none=True)
        if n == AUTOTUNE:
            n = os.cpu_count() or 1
        if n is not None and n <= 0:
            raise invalid(self._op, "num_parallel_reads must be positive or AUTOTUNE, got %d" % n)
        self._parallel = n

    def _records(self, path):
        """The records of one file (a generator of bytes)."""
        raise NotImplementedError

    def _file_names(self):
        if self._files is not None:
            return iter(self._files)
        return (_strings(st.to_user(e), self._op)[0] for e in self._files_dataset._make_iter())

    def _make_iter(self):
        if self._parallel and self._parallel > 1:
            return self._interleaved(self._file_names(), self._parallel)
        return self._sequential(self._file_names())

    def _sequential(self, names):
        try:
            for path in names:
                for rec in self._records(path):
                    yield _scalar(rec)
        finally:
            close_iter(names)

    def _interleaved(self, names, n):
        """Record by record from n files at a time, each read ahead by a
        thread; the order is that of interleave(cycle_length=n)."""
        slots = [None] * n
        active, ended, i = 0, False, 0
        try:
            while True:
                if slots[i] is None and not ended:
                    path = next(names, None)
                    if path is None:
                        ended = True
                    else:
                        slots[i] = prefetched(self._records(path), 16)
                        active += 1
                if slots[i] is not None:
                    rec = next(slots[i], None)
                    if rec is None:
                        slots[i] = None
                        active -= 1
                    else:
                        yield _scalar(rec)
                if ended and active == 0:
                    return
                i = (i + 1) % n
        finally:
            for it in slots:
                if it is not None:
                    it.close()
            close_iter(names)

    def _cardinality(self):
        return UNKNOWN

    def _compute_spec(self):
        return st.TensorSpec([], _STRING)

    def _peek(self):
        try:
            names = self._file_names()
            path = next(names, None)
            close_iter(names)
            if path is not None:
                it = self._records(path)
                try:
                    return _scalar(next(it))
                finally:
                    close_iter(it)
        except (StopIteration, errors.OpError, OSError):
            pass
        return _scalar(b"")


def _open(path, compression, op):
    try:
        raw = open(path, "rb")
    except OSError as e:
        raise os_error(e, path, op)
    if compression == "GZIP":
        return raw, gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "ZLIB":
        return raw, tfrecord._ZlibReader(raw)
    return raw, raw


class TextLineDataset(_FileDataset):
    """The lines of text files, without their line ends ("\\n" or "\\r\\n"),
    as string scalars (tf.data.TextLineDataset).

    filenames: a file name, a list of them, a string Tensor or a Dataset of
        file names.
    compression_type: None, '', 'GZIP' or 'ZLIB'.
    """
    _op = "TextLineDataset"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        super().__init__(filenames, compression_type, num_parallel_reads)

    def _records(self, path):
        raw, f = _open(path, self._compression, self._op)
        offset = 0
        try:
            lines = f if self._compression != "ZLIB" else _split_lines(f.read)
            for line in lines:
                offset += len(line)
                if line.endswith(b"\n"):
                    line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
                elif line.endswith(b"\r"):
                    line = line[:-1]
                yield line
        except (EOFError, OSError, zlib.error) as e:
            raise errors.DataLossError(None, None, "%s: unreadable compressed data at byte offset "
                                       "%d of the decompressed stream (%s)" % (path, offset, e))
        finally:
            raw.close()


def _split_lines(read):
    pending = b""
    while True:
        chunk = read(_READ)
        if not chunk:
            break
        parts = (pending + chunk).split(b"\n")
        pending = parts.pop()
        for p in parts:
            yield p + b"\n"
    if pending:
        yield pending


class FixedLengthRecordDataset(_FileDataset):
    """Records of record_bytes bytes from binary files, after header_bytes
    and before footer_bytes, as string scalars (tf.data.FixedLengthRecordDataset).
    A body that is not a whole number of records raises DataLossError."""
    _op = "FixedLengthRecordDataset"

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None,
                 buffer_size=None, compression_type=None, num_parallel_reads=None, name=None):
        super().__init__(filenames, compression_type, num_parallel_reads)
        self._record = int_arg(record_bytes, "record_bytes", self._op)
        self._header = int_arg(header_bytes, "header_bytes", self._op, allow_none=True) or 0
        self._footer = int_arg(footer_bytes, "footer_bytes", self._op, allow_none=True) or 0
        if self._record <= 0 or self._header < 0 or self._footer < 0:
            raise invalid(self._op, "record_bytes must be positive and header_bytes, "
                          "footer_bytes non-negative; got %d, %d, %d"
                          % (self._record, self._header, self._footer))

    def _records(self, path):
        raw, f = _open(path, self._compression, self._op)
        R, H, F = self._record, self._header, self._footer
        where = " of the decompressed stream" if self._compression else ""
        try:
            if not self._compression:
                size = os.fstat(raw.fileno()).st_size
                body = size - H - F
                if body < 0:
                    raise errors.DataLossError(None, None, "%s: the file has %d bytes, fewer than "
                                               "its header and footer (%d + %d)"
                                               % (path, size, H, F))
                whole = body - body % R
                raw.seek(H)
                for offset in range(H, H + whole, R):
                    rec = raw.read(R)
                    if len(rec) < R:
                        raise errors.DataLossError(None, None, "%s: truncated record at byte "
                                                   "offset %d" % (path, offset))
                    yield rec
                if whole < body:
                    raise errors.DataLossError(
                        None, None, "%s: truncated record at byte offset %d: excluding the header "
                        "(%d bytes) and footer (%d bytes), the file's body has %d bytes, not a "
                        "multiple of the record length (%d bytes)"
                        % (path, H + whole, H, F, body, R))
                return
            buf, offset, eof = b"", 0, False
            head = f.read(H) if H else b""
            if len(head) < H:
                raise errors.DataLossError(None, None, "%s: the file ends inside its %d-byte "
                                           "header" % (path, H))
            offset = H
            while True:
                while not eof and len(buf) < R + F:
                    chunk = f.read(_READ)
                    eof = not chunk
                    buf += chunk
                if len(buf) >= R + F:
                    yield buf[:R]
                    buf = buf[R:]
                    offset += R
                    continue
                if len(buf) == F:
                    return
                raise errors.DataLossError(
                    None, None, "%s: truncated record at byte offset %d%s: %d bytes remain, "
                    "neither a %d-byte footer nor a record" % (path, offset, where, len(buf), F))
        except (EOFError, OSError, zlib.error) as e:
            raise errors.DataLossError(None, None, "%s: unreadable compressed data (%s)"
                                       % (path, e))
        finally:
            raw.close()


class TFRecordDataset(_FileDataset):
    """The records of TFRecord files as string scalars, both CRCs of every
    record verified (tf.data.TFRecordDataset).

    filenames: a file name, a list of them, a string Tensor or a Dataset of
        file names.
    compression_type: None, '', 'GZIP' or 'ZLIB'.
    num_parallel_reads: read that many files at once, interleaved.
    """
    _op = "TFRecordDataset"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        super().__init__(filenames, compression_type, num_parallel_reads)

    def _records(self, path):
        return tfrecord.read_records(path, self._compression)
