"""The files of a checkpoint: `<prefix>.index` (JSON: format, version, the
tensors' dtypes, shapes and CRC-32s, the object graph) and
`<prefix>.data-<token>.npz` (the arrays, uncompressed .npz, no pickles).

Writing is crash-safe: each file goes to a temporary name in the same
folder, is flushed and fsynced, then renamed over its target, and the
folder is fsynced. The data file is written first under a fresh name and
the index last, so the index is the commit point: a process killed during
a save leaves either the previous checkpoint (index and data) or the new
one, never a mix. Data files the new index no longer names are deleted
after it is committed.

Reading checks everything before it trusts it: the JSON's schema, that the
data file is named by the index and lies beside it, each .npz member's
header (dtype, shape, byte count) before its bytes are read, and each
array's CRC-32. Object (pickled) arrays are refused. Any fault raises
eager.errors.DataLossError naming the file.
"""
import json
import os
import re
import zipfile
import zlib

import numpy as np

from eager import errors
from eager.util import fileio as _fileio

FORMAT = "eager.checkpoint"
VERSION = 1

# Kinds of NumPy dtype a checkpoint may hold: bool, integers, floats, complex.
_KINDS = frozenset("biufc")
_MEMBER = re.compile(r"^t[0-9]+$")
_TOKEN_BYTES = 4

# Called as _before_replace(tmp_path, final_path) just before a finished
# temporary file is renamed into place. Only tests set it (to kill a save
# at its most delicate moment).
_before_replace = None


def _data_loss(path, message):
    return errors.DataLossError(None, None, "%s: %s" % (path, message))


# ---- atomic writes ---------------------------------------------------------------

def atomic_write(path, write):
    """eager.util.fileio.atomic_write, with this module's test hook."""
    _fileio.atomic_write(path, write, _before_replace)


# ---- writing -----------------------------------------------------------------------

def _check_array(key, a):
    if a.dtype.hasobject or a.dtype.kind not in _KINDS:
        raise errors.UnimplementedError(
            None, None, "checkpoint: cannot save %r: dtype %s (shape %s) is not a bool, "
            "integer, floating or complex dtype" % (key, a.dtype, a.shape))


def write_checkpoint(prefix, tensors, object_graph=None):
    """Writes `tensors` ({key: NumPy array}) and the object graph (a JSON-able
    list of nodes, or None for a name-based checkpoint) under `prefix`;
    returns `prefix`."""
    prefix = os.fspath(prefix)
    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    base = os.path.basename(prefix)
    if not base:
        raise ValueError("checkpoint: the file prefix %r names a folder; give a prefix such "
                         "as %r" % (prefix, os.path.join(prefix, "ckpt")))
    arrays, meta = [], {}
    for i, (key, value) in enumerate(tensors.items()):
        a = np.asarray(value)
        _check_array(key, a)
        c = _contiguous(a)
        member = "t%d" % i
        meta[key] = {"member": member, "dtype": _dtype_name(a.dtype),
                     "numpy_dtype": a.dtype.str, "shape": list(a.shape),
                     "crc32": zlib.crc32(c.reshape(-1).view(np.uint8)) if c.size else 0}
        arrays.append((member, c))
    data_name = "%s.data-%s.npz" % (base, os.urandom(_TOKEN_BYTES).hex())

    def write_data(f):
        with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            for member, a in arrays:
                with zf.open(member + ".npy", "w", force_zip64=True) as m:
                    np.lib.format.write_array(m, a, allow_pickle=False)

    atomic_write(os.path.join(directory, data_name), write_data)
    index = {"format": FORMAT, "version": VERSION, "data_file": data_name,
             "tensors": meta, "object_graph": object_graph}
    # Without indent, json uses its C encoder (several times faster on big graphs).
    text = json.dumps(index, separators=(",", ":")).encode("utf-8")
    atomic_write(prefix + ".index", lambda f: f.write(text))
    _remove_stale_data(prefix, keep=data_name)
    return prefix


def _contiguous(a):
    # np.ascontiguousarray would turn a 0-d array into shape (1,).
    return a if a.flags.c_contiguous else a.copy(order="C")


def _dtype_name(np_dtype):
    from eager._ext.dtypes import as_dtype
    try:
        return as_dtype(np_dtype).name
    except (TypeError, ValueError):
        return np_dtype.name


