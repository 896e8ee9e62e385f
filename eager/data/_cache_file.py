"""Dataset.cache(filename): elements stored in a file after the first
complete pass and read back by later passes (and later programs).

The file is a TFRecord file, so every record is CRC-checked: a header
record (magic, version, the element structure as JSON), then one record per
element holding its flattened components. A component is

    u8 kind (0 dense, 1 sparse: three dense parts follow)
    u8 n, n bytes: NumPy dtype string ('<f4', '|b1', ...; 'S' for bytes strings)
    u8 ndim, ndim x u64 dims
    data: the raw little-endian values, or for strings u64 length + bytes each

No pickle: dtypes are limited to numbers, bools and byte strings, and every
size is checked against the record before it is used. The file is written
under a temporary name and renamed into place only after a complete pass,
so a partial pass never leaves a cache behind.
"""
import collections
import json
import os
import struct
import tempfile

import numpy as np

from eager import errors
from eager.data import structure as st
from eager.data.dataset import close_iter
from eager.io import tfrecord
from eager.util.fileio import fsync_dir

_MAGIC = b"eager.data.cache\x00"
_VERSION = 1
_U8 = struct.Struct("<B")
_U64 = struct.Struct("<Q")
_NAMEDTUPLES = {}


def cache_path(filename):
    return os.path.join(filename, "dataset.cache") if os.path.isdir(filename) else filename


def cached(dataset, filename):
    path = cache_path(filename)
    if os.path.exists(path):
        return _read(path)
    return _write_through(dataset._make_iter(), path)


# ---- writing --------------------------------------------------------------------
def _treedef(s):
    if isinstance(s, tuple):
        kids = [_treedef(c) for c in s]
        if hasattr(type(s), "_fields"):
            return {"namedtuple": type(s).__name__, "fields": list(s._fields), "children": kids}
        return {"tuple": kids}
    if isinstance(s, dict):
        for k in s:
            if not isinstance(k, str):
                raise TypeError("cache: dict keys must be str to be stored in a file, got %r" % k)
        return {"dict": [[k, _treedef(s[k])] for k in sorted(s)]}
    return None


def _encode_dense(a, out):
    a = np.asarray(a)
    if a.dtype == object:
        items = a.reshape(-1).tolist()
        for b in items:
            if not isinstance(b, bytes):
                raise TypeError("cache: string components must hold bytes, got %s"
                                % type(b).__name__)
        dt = b"S"
        data = b"".join(_U64.pack(len(b)) + b for b in items)
    else:
        if a.dtype.kind not in "biufc":
            raise TypeError("cache: cannot store components of dtype %s" % a.dtype)
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)
        dt = a.dtype.str.encode()
        data = np.ascontiguousarray(a).tobytes()
    out.append(_U8.pack(len(dt)) + dt + _U8.pack(a.ndim) +
               b"".join(_U64.pack(d) for d in a.shape))
    out.append(data)


def _encode(e):
    out = []
    for leaf in st.flatten(e):
        if isinstance(leaf, st.SparseValue):
            out.append(_U8.pack(1))
            for part in leaf:
                _encode_dense(part, out)
        else:
            out.append(_U8.pack(0))
            _encode_dense(leaf, out)
    return b"".join(out)


def _header(e):
    meta = {"version": _VERSION, "structure": _treedef(e) if e is not None else None,
            "empty": e is None}
    return _MAGIC + json.dumps(meta).encode()


def _write_through(src, path):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = None, None
    writer = None
    done = False
    try:
        for e in src:
            if writer is None:
                fd, tmp = tempfile.mkstemp(prefix=".cache-tmp-", dir=folder)
                os.close(fd)
                writer = tfrecord.TFRecordWriter(tmp)
                writer.write(_header(e))
            writer.write(_encode(e))
            yield e
        if writer is None:
            fd, tmp = tempfile.mkstemp(prefix=".cache-tmp-", dir=folder)
            os.close(fd)
            writer = tfrecord.TFRecordWriter(tmp)
            writer.write(_header(None))
        writer.close()   # flushes and fsyncs
        os.replace(tmp, path)
        fsync_dir(folder)
        done = True
    finally:
        close_iter(src)
        if not done:
            if writer is not None:
                writer.close()
            if tmp is not None and os.path.exists(tmp):
                os.remove(tmp)


