"""Flattening and re-packing of nested lists, tuples and dicts (TensorFlow's
tf.nest, the part eager needs)."""


def _is_seq(x):
    return isinstance(x, (list, tuple, dict))


def flatten(structure):
    """The leaves of `structure` in order (dicts by sorted key)."""
    out = []
    _flatten(structure, out)
    return out


def _flatten(s, out):
    if isinstance(s, dict):
        for k in sorted(s, key=_key):
            _flatten(s[k], out)
    elif isinstance(s, (list, tuple)):
        for v in s:
            _flatten(v, out)
    else:
        out.append(s)


def _key(k):
    return (str(type(k)), k) if not isinstance(k, str) else ("", k)


def pack_sequence_as(structure, flat):
    """`flat`'s leaves in the shape of `structure`."""
    it = iter(flat)
    r = _pack(structure, it)
    rest = list(it)
    if rest:
        raise ValueError("pack_sequence_as: %d leaves left over" % len(rest))
    return r


def _pack(s, it):
    if isinstance(s, dict):
        vals = {k: _pack(s[k], it) for k in sorted(s, key=_key)}
        return type(s)((k, vals[k]) for k in s) if type(s) is not dict else {k: vals[k] for k in s}
    if isinstance(s, tuple) and hasattr(s, "_fields"):
        return type(s)(*[_pack(v, it) for v in s])
    if isinstance(s, (list, tuple)):
        return type(s)(_pack(v, it) for v in s)
    return next(it)


def map_structure(fn, *structures):
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*xs) for xs in zip(*flats)])


def is_nested(x):
    return _is_seq(x)
