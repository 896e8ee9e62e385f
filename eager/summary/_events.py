"""What goes into TensorBoard event files: the `tensorboard` package's
protobuf messages and plugin metadata (imported on first use, so `import
eager` does not need tensorboard), tensors as TensorProtos, histogram
buckets and PNG images."""
import struct
import types
import zlib

import numpy as np

from eager import errors

_PROTOS = None

INSTALL_HINT = ("eager.summary writes TensorBoard event files with the `tensorboard` "
                "package, which is not installed: pip install eager[summary] "
                "(or pip install tensorboard)")


def protos():
    """The tensorboard modules eager.summary uses (ImportError with the
    install command when tensorboard is missing)."""
    global _PROTOS
    if _PROTOS is None:
        try:
            from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2
            from tensorboard.compat.proto import tensor_shape_pb2, types_pb2
            from tensorboard.plugins.scalar import metadata as scalar_metadata
            from tensorboard.plugins.histogram import metadata as histogram_metadata
            from tensorboard.plugins.image import metadata as image_metadata
            from tensorboard.plugins.text import metadata as text_metadata
        except ImportError as e:
            raise ImportError(INSTALL_HINT + " (%s)" % e) from e
        _PROTOS = types.SimpleNamespace(
            event_pb2=event_pb2, summary_pb2=summary_pb2, tensor_pb2=tensor_pb2,
            tensor_shape_pb2=tensor_shape_pb2, types_pb2=types_pb2,
            metadata={"scalars": scalar_metadata.create_summary_metadata,
                      "histograms": histogram_metadata.create_summary_metadata,
                      "images": image_metadata.create_summary_metadata,
                      "text": text_metadata.create_summary_metadata})
        _PROTOS.dtype_enum = _dtype_enums(types_pb2)
    return _PROTOS


def _dtype_enums(types_pb2):
    t = types_pb2
    return {np.dtype(np.float32): t.DT_FLOAT, np.dtype(np.float64): t.DT_DOUBLE,
            np.dtype(np.float16): t.DT_HALF, np.dtype(np.int8): t.DT_INT8,
            np.dtype(np.int16): t.DT_INT16, np.dtype(np.int32): t.DT_INT32,
            np.dtype(np.int64): t.DT_INT64, np.dtype(np.uint8): t.DT_UINT8,
            np.dtype(np.uint16): t.DT_UINT16, np.dtype(np.uint32): t.DT_UINT32,
            np.dtype(np.uint64): t.DT_UINT64, np.dtype(np.bool_): t.DT_BOOL,
            np.dtype(np.complex64): t.DT_COMPLEX64, np.dtype(np.complex128): t.DT_COMPLEX128}


def host_array(value):
    """A Tensor, Variable, array or Python value as a NumPy array."""
    if callable(value) and not hasattr(value, "numpy"):
        value = value()      # TF 2 accepts a callable for deferred data
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    return np.asarray(value)


def _is_strings(a):
    return a.dtype.kind in "OSU"


def _string_list(a, who):
    out = []
    for s in a.ravel().tolist():
        if isinstance(s, str):
            out.append(s.encode("utf-8"))
        elif isinstance(s, (bytes, bytearray, np.bytes_)):
            out.append(bytes(s))
        else:
            raise TypeError("%s: expected strings, got an element of type %s"
                            % (who, type(s).__name__))
    return out


def tensor_proto(array, who="summary.write"):
    """A TensorProto holding `array` (numbers in tensor_content, little
    endian; strings as UTF-8 in string_val)."""
    p = protos()
    a = np.asarray(array)
    shape = p.tensor_shape_pb2.TensorShapeProto(
        dim=[p.tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in a.shape])
    if _is_strings(a):
        return p.tensor_pb2.TensorProto(dtype=p.types_pb2.DT_STRING, tensor_shape=shape,
                                        string_val=_string_list(a, who))
    enum = p.dtype_enum.get(a.dtype.newbyteorder("=") if a.dtype.byteorder == ">" else a.dtype)
    if enum is None:
        raise TypeError("%s: cannot write a tensor of dtype %s" % (who, a.dtype))
    content = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
    return p.tensor_pb2.TensorProto(dtype=enum, tensor_shape=shape, tensor_content=content)


_FLOAT = struct.Struct("<f")


def scalar_proto(value):
    """A 0-d float32 TensorProto (what tf.summary.scalar writes)."""
    p = protos()
    return p.tensor_pb2.TensorProto(dtype=p.types_pb2.DT_FLOAT,
                                    tensor_shape=p.tensor_shape_pb2.TensorShapeProto(),
                                    tensor_content=_FLOAT.pack(value))


def histogram_buckets(data, bucket_count, who):
    """TF 2's histogram tensor: a float64 array (k, 3) of (left edge, right
    edge, count), k evenly spaced buckets over [min, max] that are closed-open
    except the last. No data gives zeros; data of one value gives k buckets of
    zero width with all the count in the last. NaN or infinite data raises
    InvalidArgumentError (its range could not be bucketed)."""
    k = bucket_count
    x = np.asarray(data, np.float64).ravel()
    if k == 0 or x.size == 0:
        return np.zeros((k, 3))
    lo, hi = x.min(), x.max()
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise errors.InvalidArgumentError(None, None, "%s: the data holds NaN or infinite values"
                                          % who)
    out = np.empty((k, 3))
    if lo == hi:
        out[:, 0] = out[:, 1] = lo
        out[:, 2] = 0
        out[-1, 2] = x.size
        return out
    width = (hi - lo) / k
    index = np.minimum(np.floor((x - lo) / width).astype(np.int64), k - 1)
    edges = np.linspace(lo, hi, k + 1)
    out[:, 0], out[:, 1] = edges[:-1], edges[1:]
    out[:, 2] = np.bincount(index, minlength=k)
    return out


def _png_chunk(kind, data):
    return b"".join((struct.pack(">I", len(data)), kind, data,
                     struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)) & 0xFFFFFFFF)))


_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}   # channels -> PNG colour type (grey, grey+alpha, RGB, RGBA)


def encode_png(image, compression=6):
    """PNG bytes of a uint8 array (height, width, channels) with 1 to 4
    channels: 8-bit samples, no interlace, filter type 0 on every row."""
    h, w, c = image.shape
    rows = np.zeros((h, 1 + w * c), np.uint8)   # a leading 0: the 'None' filter of each row
    rows[:, 1:] = np.ascontiguousarray(image, np.uint8).reshape(h, w * c)
    header = struct.pack(">IIBBBBB", w, h, 8, _COLOR_TYPE[c], 0, 0, 0)
    return b"".join((b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), compression)),
                     _png_chunk(b"IEND", b"")))


def to_uint8_image(images, who):
    """tf.image.convert_image_dtype(images, uint8, saturate=True): floats in
    [0, 1] scaled by 255.5 and clipped, wider integers shifted down."""
    a = np.asarray(images)
    if a.dtype == np.uint8:
        return a
    if a.dtype.kind == "f":
        return np.clip(a.astype(np.float64) * 255.5, 0, 255).astype(np.uint8)
    if a.dtype.kind in "iu":
        info = np.iinfo(a.dtype)
        shift = max(0, int(np.log2(info.max + 1)) - 8)
        return np.clip(a.astype(np.int64) >> shift, 0, 255).astype(np.uint8)
    if a.dtype.kind == "b":
        return a.astype(np.uint8) * 255
    raise TypeError("%s: images must be numbers, got dtype %s" % (who, a.dtype))