# ---- reading --------------------------------------------------------------------
class _Cursor(object):
    __slots__ = ("buf", "pos", "path", "offset")

    def __init__(self, buf, path, offset):
        self.buf, self.pos, self.path, self.offset = buf, 0, path, offset

    def fail(self, what):
        return errors.DataLossError(None, None, "%s: malformed cache record at byte offset %d: %s"
                                    % (self.path, self.offset, what))

    def take(self, n):
        if n > len(self.buf) - self.pos:
            raise self.fail("it ends %d bytes early" % (n - (len(self.buf) - self.pos)))
        b = self.buf[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u64(self):
        return _U64.unpack(self.take(8))[0]


def _decode_dense(c):
    dt = bytes(c.take(c.u8())).decode("ascii", "replace")
    ndim = c.u8()
    shape = tuple(c.u64() for _ in range(ndim))
    count = 1
    for d in shape:
        count *= d
    if dt == "S":
        if count > len(c.buf):
            raise c.fail("%d strings cannot fit in the record" % count)
        items = []
        for _ in range(count):
            items.append(bytes(c.take(c.u64())))
        a = np.empty(count, dtype=object)
        a[:] = items
        return a.reshape(shape)
    try:
        npdt = np.dtype(dt)
    except TypeError:
        raise c.fail("unknown dtype %r" % dt)
    if npdt.kind not in "biufc" or npdt.hasobject:
        raise c.fail("unsupported dtype %r" % dt)
    data = c.take(count * npdt.itemsize)
    return np.frombuffer(data, npdt).astype(npdt.newbyteorder("="), copy=True).reshape(shape)


def _decode(rec, path, offset, nleaves):
    c = _Cursor(memoryview(rec), path, offset)
    leaves = []
    for _ in range(nleaves):
        kind = c.u8()
        if kind == 0:
            leaves.append(_decode_dense(c))
        elif kind == 1:
            leaves.append(st.SparseValue(*(_decode_dense(c) for _ in range(3))))
        else:
            raise c.fail("unknown component kind %d" % kind)
    if c.pos != len(rec):
        raise c.fail("%d bytes left over" % (len(rec) - c.pos))
    return leaves


def _template(t, path):
    """A structure with placeholder leaves from its JSON description."""
    if t is None:
        return 0
    if not isinstance(t, dict):
        raise errors.DataLossError(None, None, "%s: malformed cache header" % path)
    if "tuple" in t:
        return tuple(_template(c, path) for c in t["tuple"])
    if "dict" in t:
        return {k: _template(c, path) for k, c in t["dict"]}
    if "namedtuple" in t:
        key = (t["namedtuple"], tuple(t["fields"]))
        cls = _NAMEDTUPLES.get(key)
        if cls is None:
            cls = _NAMEDTUPLES[key] = collections.namedtuple(t["namedtuple"], t["fields"])
        return cls(*(_template(c, path) for c in t["children"]))
    raise errors.DataLossError(None, None, "%s: malformed cache header" % path)


def _read(path):
    records = tfrecord.records_with_offsets(path)
    try:
        first = next(records, None)
        if first is None or not first[1].startswith(_MAGIC):
            raise errors.DataLossError(None, None, "%s: not an eager dataset cache (no header at "
                                       "byte offset 0)" % path)
        try:
            meta = json.loads(first[1][len(_MAGIC):].decode())
        except (ValueError, UnicodeDecodeError):
            raise errors.DataLossError(None, None, "%s: malformed cache header at byte offset 0"
                                       % path)
        if not isinstance(meta, dict) or meta.get("version") != _VERSION:
            raise errors.DataLossError(None, None, "%s: unsupported cache version %r"
                                       % (path, meta.get("version") if isinstance(meta, dict)
                                          else meta))
        if meta.get("empty"):
            return
        template = _template(meta.get("structure"), path)
        nleaves = len(st.flatten(template))
        structured = st.is_structure(template)
        for offset, rec in records:
            leaves = _decode(rec, path, offset, nleaves)
            yield st.pack_as(template, leaves) if structured else leaves[0]
    finally:
        records.close()
