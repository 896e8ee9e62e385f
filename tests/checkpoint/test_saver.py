"""Name-based checkpoints: tfe.Saver and tf.train.Saver."""
import os

import numpy as np
import pytest

import eager as tf
from eager import errors
from eager import train
from eager.train.saver import EagerSaver


def test_tfe_saver_round_trip_with_global_step(tmp_path):
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable(np.int64(3), name="b")
    saver = EagerSaver([w, b])
    path = saver.save(str(tmp_path / "model"), global_step=tf.Variable(np.int64(42)))
    assert path == str(tmp_path / "model-42")
    assert train.latest_checkpoint(str(tmp_path)) == path
    assert dict(train.list_variables(path)) == {"w": [2], "b": []}
    w.assign([0.0, 0.0])
    b.assign(0)
    saver.restore(path)
    assert w.numpy().tolist() == [1.0, 2.0] and b.numpy() == 3


def test_saver_dict_max_to_keep_and_errors(tmp_path):
    v = tf.Variable(np.zeros(3, np.float32))
    saver = train.Saver({"weights": v}, max_to_keep=2)
    for step in range(4):
        v.assign(np.full(3, step, np.float32))
        saver.save(None, str(tmp_path / "s"), global_step=step)
    assert saver.last_checkpoints == [str(tmp_path / "s-2"), str(tmp_path / "s-3")]
    assert sorted(n for n in os.listdir(tmp_path) if n.endswith(".index")) == \
        ["s-2.index", "s-3.index"]
    state = train.get_checkpoint_state(str(tmp_path))
    assert state.all_model_checkpoint_paths == saver.last_checkpoints
    other = tf.Variable(np.zeros(3, np.float32))
    train.Saver({"weights": other}).restore(None, str(tmp_path / "s-2"))
    assert other.numpy().tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(errors.NotFoundError, match="Key nope not found"):
        train.Saver({"nope": other}).restore(None, str(tmp_path / "s-2"))
    small = tf.Variable(np.zeros(2, np.float32))
    with pytest.raises(errors.InvalidArgumentError, match=r"lhs shape= \[2\] rhs shape= \[3\]"):
        train.Saver({"weights": small}).restore(None, str(tmp_path / "s-2"))
    with pytest.raises(ValueError, match="not a valid checkpoint"):
        saver.restore(None, str(tmp_path / "s-0"))
    with pytest.raises(ValueError, match="None"):
        saver.restore(None, None)
    with pytest.raises(RuntimeError, match="var_list"):
        train.Saver()
    a, b = tf.Variable(1.0, name="dup"), tf.Variable(1.0)
    b._name = a.name                      # two variables named alike (e.g. two graphs' worth)
    with pytest.raises(ValueError, match="same name: dup"):
        train.Saver([a, b])
    assert len(train.Saver([a, a]).save(None, str(tmp_path / "once")))


def test_checkpoint_restores_a_saver_checkpoint_by_name(tmp_path):
    layer = tf.layers.Dense(2, name="named_dense")
    layer(np.ones((1, 3), np.float32))
    path = train.Saver(layer.variables).save(None, str(tmp_path / "n"))
    assert dict(train.list_variables(path)) == {"named_dense/kernel": [3, 2],
                                                "named_dense/bias": [2]}
    layer.kernel.assign(np.zeros((3, 2), np.float32))
    keep = train.load_variable(path, "named_dense/kernel:0")
    train.Checkpoint(model=layer).restore(path).assert_consumed()
    np.testing.assert_array_equal(layer.kernel.numpy(), keep)
    with pytest.raises(errors.NotFoundError, match="object-based"):
        ckpt = train.Checkpoint(v=tf.Variable(1.0, name="vv")).write(str(tmp_path / "o"))
        train.Saver([tf.Variable(1.0, name="vv")]).restore(None, ckpt)


def test_restore_variables_on_create(tmp_path):
    from eager.train.saver import restore_variables_on_create
    first = tf.layers.Dense(2, name="on_create")
    first(np.ones((1, 3), np.float32))
    path = EagerSaver(first.variables).save(str(tmp_path / "m"))
    with restore_variables_on_create(None):
        pass
    again = tf.layers.Dense(2, name="on_create_x")
    with restore_variables_on_create(path, map_func=lambda n: n.replace("_x", "")):
        again(np.ones((1, 3), np.float32))
    np.testing.assert_array_equal(again.kernel.numpy(), first.kernel.numpy())
    np.testing.assert_array_equal(again.bias.numpy(), first.bias.numpy())
    with pytest.raises(errors.NotFoundError, match="stray"):
        with restore_variables_on_create(path):
            tf.Variable(1.0, name="stray")
    assert tf.Variable(2.0, name="stray").numpy() == 2.0    # the scope is gone
