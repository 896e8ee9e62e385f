"""Dataset sources and transformations against plain-Python references."""
import collections

import numpy as np
import pytest

import eager as tf
from eager import errors
from eager.data import Dataset, Iterator, TensorSpec, SparseTensor, AUTOTUNE
from eager.data.structure import to_dense


def values(ds):
    """The elements as nested Python values (tolist of each Tensor)."""
    def conv(x):
        if isinstance(x, tuple) and not hasattr(type(x), "_fields"):
            return tuple(conv(c) for c in x)
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        if isinstance(x, SparseTensor):
            return ("sparse", x.indices.numpy().tolist(), x.values.numpy().tolist(),
                    x.dense_shape.numpy().tolist())
        if isinstance(x, tf.Tensor):
            return x.numpy().tolist() if x.shape != () else x.numpy().item() \
                if x.dtype.name != "string" else x.numpy()
        return type(x)(*[conv(c) for c in x])
    return [conv(x) for x in ds]


# ---- sources ----------------------------------------------------------------------
def test_from_tensor_slices_python_list_is_int32():
    ds = Dataset.from_tensor_slices([1, 2, 3])
    xs = list(ds)
    assert [x.dtype for x in xs] == [tf.int32] * 3 and [x.shape for x in xs] == [()] * 3
    assert values(ds) == [1, 2, 3]
    assert ds.element_spec == TensorSpec([], tf.int32)
    assert len(ds) == 3


def test_from_tensor_slices_nested_tuple_and_dict():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.array([0, 1, 0, 1], np.int64)
    ds = Dataset.from_tensor_slices(({"a": x, "b": ["p", "q", "r", "s"]}, y))
    got = list(ds)
    assert len(got) == 4
    feats, label = got[2]
    assert sorted(feats) == ["a", "b"]
    np.testing.assert_array_equal(feats["a"].numpy(), x[2])
    assert feats["b"].numpy() == b"r" and feats["b"].dtype == tf.string
    assert int(label.numpy()) == 0 and label.dtype == tf.int64
    spec = ds.element_spec
    assert spec[0]["a"] == TensorSpec([3], tf.float32) and spec[1] == TensorSpec([], tf.int64)
    assert ds.output_types == ({"a": tf.float32, "b": tf.string}, tf.int64)


def test_from_tensor_slices_copies_numpy_input():
    a = np.arange(3)
    ds = Dataset.from_tensor_slices(a)
    a[0] = 100
    assert values(ds) == [0, 1, 2]


def test_from_tensor_slices_namedtuple_preserved():
    Point = collections.namedtuple("Point", "x y")
    ds = Dataset.from_tensor_slices(Point(np.arange(2), np.arange(2) * 10))
    p = list(ds)[1]
    assert type(p) is Point and int(p.x.numpy()) == 1 and int(p.y.numpy()) == 10


def test_from_tensor_slices_errors():
    with pytest.raises(errors.InvalidArgumentError, match="dimension 0.*\\[3\\].*\\[2\\]"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(2)))
    with pytest.raises(errors.InvalidArgumentError, match="scalar"):
        Dataset.from_tensor_slices(5)


def test_from_tensors_and_tensor_input():
    t = tf.constant([[1, 2], [3, 4]])
    assert values(Dataset.from_tensors(t)) == [[[1, 2], [3, 4]]]
    assert values(Dataset.from_tensor_slices(t)) == [[1, 2], [3, 4]]
    assert Dataset.from_tensors((t, "s")).element_spec == (TensorSpec([2, 2], tf.int32),
                                                           TensorSpec([], tf.string))


def test_range():
    assert values(Dataset.range(5)) == list(range(5))
    assert values(Dataset.range(2, 9, 3)) == [2, 5, 8]
    assert values(Dataset.range(5, 0, -2)) == [5, 3, 1]
    assert list(Dataset.range(3))[0].dtype == tf.int64
    assert list(Dataset.range(3, output_type=tf.int32))[0].dtype == tf.int32
    assert values(Dataset.range(0)) == []
    with pytest.raises(errors.InvalidArgumentError, match="step"):
        Dataset.range(0, 5, 0)


