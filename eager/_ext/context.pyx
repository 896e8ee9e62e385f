"""The one execution context: C counters the dispatcher reads on every op,
and the thread-local state behind them."""
import threading

CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"


cdef class Context:
    def __cinit__(self):
        self.n_recorders = 0
        self.n_device_scopes = 0
        self.n_tracers = 0
        self.record = None
        self.trace_execute = None
        self.local = threading.local()
        self.device_names = [CPU0]
        self.devices = [None]
        self.placement_policy = "silent"
        self.record_c = NULL
        self.record_fast_c = NULL
        self.min_live_epoch = 9223372036854775807

    def device_stack(self):
        """This thread's stack of device indices opened by eager.device()."""
        try:
            return self.local.device_stack
        except AttributeError:
            self.local.device_stack = []
            return self.local.device_stack

    def current_device(self):
        """The device index ops without tensor inputs run on in this thread."""
        stack = self.device_stack()
        return stack[-1] if stack else 0


cdef Context CTX = Context()


def context():
    return CTX
