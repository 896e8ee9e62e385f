"""Summary writers: TensorBoard event files written the way TensorFlow 2's
file writer does.

The file is `events.out.tfevents.<seconds>.<host>.<pid>.<n><suffix>` in
`logdir`; its first record is an Event with file_version "brain.Event:2".
An event file is an append-only log that TensorBoard reads while it grows,
so it is not written through a temporary name: serialized events queue in
memory and go to the file whole, in one write of complete TFRecord frames,
when more than `max_queue` wait, when `flush_millis` passed since the last
flush (checked as events arrive, as TensorFlow does), on flush(), close(),
the end of an as_default() block, and at interpreter exit. flush() and
close() also fsync.
"""
import atexit
import contextlib
import itertools
import os
import socket
import threading
import time
import weakref

from eager import errors
from eager.io.tfrecord import frame, os_error
from eager.summary import _events
from eager.summary._state import STATE

_FILE_IDS = itertools.count()
_LIVE = weakref.WeakSet()      # open file writers, flushed and closed at exit
_LIVE_LOCK = threading.Lock()


class SummaryWriter(object):
    """Base class of summary writers (tf.summary.SummaryWriter)."""
    _records = False

    def set_as_default(self, step=None):
        """Makes this the default writer of this thread (and `step`, when
        given, the default step) until another is set."""
        self._check_open("set_as_default")
        STATE.writer = self
        if step is not None:
            STATE.step = step

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Within the block this is the default writer of this thread (and
        `step`, when given, the default step); the writer is flushed when the
        block ends."""
        self._check_open("as_default")
        old_writer, old_step = STATE.writer, STATE.step
        STATE.writer = self
        if step is not None:
            STATE.step = step
        try:
            yield self
            self.flush()
        finally:
            STATE.writer = old_writer
            if step is not None:
                STATE.step = old_step

    def _check_open(self, what):
        pass

    def init(self):
        """Nothing to do: the writer is ready when made (kept for TF 2 code)."""

    def flush(self):
        """Writes what is queued."""

    def close(self):
        """Flushes and closes."""


class NoopSummaryWriter(SummaryWriter):
    """A writer that writes nothing: summaries under it return False
    (tf.summary.create_noop_writer)."""


class FileWriter(SummaryWriter):
    """Writes summaries to a new event file in `logdir` (see the module
    docstring); made by create_file_writer."""
    _records = True

    def __init__(self, logdir, max_queue=10, flush_millis=120000, filename_suffix=None,
                 name=None):
        p = _events.protos()
        self._event_pb2, self._summary_pb2 = p.event_pb2, p.summary_pb2
        if logdir is None:
            raise ValueError("create_file_writer: logdir cannot be None")
        if hasattr(logdir, "numpy"):
            logdir = logdir.numpy()
        if isinstance(logdir, bytes):
            logdir = logdir.decode()
        self._logdir = os.fspath(logdir)
        if max_queue is None:
            max_queue = 10
        if flush_millis is None:
            flush_millis = 120000
        if int(max_queue) != max_queue or max_queue < 0:
            raise ValueError("create_file_writer: max_queue must be an integer >= 0, got %r"
                             % (max_queue,))
        if flush_millis < 0:
            raise ValueError("create_file_writer: flush_millis must be >= 0, got %r"
                             % (flush_millis,))
        self._max_queue = int(max_queue)
        self._flush_seconds = flush_millis / 1000.0
        suffix = ".v2" if filename_suffix is None else str(filename_suffix)
        if os.sep in suffix or (os.altsep and os.altsep in suffix):
            raise ValueError("create_file_writer: filename_suffix %r holds a path separator"
                             % suffix)
        self.name = name
        self._lock = threading.Lock()
        self._queue = []
        self._tags_with_metadata = set()
        self._closed = True           # until the file is open
        try:
            os.makedirs(self._logdir, exist_ok=True)
        except OSError as e:
            raise os_error(e, self._logdir, "create_file_writer")
        self._file, self._path = self._open(suffix)
        self._closed = False
        self._last_flush = time.monotonic()
        version = self._event_pb2.Event(wall_time=time.time(), step=0,
                                        file_version="brain.Event:2")
        self._write_all(frame(version.SerializeToString()))
        with _LIVE_LOCK:
            _LIVE.add(self)

    def _open(self, suffix):
        host, pid = socket.gethostname(), os.getpid()
        while True:
            name = "events.out.tfevents.%010d.%s.%d.%d%s" % (time.time(), host, pid,
                                                             next(_FILE_IDS), suffix)
            path = os.path.join(self._logdir, name)
            try:
                return open(path, "xb", buffering=0), path
            except FileExistsError:
                continue
            except OSError as e:
                raise os_error(e, path, "create_file_writer")

    @property
    def logdir(self):
        return self._logdir

    @property
    def path(self):
        """The event file being written."""
        return self._path

    @property
    def closed(self):
        return self._closed

    def _check_open(self, what):
        if self._closed:
            raise RuntimeError("SummaryWriter.%s: the writer of %s is already closed"
                               % (what, self._logdir))

    def __repr__(self):
        return "<eager.summary.SummaryWriter %s%s>" % (self._path,
                                                        " (closed)" if self._closed else "")

    # ---- writing ----------------------------------------------------------------------
    def _write_all(self, data):
        view = memoryview(data)
        while view:
            n = self._file.write(view)
            view = view[n:]

    def write_event(self, event):
        """Queues one Event message (flushing as the module docstring says)."""
        self.write_serialized(event.SerializeToString())

    def write_serialized(self, data):
        record = frame(data)
        with self._lock:
            if self._closed:
                raise errors.FailedPreconditionError(
                    None, None, "summary writer of %s is closed: nothing more can be written "
                    "to %s" % (self._logdir, self._path))
            self._queue.append(record)
            if len(self._queue) > self._max_queue or \
                    time.monotonic() - self._last_flush > self._flush_seconds:
                self._flush_locked(sync=False)

    def write_value(self, tag, tensor, metadata_fn, step):
        """Queues an Event at `step` holding one summary value: `tag`, the
        TensorProto `tensor`, and (the first time the tag is written to this
        file) the SummaryMetadata that metadata_fn() returns."""
        value = self._summary_pb2.Summary.Value(tag=tag, tensor=tensor)
        if tag not in self._tags_with_metadata and metadata_fn is not None:
            metadata = metadata_fn()
            if metadata is not None:
                value.metadata.CopyFrom(metadata)
            self._tags_with_metadata.add(tag)
        event = self._event_pb2.Event(wall_time=time.time(), step=step,
                                      summary=self._summary_pb2.Summary(value=[value]))
        self.write_serialized(event.SerializeToString())

    def _flush_locked(self, sync):
        if self._queue:
            data = b"".join(self._queue)
            self._queue = []
            try:
                self._write_all(data)
            except OSError as e:
                raise os_error(e, self._path, "summary writer flush")
        if sync:
            os.fsync(self._file.fileno())
        self._last_flush = time.monotonic()

    def flush(self):
        """Writes the queued events to the file and syncs it (nothing to do
        once closed)."""
        with self._lock:
            if not self._closed:
                self._flush_locked(sync=True)

    def close(self):
        """Flushes, syncs and closes the file; summaries written to it later
        (it may still be the default writer) raise FailedPreconditionError.
        Closing twice does nothing."""
        with self._lock:
            if self._closed:
                return
            try:
                self._flush_locked(sync=True)
            finally:
                self._closed = True
                self._file.close()
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def __del__(self):
        try:
            if not self._closed:
                self.close()
        except Exception:
            pass


def create_file_writer(logdir, max_queue=10, flush_millis=120000, filename_suffix=None,
                       name=None):
    """A summary writer for a new TensorBoard event file in `logdir`
    (tf.summary.create_file_writer; the folder is made if missing).

        writer = eager.summary.create_file_writer('/tmp/logs')
        with writer.as_default():
            eager.summary.scalar('loss', 0.25, step=1)

    max_queue: events queued before they are written (default 10).
    flush_millis: the longest time queued events wait, checked as events
        arrive (default 120000).
    filename_suffix: appended to the file name (default '.v2').
    name: ignored (kept for TF code).
    Needs the `tensorboard` package (pip install eager[summary]).
    """
    return FileWriter(logdir, max_queue=max_queue, flush_millis=flush_millis,
                      filename_suffix=filename_suffix, name=name)


def create_noop_writer():
    """A writer that writes nothing (tf.summary.create_noop_writer)."""
    return NoopSummaryWriter()


def flush(writer=None, name=None):
    """Flushes `writer`, or this thread's default writer (nothing without
    one)."""
    writer = writer if writer is not None else STATE.writer
    if writer is not None:
        writer.flush()


def _close_all():
    with _LIVE_LOCK:
        writers = list(_LIVE)
    for w in writers:
        try:
            w.close()
        except Exception:
            pass


atexit.register(_close_all)