def test_from_generator_types_shapes_and_errors():
    def gen():
        for i in range(3):
            yield i, [1.0] * i
    ds = Dataset.from_generator(gen, (tf.int64, tf.float32), ([], [None]))
    assert values(ds) == [(0, []), (1, [1.0]), (2, [1.0, 1.0])]
    assert values(ds) == values(ds)  # the generator is called anew each pass
    assert ds.element_spec == (TensorSpec([], tf.int64), TensorSpec([None], tf.float32))
    sig = Dataset.from_generator(lambda: iter([[1, 2]]),
                                 output_signature=TensorSpec([2], tf.int32))
    assert values(sig) == [[1, 2]]
    bad_shape = Dataset.from_generator(lambda: iter([[1, 2, 3]]), tf.int32, [2])
    with pytest.raises(errors.InvalidArgumentError, match="shape \\(3,\\).*shape \\(2,\\)"):
        list(bad_shape)
    bad_type = Dataset.from_generator(lambda: iter(["abc"]), tf.int64)
    with pytest.raises(errors.InvalidArgumentError, match="expected type was int64"):
        list(bad_type)
    with pytest.raises(TypeError):
        Dataset.from_generator(gen)
    with pytest.raises(TypeError):
        list(Dataset.from_generator(lambda: iter([1]), (tf.int32, tf.int32)))


def test_from_generator_args_and_errors_inside_generator():
    ds = Dataset.from_generator(lambda n: iter(range(n)), tf.int32, args=(4,))
    assert values(ds) == [0, 1, 2, 3]

    def broken():
        yield 1
        raise RuntimeError("generator broke")
    with pytest.raises(RuntimeError, match="generator broke"):
        list(Dataset.from_generator(broken, tf.int32))


def test_zip_and_concatenate():
    a, b = Dataset.range(4), Dataset.from_tensor_slices(["w", "x", "y"])
    assert values(Dataset.zip((a, b))) == [(0, b"w"), (1, b"x"), (2, b"y")]
    assert values(Dataset.zip(a, b)) == values(Dataset.zip((a, b)))
    assert values(Dataset.zip({"n": a, "s": b}))[0] == {"n": 0, "s": b"w"}
    assert len(Dataset.zip((a, b))) == 3
    c = Dataset.range(3).concatenate(Dataset.range(10, 12))
    assert values(c) == [0, 1, 2, 10, 11] and len(c) == 5
    with pytest.raises(TypeError, match="types"):
        Dataset.range(3).concatenate(Dataset.from_tensor_slices(["a"]))


def test_list_files(tmp_path):
    for n in ("b.txt", "a.txt", "c.dat"):
        (tmp_path / n).write_text("x")
    files = [x.numpy().decode() for x in Dataset.list_files(str(tmp_path / "*.txt"),
                                                            shuffle=False)]
    assert files == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    shuffled = values(Dataset.list_files(str(tmp_path / "*"), seed=3))
    assert sorted(shuffled) == sorted(str(tmp_path / n).encode() for n in ("a.txt", "b.txt",
                                                                           "c.dat"))
    with pytest.raises(errors.InvalidArgumentError, match="no files matched"):
        Dataset.list_files(str(tmp_path / "*.none"))


# ---- transformations ----------------------------------------------------------------
def test_map_tuple_spread_and_structures():
    ds = Dataset.from_tensor_slices((np.arange(4), np.arange(4) * 10))
    assert values(ds.map(lambda x, y: x + y)) == [0, 11, 22, 33]
    assert values(ds.map(lambda x, y: {"s": x * y, "d": (x, y)}))[1] == {"s": 10, "d": (1, 10)}
    assert values(Dataset.range(3).map(lambda x: [x, x])) == [[0, 0], [1, 1], [2, 2]]
    assert ds.map(lambda x, y: tf.cast(x, tf.float32)).element_spec == \
        TensorSpec([], tf.float32)


@pytest.mark.parametrize("calls", [2, AUTOTUNE])
def test_parallel_map_keeps_order(calls):
    ds = Dataset.range(200).map(lambda x: x * 2, num_parallel_calls=calls)
    assert values(ds) == [2 * i for i in range(200)]


def test_map_errors_propagate_in_order():
    def f(x):
        if int(x.numpy()) == 5:
            raise ValueError("bad element 5")
        return x
    for calls in (None, 3):
        it = iter(Dataset.range(10).map(f, num_parallel_calls=calls))
        got = [int(next(it).numpy()) for _ in range(5)]
        assert got == [0, 1, 2, 3, 4]
        with pytest.raises(ValueError, match="bad element 5"):
            next(it)
    with pytest.raises(TypeError, match="returned None"):
        list(Dataset.range(2).map(lambda x: None))


def test_filter():
    ds = Dataset.range(10).filter(lambda x: x % 3 == 0)
    assert values(ds) == [0, 3, 6, 9]
    assert values(Dataset.range(4).filter(lambda x: True)) == [0, 1, 2, 3]
    with pytest.raises(TypeError, match="scalar bool"):
        list(Dataset.range(3).filter(lambda x: x))


