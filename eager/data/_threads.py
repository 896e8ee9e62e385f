"""Background threads of input pipelines: prefetching, and map with several
calls in flight. Both are generators that own their threads: the threads
are daemons, start on the first element, and stop when the generator
finishes, fails or is dropped half way (its `finally` tells them), so an
abandoned iteration leaves no thread behind for longer than the element
it is computing. Errors raised in a thread reach the consumer in order.

Hand-offs use C-level SimpleQueues (a put/get pair costs ~0.3 us; a
queue.Queue, built on Conditions, several times that), and the threads do
their heavy work in NumPy and I/O calls that release the GIL.
"""
import collections
import threading
from queue import Empty, SimpleQueue

_ITEM, _END, _ERROR, _OWN = 0, 1, 2, 3


def prefetched(source, buffer_size):
    """The elements of the iterator `source`, computed by one background
    thread at most `buffer_size` elements ahead of the consumer.

    When the consumer finds the buffer empty while the thread is idle (it
    waits for the consumer to take an element, or for the GIL), the
    consumer computes the next element itself instead of sleeping until
    the thread has been woken: a hand-off between two threads costs two
    scheduler wake-ups, which would otherwise bound a fast pipeline to a
    few tens of thousands of elements per second and far fewer on a busy
    machine. Order is kept: `source` is only ever advanced under `pull`,
    and the consumer advances it itself only when the buffer is empty."""
    items, tokens = SimpleQueue(), SimpleQueue()
    for _ in range(buffer_size):
        tokens.put(True)
    pull = threading.Lock()
    state = _State()
    thread = threading.Thread(target=_produce, args=(source, items, tokens, pull, state),
                              name="eager.data.prefetch", daemon=True)
    thread.start()
    try:
        get, get_nowait, put = items.get, items.get_nowait, tokens.put
        while True:
            try:
                kind, value = get_nowait()
            except Empty:
                if not pull.acquire(False):
                    kind, value = get()   # the thread is computing the next element
                else:
                    try:
                        try:
                            kind, value = get_nowait()  # it finished just before
                        except Empty:
                            try:
                                value = next(source)
                            except BaseException:
                                state.ended = True
                                raise
                            kind = _OWN
                    finally:
                        pull.release()
            if kind == _ITEM:
                put(True)
                yield value
            elif kind == _OWN:
                yield value
            elif kind == _END:
                return
            else:
                raise value
    except StopIteration:
        return
    finally:
        state.stop = True
        tokens.put(False)


class _State(object):
    __slots__ = ("ended", "stop")

    def __init__(self):
        self.ended = False   # the source is exhausted or failed
        self.stop = False    # the consumer is gone


def _produce(source, items, tokens, pull, state):
    take, put = tokens.get, items.put
    try:
        while take() and not state.stop:
            with pull:
                if state.ended or state.stop:
                    return
                try:
                    value = next(source)
                except StopIteration:
                    state.ended = True
                    put((_END, None))
                    return
                except BaseException as e:  # noqa: B902 -- everything reaches the consumer
                    state.ended = True
                    put((_ERROR, e))
                    return
                put((_ITEM, value))
    finally:
        with pull:
            close = getattr(source, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    pass


class _Slot(object):
    """One call: its argument, a claim (whoever takes it runs the call: a
    worker, or the consumer when it needs the result before any worker has
    started it) and its result."""
    __slots__ = ("claim", "done", "arg", "value", "error")

    def __init__(self, arg):
        self.claim = threading.Lock()
        self.done = threading.Lock()
        self.done.acquire()
        self.arg = arg
        self.value = None
        self.error = None

    def run(self, fn):
        try:
            self.value = fn(self.arg)
        except BaseException as e:  # noqa: B902 -- everything reaches the consumer
            self.error = e
        finally:
            self.arg = None
            self.done.release()

    def result(self, fn):
        if self.claim.acquire(False):
            self.run(fn)
        self.done.acquire()
        if self.error is not None:
            e, self.error = self.error, None
            raise e
        return self.value


def parallel_mapped(source, fn, num_threads, in_flight):
    """fn(x) for every x of the iterator `source`, computed by `num_threads`
    threads with up to `in_flight` calls under way; results in input order."""
    tasks = SimpleQueue()
    cancelled = [False]
    pending = collections.deque()
    threads = []
    try:
        for x in source:
            if not threads:
                for i in range(num_threads):
                    t = threading.Thread(target=_work, args=(tasks, fn, cancelled),
                                         name="eager.data.map-%d" % i, daemon=True)
                    t.start()
                    threads.append(t)
            slot = _Slot(x)
            tasks.put(slot)
            pending.append(slot)
            if len(pending) >= in_flight:
                yield pending.popleft().result(fn)
        while pending:
            yield pending.popleft().result(fn)
    finally:
        cancelled[0] = True
        for _ in threads:
            tasks.put(None)
        close = getattr(source, "close", None)
        if close is not None:
            close()


def _work(tasks, fn, cancelled):
    while True:
        slot = tasks.get()
        if slot is None:
            return
        if not cancelled[0] and slot.claim.acquire(False):
            slot.run(fn)
        del slot
