"""TensorFlow's error classes. Messages name the op, the shapes and the dtypes."""


class OpError(Exception):
    """Base of the errors an op raises: `node_def`, `op` and `message` as in TensorFlow."""

    def __init__(self, node_def=None, op=None, message="", error_code=None):
        super().__init__(message)
        self.node_def = node_def
        self.op = op
        self.message = message
        if error_code is not None:
            self.error_code = error_code

    def __str__(self):
        return self.message


def _make(name, code, doc, *bases):
    cls = type(name, (OpError,) + bases, {"__doc__": doc, "error_code": code})
    cls.__module__ = __name__
    return cls


CancelledError = _make("CancelledError", 1, "An operation was cancelled.")
UnknownError = _make("UnknownError", 2, "An unknown error.")
InvalidArgumentError = _make(
    "InvalidArgumentError", 3, "An op got an argument it cannot use (bad shape, dtype or value).",
    ValueError)
DeadlineExceededError = _make("DeadlineExceededError", 4, "A deadline expired.")
NotFoundError = _make("NotFoundError", 5, "A requested entity (file, device, kernel) was not found.")
AlreadyExistsError = _make("AlreadyExistsError", 6, "An entity already exists.")
PermissionDeniedError = _make("PermissionDeniedError", 7, "Permission denied.")
ResourceExhaustedError = _make(
    "ResourceExhaustedError", 8, "Memory or another resource ran out.", MemoryError)
FailedPreconditionError = _make(
    "FailedPreconditionError", 9, "The system is not in a state for the operation.")
AbortedError = _make("AbortedError", 10, "An operation was aborted.")
OutOfRangeError = _make(
    "OutOfRangeError", 11, "An operation went past the valid range (e.g. end of a dataset).")
UnimplementedError = _make(
    "UnimplementedError", 12, "An operation is not implemented for these inputs or device.",
    NotImplementedError)
InternalError = _make("InternalError", 13, "An internal invariant broke.")
UnavailableError = _make("UnavailableError", 14, "A service is unavailable.")
DataLossError = _make("DataLossError", 15, "Unrecoverable data loss or corruption.")
UnauthenticatedError = _make("UnauthenticatedError", 16, "Not authenticated.")

# Out-of-range indexing is also an IndexError, so Python code that catches
# IndexError keeps working.
IndexOutOfRangeError = type("InvalidArgumentError", (InvalidArgumentError, IndexError),
                            {"__module__": __name__})

OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND = range(6)
ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION = range(6, 10)
ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS = range(10, 16)
UNAUTHENTICATED = 16