def test_batch_and_drop_remainder():
    ds = Dataset.range(7)
    assert values(ds.batch(3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert values(ds.batch(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5]]
    assert ds.batch(3).element_spec == TensorSpec([None], tf.int64)
    assert ds.batch(3, True).element_spec == TensorSpec([3], tf.int64)
    assert len(ds.batch(3)) == 3 and len(ds.batch(3, True)) == 2
    with pytest.raises(errors.InvalidArgumentError, match="greater than zero"):
        ds.batch(0)


def test_batch_generic_path_matches_gather_path():
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    y = np.arange(10) % 2
    fast = Dataset.from_tensor_slices((x, y)).batch(4)
    slow = Dataset.from_tensor_slices((x, y)).map(lambda a, b: (a, b)).batch(4)
    assert values(fast) == values(slow)
    assert values(fast)[0] == (x[:4].tolist(), y[:4].tolist())


def test_batch_of_strings_and_shape_mismatch():
    ds = Dataset.from_tensor_slices(["a", "bb", "c"]).batch(2)
    got = list(ds)
    assert got[0].dtype == tf.string and got[0].numpy().tolist() == [b"a", b"bb"]
    ragged = Dataset.range(1, 4).map(lambda n: tf.zeros([n]))
    with pytest.raises(errors.InvalidArgumentError,
                       match="different shapes in component 0.*\\[1\\].*element 1.*\\[2\\]"):
        list(ragged.batch(3))


def test_padded_batch():
    ds = Dataset.range(1, 5).map(lambda n: tf.fill([n], n))
    got = values(ds.padded_batch(2))
    assert got == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]
    fixed = values(ds.padded_batch(4, padded_shapes=[5], padding_values=tf.constant(-1,
                                                                                    tf.int64)))
    assert fixed == [[[1, -1, -1, -1, -1], [2, 2, -1, -1, -1], [3, 3, 3, -1, -1],
                      [4, 4, 4, 4, -1]]]
    with pytest.raises(errors.InvalidArgumentError, match="larger than the padded shape"):
        list(ds.padded_batch(4, padded_shapes=[3]))
    pairs = Dataset.range(1, 3).map(lambda n: (tf.fill([n], n), tf.constant("s")))
    assert values(pairs.padded_batch(2, padded_shapes=([None], []))) == \
        [([[1, 0], [2, 2]], [b"s", b"s"])]


def test_unbatch_inverts_batch():
    ds = Dataset.from_tensor_slices((np.arange(10), np.arange(10) * 2))
    assert values(ds.batch(3).unbatch()) == values(ds)
    assert ds.batch(3).unbatch().element_spec == (TensorSpec([], tf.int64),
                                                  TensorSpec([], tf.int64))


def test_repeat_take_skip_shard():
    ds = Dataset.range(5)
    assert values(ds.repeat(2)) == [0, 1, 2, 3, 4] * 2
    assert values(ds.repeat().take(12)) == ([0, 1, 2, 3, 4] * 3)[:12]
    assert values(ds.take(2)) == [0, 1] and values(ds.take(-1)) == list(range(5))
    assert values(ds.skip(3)) == [3, 4] and values(ds.skip(-1)) == []
    assert values(ds.shard(2, 1)) == [1, 3] and values(ds.shard(3, 0)) == [0, 3]
    assert values(Dataset.range(0).repeat()) == []  # an empty pass ends an endless repeat
    assert len(ds.repeat(3)) == 15 and len(ds.take(2)) == 2 and len(ds.skip(3)) == 2
    assert int(ds.repeat().cardinality().numpy()) == -1
    assert int(ds.filter(lambda x: True).cardinality().numpy()) == -2
    with pytest.raises(TypeError, match="infinite"):
        len(ds.repeat())
    with pytest.raises(errors.InvalidArgumentError):
        ds.shard(2, 2)


def test_counting_on_generic_path_matches_index_path():
    base = Dataset.from_tensor_slices(np.arange(23))
    slow = base.map(lambda x: x)
    for f in (lambda d: d.repeat(2).skip(5).take(30).shard(3, 1).batch(4),
              lambda d: d.take(10).repeat().take(25).batch(7, drop_remainder=True)):
        assert values(f(base)) == values(f(slow))


def test_enumerate_flat_map_interleave():
    ds = Dataset.from_tensor_slices(["a", "b"])
    assert values(ds.enumerate(5)) == [(5, b"a"), (6, b"b")]
    fm = Dataset.range(1, 4).flat_map(lambda n: Dataset.range(n).map(lambda i: n * 10 + i))
    assert values(fm) == [10, 20, 21, 30, 31, 32]

    def sub(n):
        return Dataset.from_tensors(n).repeat(6)
    inter = Dataset.range(1, 6).interleave(sub, cycle_length=2, block_length=4)
    # The order in TensorFlow's documentation of interleave.
    assert values(inter) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
                             3, 3, 4, 4, 5, 5, 5, 5, 5, 5]
    par = Dataset.range(1, 6).interleave(sub, cycle_length=2, block_length=4,
                                         num_parallel_calls=2)
    assert values(par) == values(inter)
    uneven = Dataset.range(1, 5).interleave(lambda n: Dataset.from_tensors(n).repeat(n),
                                            cycle_length=2, block_length=2)
    assert values(uneven) == [1, 2, 2, 3, 3, 3, 4, 4, 4, 4]
    with pytest.raises(TypeError, match="must return a Dataset"):
        list(Dataset.range(2).flat_map(lambda x: x))


