"""Whole files and raw bytes: read_file, write_file, matching_files and
decode_raw (the companion of FixedLengthRecordDataset)."""
import glob
import os

import numpy as np

from eager import errors
from eager._ext.dtypes import as_dtype
from eager._ext.tensor import Tensor, _from_array, _storage
from eager.io.tfrecord import os_error
from eager.util.fileio import atomic_write


def _str_arg(value, op, what="filename"):
    if isinstance(value, Tensor):
        value = _storage(value)
        if value.ndim != 0:
            raise errors.InvalidArgumentError(None, op, "%s: %s must be a scalar, got shape %s"
                                              % (op, what, list(value.shape)))
        value = value[()]
    if isinstance(value, bytes):
        value = value.decode()
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError("%s: %s must be a string, got %s" % (op, what, type(value).__name__))
    return os.fspath(value)


def _bytes_scalar(b):
    a = np.empty((), dtype=object)
    a[()] = b
    return _from_array(a)


def read_file(filename, name=None):
    """The contents of a file as a string scalar Tensor (tf.io.read_file)."""
    path = _str_arg(filename, "read_file")
    try:
        with open(path, "rb") as f:
            return _bytes_scalar(f.read())
    except OSError as e:
        raise os_error(e, path, "read_file")


def write_file(filename, contents, name=None):
    """Writes bytes (or a string scalar Tensor) to a file: to a temporary
    name in the same folder, synced, then renamed over `filename`."""
    path = _str_arg(filename, "write_file")
    if isinstance(contents, Tensor):
        contents = _storage(contents)[()]
    if isinstance(contents, str):
        contents = contents.encode()
    try:
        atomic_write(path, lambda f: f.write(contents))
    except OSError as e:
        raise os_error(e, path, "write_file")


def matching_files(pattern, name=None):
    """The sorted file names matching a glob pattern, a 1-D string Tensor."""
    path = _str_arg(pattern, "matching_files", "pattern")
    names = sorted(glob.glob(path))
    a = np.empty(len(names), dtype=object)
    a[:] = [n.encode() for n in names]
    return _from_array(a)


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """Reinterprets the bytes of each string as numbers (tf.io.decode_raw):
    a string tensor of shape S becomes out_type values of shape S + [n].
    All strings must have the same length, a multiple of the type's size.

    >>> decode_raw(b"\\x01\\x00\\x02\\x00", "int16").numpy().tolist()
    [1, 2]
    """
    op = "decode_raw"
    dt = as_dtype(out_type)
    if dt.name == "string" or dt.np_dtype.kind not in "biufc":
        raise TypeError("%s: out_type must be a numeric dtype, got %s" % (op, dt.name))
    if isinstance(input_bytes, Tensor):
        if input_bytes.dtype.name != "string":
            raise TypeError("%s: input_bytes must be a string tensor, got %s"
                            % (op, input_bytes.dtype.name))
        arr = _storage(input_bytes)
    else:
        arr = np.array(input_bytes, dtype=object)
    flat = [v.encode() if isinstance(v, str) else bytes(v) for v in arr.reshape(-1).tolist()]
    npdt = dt.np_dtype.newbyteorder("<" if little_endian else ">")
    size = npdt.itemsize
    if fixed_length is not None:
        fixed_length = int(fixed_length)
        if fixed_length % size:
            raise errors.InvalidArgumentError(
                None, op, "%s: fixed_length %d is not a multiple of %d, the size of %s"
                % (op, fixed_length, size, dt.name))
        flat = [(b + b"\0" * fixed_length)[:fixed_length] for b in flat]
    n = len(flat[0]) if flat else 0
    for i, b in enumerate(flat):
        if len(b) % size:
            raise errors.InvalidArgumentError(
                None, op, "%s: Input to DecodeRaw has length %d that is not a multiple of %d, "
                "the size of %s" % (op, len(b), size, dt.name))
        if len(b) != n:
            raise errors.InvalidArgumentError(
                None, op, "%s: DecodeRaw requires input strings to all be the same size, but "
                "element %d has size %d != %d" % (op, i, len(b), n))
    values = np.frombuffer(b"".join(flat), dtype=npdt).astype(dt.np_dtype)
    return _from_array(values.reshape(arr.shape + (n // size,)))