def data_files(prefix):
    """The data files present for `prefix` (ours and TensorFlow's names)."""
    directory = os.path.dirname(prefix) or "."
    base = os.path.basename(prefix) + ".data-"
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names if n.startswith(base)]


def _remove_stale_data(prefix, keep):
    for path in data_files(prefix):
        if os.path.basename(path) != keep and path.endswith(".npz"):
            try:
                os.unlink(path)
            except OSError:
                pass


def delete_checkpoint(prefix):
    """Removes the files of the checkpoint `prefix` (index first, so a
    half-deleted checkpoint is never seen as complete)."""
    for path in [prefix + ".index"] + data_files(prefix):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def checkpoint_exists(prefix):
    """True when `prefix` names a checkpoint (its .index file exists; also
    TensorFlow's V1 single-file checkpoints)."""
    prefix = os.fspath(prefix)
    return os.path.isfile(prefix + ".index") or (
        os.path.isfile(prefix) and not prefix.endswith((".index", ".npz")))


# ---- reading -----------------------------------------------------------------------

def read_index(prefix):
    """The parsed, validated index of checkpoint `prefix`."""
    path = os.fspath(prefix) + ".index"
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(
            None, None, "Failed to find any matching files for %s (no %s)%s"
            % (prefix, path, " (it is a folder: use tf.train.latest_checkpoint(%r) to find "
                             "the checkpoint in it)" % (prefix,)
               if os.path.isdir(prefix) else "")) from None
    except OSError as e:
        raise errors.NotFoundError(None, None, "%s: cannot read: %s" % (path, e)) from None
    if raw[:1] != b"{":
        raise _data_loss(path, "not an eager checkpoint index (a JSON object was expected; "
                               "TensorFlow's own binary checkpoints cannot be read)")
    try:
        index = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise _data_loss(path, "invalid UTF-8 at byte offset %d" % e.start) from None
    except ValueError as e:
        raise _data_loss(path, "malformed JSON at byte offset %d: %s"
                         % (getattr(e, "pos", -1), getattr(e, "msg", e))) from None
    _validate_index(path, os.path.basename(os.fspath(prefix)), index)
    return index


def _validate_index(path, base, index):
    def bad(message, *args):
        return _data_loss(path, message % args if args else message)

    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise bad("not an eager checkpoint index (format is %r, expected %r)",
                  index.get("format") if isinstance(index, dict) else None, FORMAT)
    version = index.get("version")
    if type(version) is not int or version < 1:
        raise bad("bad format version %r", version)
    if version > VERSION:
        raise bad("written by a newer eager (format version %d; this one reads up to %d)",
                  version, VERSION)
    data = index.get("data_file")
    if not isinstance(data, str) or os.path.basename(data) != data or \
            not data.startswith(base + ".data-") or not data.endswith(".npz"):
        raise bad("bad data_file %r: expected a file %s.data-*.npz beside the index", data, base)
    tensors = index.get("tensors")
    if not isinstance(tensors, dict):
        raise bad("'tensors' must be an object")
    members = set()
    for key, m in tensors.items():
        if not isinstance(m, dict):
            raise bad("tensor %r: entry must be an object", key)
        member, shape, npd = m.get("member"), m.get("shape"), m.get("numpy_dtype")
        if not isinstance(member, str) or not _MEMBER.match(member) or member in members:
            raise bad("tensor %r: bad or repeated member name %r", key, member)
        members.add(member)
        if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
            raise bad("tensor %r: bad shape %r", key, shape)
        try:
            dt = np.dtype(npd) if isinstance(npd, str) else None
        except TypeError:
            dt = None
        if dt is None or dt.hasobject or dt.kind not in _KINDS:
            raise bad("tensor %r: unsupported dtype %r", key, npd)
        if type(m.get("crc32")) is not int:
            raise bad("tensor %r: bad crc32 %r", key, m.get("crc32"))
    graph = index.get("object_graph")
    if graph is None:
        return
    if not isinstance(graph, list) or not graph:
        raise bad("'object_graph' must be a non-empty list of nodes")
    n = len(graph)
    for i, node in enumerate(graph):
        if not isinstance(node, dict):
            raise bad("object graph node %d must be an object", i)
        for child in node.get("children", ()):
            if not (isinstance(child, list) and len(child) == 2 and isinstance(child[0], str)
                    and type(child[1]) is int and 0 <= child[1] < n):
                raise bad("object graph node %d: bad child %r", i, child)
        key = node.get("key")
        if key is not None and key not in tensors:
            raise bad("object graph node %d names tensor %r, which the index lacks", i, key)
        for slot in node.get("slots", ()):
            if not (isinstance(slot, list) and len(slot) == 3 and type(slot[0]) is int
                    and isinstance(slot[1], str) and type(slot[2]) is int
                    and 0 <= slot[0] < n and 0 <= slot[2] < n):
                raise bad("object graph node %d: bad slot entry %r", i, slot)


