"""The summary functions: scalar, histogram, image, text and the generic
write, TensorFlow 2's tensor-based summaries with the metadata TensorBoard's
plugins read. Each returns True when it wrote and False when no writer is
set or recording is off (and then does no work)."""
import time

import numpy as np

from eager.summary import _events
from eager.summary._state import STATE, resolve_step, should_record_summaries

_DEFAULT_BUCKETS = 30


def _check_name(name, who):
    if not isinstance(name, str) or not name:
        raise ValueError("%s: name must be a non-empty string, got %r" % (who, name))
    return name


def _plugin_metadata(plugin, description):
    create = _events.protos().metadata[plugin]
    return lambda: create(display_name=None, description=description or "")


def scalar(name, data, step=None, description=None):
    """Writes a scalar (a 0-d float32 tensor for TensorBoard's scalars
    plugin) to the default writer (tf.summary.scalar).

    name: the tag. data: a real number or scalar Tensor. step: an int, a
        scalar Tensor or a Variable (default: summary.experimental.get_step(),
        then the global step). description: shown in TensorBoard.
    Returns True if written, False if no writer or recording is off.
    """
    if not should_record_summaries():
        return False
    _check_name(name, "summary.scalar")
    value = _events.host_array(data)
    if value.ndim != 0 or value.dtype.kind not in "biuf":
        raise ValueError("summary.scalar %r: data must be a real scalar, got dtype %s and "
                         "shape %s" % (name, value.dtype, value.shape))
    step = resolve_step(step, "summary.scalar %r" % name)
    STATE.writer.write_value(name, _events.scalar_proto(float(value)),
                             _plugin_metadata("scalars", description), step)
    return True


def histogram(name, data, step=None, buckets=None, description=None):
    """Writes a histogram of `data` (any shape, as float64) in TF 2's form:
    a (k, 3) tensor of (left edge, right edge, count) for k evenly spaced
    buckets over [min, max] (tf.summary.histogram).

    buckets: k (default 30). step, description: as scalar's.
    """
    if not should_record_summaries():
        return False
    _check_name(name, "summary.histogram")
    who = "summary.histogram %r" % name
    k = _DEFAULT_BUCKETS if buckets is None else buckets
    if isinstance(k, bool) or int(k) != k or k < 0:
        raise ValueError("%s: buckets must be a non-negative integer, got %r" % (who, buckets))
    values = _events.host_array(data)
    if values.dtype.kind not in "biuf":
        raise ValueError("%s: data must be real numbers, got dtype %s" % (who, values.dtype))
    step = resolve_step(step, who)
    table = _events.histogram_buckets(values, int(k), who)
    STATE.writer.write_value(name, _events.tensor_proto(table, who),
                             _plugin_metadata("histograms", description), step)
    return True


def image(name, data, step=None, max_outputs=3, description=None):
    """Writes up to `max_outputs` images as PNG (tf.summary.image): the
    tensor [width, height, png_0, png_1, ...] of TensorBoard's images
    plugin.

    data: (k, height, width, channels) with 1, 3 or 4 channels; uint8, or
        floats in [0, 1] (scaled by 255 and clipped), or wider integers.
    step, description: as scalar's.
    """
    if not should_record_summaries():
        return False
    _check_name(name, "summary.image")
    who = "summary.image %r" % name
    if isinstance(max_outputs, bool) or int(max_outputs) != max_outputs or max_outputs < 0:
        raise ValueError("%s: max_outputs must be a non-negative integer, got %r"
                         % (who, max_outputs))
    images = _events.host_array(data)
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError("%s: data must have shape (k, height, width, channels) with 1, 3 or "
                         "4 channels, got shape %s" % (who, images.shape))
    if images.shape[1] == 0 or images.shape[2] == 0:
        raise ValueError("%s: images must have a height and width of at least 1, got shape %s"
                         % (who, images.shape))
    step = resolve_step(step, who)
    images = _events.to_uint8_image(images[:int(max_outputs)], who)
    height, width = images.shape[1], images.shape[2]
    encoded = [str(width).encode(), str(height).encode()] + \
        [_events.encode_png(im) for im in images]
    STATE.writer.write_value(name, _events.tensor_proto(np.array(encoded, dtype=object), who),
                             _plugin_metadata("images", description), step)
    return True


def text(name, data, step=None, description=None):
    """Writes text (a string or a Tensor/array/list of strings; TensorBoard
    renders it as Markdown) for TensorBoard's text plugin (tf.summary.text).
    step, description: as scalar's."""
    if not should_record_summaries():
        return False
    _check_name(name, "summary.text")
    who = "summary.text %r" % name
    strings = _events.host_array(data)
    if strings.dtype.kind not in "OSU":
        raise TypeError("%s: data must be strings, got dtype %s" % (who, strings.dtype))
    step = resolve_step(step, who)
    STATE.writer.write_value(name, _events.tensor_proto(strings, who),
                             _plugin_metadata("text", description), step)
    return True


def write(tag, tensor, step=None, metadata=None, name=None):
    """Writes `tensor` (a Tensor, array, value, or a callable returning one)
    under `tag` with `metadata` (a SummaryMetadata message, its serialized
    bytes, or None) (tf.summary.write). Returns True if written."""
    if not should_record_summaries():
        return False
    _check_name(tag, "summary.write")
    who = "summary.write %r" % tag
    value = _events.host_array(tensor)
    step = resolve_step(step, who)
    if isinstance(metadata, (bytes, bytearray)):
        metadata = _events.protos().summary_pb2.SummaryMetadata.FromString(bytes(metadata))
    STATE.writer.write_value(tag, _events.tensor_proto(value, who),
                             None if metadata is None else (lambda: metadata), step)
    return True


def write_raw_pb(tensor, step=None, name=None):
    """Writes serialized Summary messages (bytes, or a string Tensor/list of
    them) as one event (tf.summary.experimental.write_raw_pb)."""
    if not should_record_summaries():
        return False
    blobs = _events.host_array(tensor)
    if blobs.dtype.kind not in "OS":
        raise TypeError("summary.experimental.write_raw_pb: expected serialized Summary bytes, "
                        "got dtype %s" % blobs.dtype)
    step = resolve_step(step, "summary.experimental.write_raw_pb")
    p = _events.protos()
    summary = p.summary_pb2.Summary()
    for blob in _events._string_list(blobs, "summary.experimental.write_raw_pb"):
        summary.MergeFromString(blob)
    STATE.writer.write_event(p.event_pb2.Event(wall_time=time.time(), step=step,
                                               summary=summary))
    return True