def test_prefetch_and_cache_in_memory():
    calls = []

    def f(x):
        calls.append(int(x.numpy()))
        return x * 2
    ds = Dataset.range(5).map(f).cache().prefetch(2)
    assert values(ds) == [0, 2, 4, 6, 8]
    assert values(ds) == [0, 2, 4, 6, 8]
    assert calls == [0, 1, 2, 3, 4]  # the second pass read the cache

    partial = Dataset.range(5).map(f).cache()
    calls.clear()
    it = iter(partial)
    next(it)
    del it   # an abandoned pass is not kept
    assert values(partial) == [0, 2, 4, 6, 8] and calls == [0, 0, 1, 2, 3, 4]


def test_reduce_apply_as_numpy_iterator():
    ds = Dataset.range(5)
    assert int(ds.reduce(np.int64(0), lambda s, x: s + x).numpy()) == 10
    assert values(ds.apply(lambda d: d.take(2))) == [0, 1]
    out = list(Dataset.from_tensor_slices((np.arange(2), ["a", "b"])).as_numpy_iterator())
    assert out == [(0, b"a"), (1, b"b")] and isinstance(out[0][0], np.integer)


def test_iterator_protocol():
    it = Iterator(Dataset.range(2))
    assert int(it.next().numpy()) == 0 and int(next(it).numpy()) == 1
    with pytest.raises(StopIteration):
        next(it)
    it = Iterator(Dataset.range(1))
    it.get_next()
    with pytest.raises(errors.OutOfRangeError):
        it.get_next()
    assert iter(it) is it and it.output_types == tf.int64
    with pytest.raises(TypeError):
        Iterator([1, 2])


def test_sparse_elements_batch_and_unbatch():
    st = SparseTensor([[0], [2]], [1.0, 2.0], [3])
    ds = Dataset.from_tensors(st).repeat(2).map(lambda s: s)
    (b,) = list(ds.batch(2))
    assert isinstance(b, SparseTensor)
    assert b.indices.numpy().tolist() == [[0, 0], [0, 2], [1, 0], [1, 2]]
    assert b.dense_shape.numpy().tolist() == [2, 3]
    assert to_dense(b).numpy().tolist() == [[1, 0, 2], [1, 0, 2]]
    rows = list(ds.batch(2).unbatch())
    assert [to_dense(r).numpy().tolist() for r in rows] == [[1, 0, 2], [1, 0, 2]]


def test_bad_arguments_raise_clearly():
    ds = Dataset.range(3)
    with pytest.raises(TypeError, match="callable"):
        ds.map(3)
    with pytest.raises(TypeError, match="integer"):
        ds.batch(2.5)
    with pytest.raises(errors.InvalidArgumentError, match="buffer_size"):
        ds.shuffle(0)
    with pytest.raises(errors.InvalidArgumentError):
        ds.map(lambda x: x, num_parallel_calls=0)
    with pytest.raises(errors.InvalidArgumentError):
        ds.prefetch(-5)


def test_strings_keep_trailing_nul_bytes():
    recs = [b"a\x00", b"\x00", b"b"]
    assert [x.numpy() for x in Dataset.from_tensor_slices(recs)] == recs
    assert [x.numpy() for x in Dataset.from_tensors(recs).unbatch()] == recs


def test_memory_cache_serves_the_gather_path_with_the_same_order():
    ds = Dataset.range(40).map(lambda x: (x, x * 2)).cache()
    pipeline = ds.shuffle(16, seed=2, reshuffle_each_iteration=False).batch(6)
    first = values(pipeline)     # fills the cache (element path)
    assert ds._index_plan() is not None
    assert values(pipeline) == first   # from the stacked cache (gather path)
    assert sorted(v for b in first for v in b[0]) == list(range(40))


def test_element_spec_of_functions_and_empty_inputs():
    ds = Dataset.range(0).map(lambda x: (tf.cast(x, tf.float32), tf.fill([2], x)))
    assert ds.element_spec == (TensorSpec([], tf.float32), TensorSpec([2], tf.int64))
    padded = Dataset.range(1, 3).map(lambda n: tf.fill([n], n)).padded_batch(2, [4])
    assert padded.element_spec == TensorSpec([None, 4], tf.int64)
    assert Dataset.range(4).batch(2).unbatch().element_spec == TensorSpec([], tf.int64)
    assert "element_spec" in repr(Dataset.range(2))