def read_tensors(prefix, index, keys=None):
    """{key: NumPy array} for `keys` (default all) of a validated index."""
    directory = os.path.dirname(os.fspath(prefix))
    path = os.path.join(directory, index["data_file"])
    tensors = index["tensors"]
    want = list(tensors) if keys is None else list(keys)
    by_member = {tensors[k]["member"] + ".npy": k for k in tensors}
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise _data_loss(path, "the data file named by %s.index is missing"
                         % os.path.basename(os.fspath(prefix))) from None
    out = {}
    with f:
        try:
            zf = zipfile.ZipFile(f)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise _data_loss(path, "not a readable .npz (zip) file: %s" % e) from None
        with zf:
            infos = {}
            for info in zf.infolist():
                if info.filename not in by_member or info.filename in infos:
                    raise _data_loss(path, "unexpected member %r (at byte offset %d): the index "
                                     "does not name it" % (info.filename, info.header_offset))
                infos[info.filename] = info
            for key in want:
                m = tensors[key]
                info = infos.get(m["member"] + ".npy")
                if info is None:
                    raise _data_loss(path, "member %s.npy for tensor %r is missing"
                                     % (m["member"], key))
                out[key] = _read_member(path, zf, info, key, m)
    return out


def _read_member(path, zf, info, key, meta):
    where = "member %s (tensor %r, at byte offset %d)" % (info.filename, key, info.header_offset)
    try:
        with zf.open(info) as m:
            version = np.lib.format.read_magic(m)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(m)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(m)
            else:
                raise ValueError("unsupported .npy version %s" % (version,))
            if dtype.hasobject:
                raise _data_loss(path, "%s holds a pickled Python object array (dtype %s); "
                                       "eager never loads pickles" % (where, dtype))
            want_dtype = np.dtype(meta["numpy_dtype"])
            if dtype != want_dtype or list(shape) != meta["shape"]:
                raise _data_loss(path, "%s has dtype %s and shape %s; the index says %s and %s"
                                 % (where, dtype, tuple(shape), want_dtype,
                                    tuple(meta["shape"])))
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if info.file_size != m.tell() + nbytes:
                raise _data_loss(path, "%s has %d bytes; its header needs %d"
                                 % (where, info.file_size, m.tell() + nbytes))
            raw = m.read(nbytes)
            if len(raw) != nbytes or m.read(1):
                raise _data_loss(path, "%s is truncated" % where)
    except errors.DataLossError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as e:
        raise _data_loss(path, "%s is unreadable: %s" % (where, e)) from None
    a = np.frombuffer(raw, dtype=dtype)
    if fortran and len(shape) > 1:
        a = a.reshape(shape[::-1]).T
    else:
        a = a.reshape(shape)
    c = _contiguous(a)
    crc = zlib.crc32(c.reshape(-1).view(np.uint8)) if c.size else 0
    if crc != meta["crc32"]:
        raise _data_loss(path, "%s fails its CRC-32 check (got %08x, the index says %08x)"
                         % (where, crc, meta["crc32"] & 0xffffffff))
    return a


def read_checkpoint(prefix):
    """(index, {key: array}) of checkpoint `prefix`. A save committed
    between reading the index and opening its data file is retried once."""
    index = read_index(prefix)
    try:
        return index, read_tensors(prefix, index)
    except errors.DataLossError:
        again = read_index(prefix)
        if again.get("data_file") == index.get("data_file"):
            raise
        return again, read_tensors(prefix, again)
