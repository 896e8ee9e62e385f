"""Durable file writes shared by every module that writes files (checkpoints,
records, data caches, MNIST files, CUDA module caches): write to a fresh
temporary name beside the target, flush, fsync, rename, fsync the folder,
so a process killed midway leaves the old file (or none), never half of one."""
import os

_TOKEN_BYTES = 6


def fsync_dir(directory):
    """Makes a rename in `directory` durable (where the OS allows it)."""
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path, write, before_replace=None):
    """Calls write(file) on a new temporary file beside `path` (binary),
    flushes, fsyncs and renames it to `path`, then fsyncs the folder. On any
    error the temporary file is removed and `path` is untouched.
    before_replace(tmp, path), if given, runs just before the rename (tests
    use it to interrupt a write at its last moment)."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, ".%s.tmp-%d-%s" % (os.path.basename(path), os.getpid(),
                                                     os.urandom(_TOKEN_BYTES).hex()))
    # os.open with 0o666 lets the umask decide the permissions, as open() does.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        if before_replace is not None:
            before_replace(tmp, path)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(directory)
