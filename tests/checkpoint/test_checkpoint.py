"""tf.train.Checkpoint: round trips of every saveable object, restoring
into objects rebuilt fresh (deferred until their variables exist), the
status assertions, shape and dtype checks, and resuming training."""
import os

import numpy as np
import pytest

import eager as tf
from eager import errors, tfe
from eager import train

from tests.checkpoint.helpers import MLP, X, keras_step, tf1_step, loss_fn, values


def _train_mlp(steps=2):
    model = MLP()
    opt = tf.keras.optimizers.Adam(0.05)
    for _ in range(steps):
        keras_step(model, opt)
    return model, opt


def test_variable_round_trip_and_save_counter(tmp_path):
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    i = tf.Variable(np.int64(7))
    b = tf.Variable([True, False])
    c = tf.Variable(np.array([1 + 2j], np.complex64))
    ckpt = train.Checkpoint(v=v, i=i, b=b, c=c)
    p1 = ckpt.save(str(tmp_path / "ckpt"))
    p2 = ckpt.save(str(tmp_path / "ckpt"))
    assert p1.endswith("ckpt-1") and p2.endswith("ckpt-2")
    assert int(ckpt.save_counter.numpy()) == 2
    assert train.latest_checkpoint(str(tmp_path)) == p2
    state = (tmp_path / "checkpoint").read_text()
    assert state == 'model_checkpoint_path: "ckpt-2"\nall_model_checkpoint_paths: "ckpt-2"\n'
    v.assign([[0.0, 0.0], [0.0, 0.0]])
    i.assign(0)
    new = train.Checkpoint(v=tf.Variable(np.zeros((2, 2), np.float32)),
                           i=tf.Variable(np.int64(0)), b=tf.Variable([False, False]),
                           c=tf.Variable(np.zeros(1, np.complex64)))
    new.restore(p1).assert_consumed()
    np.testing.assert_array_equal(new.v.numpy(), [[1, 2], [3, 4]])
    assert new.i.numpy() == 7 and new.b.numpy().tolist() == [True, False]
    assert new.c.numpy()[0] == 1 + 2j
    assert int(new.save_counter.numpy()) == 1        # the counter is restored too
    assert new.save(str(tmp_path / "again")).endswith("again-2")


def test_layers_conv_dense_batchnorm_round_trip(tmp_path):
    x = np.random.default_rng(1).standard_normal((2, 6, 6, 3)).astype(np.float32)

    def build():
        conv = tf.layers.Conv2D(4, 3)
        bn = tf.layers.BatchNormalization()
        dense = tf.layers.Dense(2)
        return conv, bn, dense

    conv, bn, dense = build()
    h = bn(conv(x), training=True)          # moves the moving statistics
    dense(tf.reshape(h, [2, -1]))
    assert not np.allclose(bn.moving_mean.numpy(), 0.0)
    path = train.Checkpoint(conv=conv, bn=bn, dense=dense).write(str(tmp_path / "layers"))
    assert path == str(tmp_path / "layers")
    assert not (tmp_path / "checkpoint").exists()      # write() keeps no state file

    conv2, bn2, dense2 = build()
    status = train.Checkpoint(conv=conv2, bn=bn2, dense=dense2).read(path)
    with pytest.raises(AssertionError, match="not restored"):
        status.assert_consumed()                      # nothing built yet
    h2 = bn2(conv2(x), training=False)               # deferred values arrive on build
    dense2(tf.reshape(h2, [2, -1]))
    status.assert_consumed()
    for a, b in zip(conv.weights + bn.weights + dense.weights,
                    conv2.weights + bn2.weights + dense2.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_nested_model_lists_dicts_and_optimizer_deferred(tmp_path):
    model, opt = _train_mlp()
    prefix = train.Checkpoint(model=model, optimizer=opt).save(str(tmp_path / "ckpt"))
    fresh, fresh_opt = MLP(), tf.keras.optimizers.Adam(0.05)
    status = train.Checkpoint(model=fresh, optimizer=fresh_opt).restore(prefix)
    status.assert_existing_objects_matched()
    assert int(fresh_opt.iterations.numpy()) == 2        # restored at once
    fresh(X)                                              # build: weights and slots arrive
    status.assert_consumed()
    for a, b in zip(model.variables, fresh.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for v, w in zip(model.trainable_variables, fresh.trainable_variables):
        for slot in ("m", "v"):
            np.testing.assert_array_equal(opt.get_slot(v, slot).numpy(),
                                          fresh_opt.get_slot(w, slot).numpy())
    # Same next step from both.
    assert keras_step(model, opt) == keras_step(fresh, fresh_opt)
    for a, b in zip(model.variables, fresh.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_network_track_layer_and_plain_objects(tmp_path):
    class Net(tfe.Network):
        def __init__(self):
            super().__init__()
            self.first = self.track_layer(tf.layers.Dense(3))
            self.hidden = [self.track_layer(tf.layers.Dense(2))]

        def call(self, x):
            return self.hidden[0](self.first(x))

    class MeanMetric(object):                  # state in Variables, like eager.metrics
        def __init__(self):
            self.total = tf.Variable(0.0, trainable=False)
            self.count = tf.Variable(0.0, trainable=False)

    net, metric = Net(), MeanMetric()
    net(X)
    metric.total.assign(12.5)
    metric.count.assign(5.0)
    prefix = train.Checkpoint(net=net, metric=metric, extra=[{"a": tf.Variable(3)}]).save(
        str(tmp_path / "c"))
    net2, metric2 = Net(), MeanMetric()
    extra = [{"a": tf.Variable(0)}]
    net2(X)
    train.Checkpoint(net=net2, metric=metric2, extra=extra).restore(prefix).assert_consumed()
    np.testing.assert_array_equal(net2(X).numpy(), net(X).numpy())
    assert metric2.total.numpy() == 12.5 and metric2.count.numpy() == 5.0
    assert extra[0]["a"].numpy() == 3


TF1 = [lambda: train.GradientDescentOptimizer(0.1),
       lambda: train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
       lambda: train.AdamOptimizer(0.1),
       lambda: train.AdagradOptimizer(0.1),
       lambda: train.RMSPropOptimizer(0.1, momentum=0.5, centered=True)]
KERAS = [lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9),
         lambda: tf.keras.optimizers.Adam(0.1, amsgrad=True),
         lambda: tf.keras.optimizers.Adagrad(0.1),
         lambda: tf.keras.optimizers.RMSprop(0.1, momentum=0.5, centered=True)]


@pytest.mark.parametrize("make", TF1 + KERAS)
def test_every_optimizer_slots_round_trip(tmp_path, make):
    grads = [np.array([0.5, -1.0, 2.0], np.float32), np.array([1.0, 0.25, -0.5], np.float32)]

    def step(opt, v, g, gs):
        if isinstance(opt, train.Optimizer):
            opt.apply_gradients([(tf.constant(g), v)], global_step=gs)
        else:
            opt.apply_gradients([(tf.constant(g), v)])
            gs.assign_add(1)

    v, opt, gs = tf.Variable([1.0, 2.0, 3.0]), make(), tf.Variable(np.int64(0))
    for g in grads:
        step(opt, v, g, gs)
    prefix = train.Checkpoint(v=v, opt=opt, step=gs).save(str(tmp_path / "o"))
    v2, opt2, gs2 = tf.Variable([0.0, 0.0, 0.0]), make(), tf.Variable(np.int64(0))
    status = train.Checkpoint(v=v2, opt=opt2, step=gs2).restore(prefix)
    status.assert_existing_objects_matched()
    assert int(gs2.numpy()) == 2
    step(opt, v, grads[0], gs)
    step(opt2, v2, grads[0], gs2)                     # TF1 Adam's beta powers arrive here
    status.assert_consumed()
    np.testing.assert_array_equal(v.numpy(), v2.numpy())
    assert len(opt.variables()) == len(opt2.variables())
    for name in opt.get_slot_names():
        np.testing.assert_array_equal(opt.get_slot(v, name).numpy(),
                                      opt2.get_slot(v2, name).numpy())
    for name, x in getattr(opt, "_non_slots", {}).items():
        np.testing.assert_array_equal(x.numpy(), opt2._non_slots[name].numpy())


def test_resume_gives_the_same_trajectory(tmp_path):
    """N steps, save, a fresh model and optimizer restore, M steps == N + M
    uninterrupted (TF1 Adam with a global step; BatchNorm's moving stats)."""
    n, m = 3, 3
    ref = MLP()
    ref(X)
    start = ref.get_weights()
    ref_opt, ref_step = train.AdamOptimizer(0.05), tf.Variable(np.int64(0))
    ref_losses = [tf1_step(ref, ref_opt, ref_step) for _ in range(n + m)]

    a = MLP()
    a(X)
    a.set_weights(start)
    a_opt, a_step = train.AdamOptimizer(0.05), tf.Variable(np.int64(0))
    losses = [tf1_step(a, a_opt, a_step) for _ in range(n)]
    prefix = train.Checkpoint(model=a, optimizer=a_opt, step=a_step).save(str(tmp_path / "r"))
    assert train.latest_checkpoint(str(tmp_path)) == prefix

    b, b_opt, b_step = MLP(), train.AdamOptimizer(0.05), tf.Variable(np.int64(0))
    train.Checkpoint(model=b, optimizer=b_opt, step=b_step).restore(
        train.latest_checkpoint(str(tmp_path)))
    losses += [tf1_step(b, b_opt, b_step) for _ in range(m)]
    assert losses == ref_losses
    assert int(b_step.numpy()) == n + m
    for x, y in zip(values(ref.variables), values(b.variables)):
        np.testing.assert_array_equal(x, y)


def test_assert_consumed_reports_missing_and_unexpected(tmp_path):
    prefix = train.Checkpoint(a=tf.Variable(1.0), b=tf.Variable(2.0)).save(
        str(tmp_path / "x"))
    status = train.Checkpoint(a=tf.Variable(0.0), c=tf.Variable(0.0)).restore(prefix)
    with pytest.raises(AssertionError) as e:
        status.assert_consumed()
    text = str(e.value)
    assert "not restored" in text and "b (float32, shape ())" in text
    assert "missing" in text and "c 'Variable" in text
    with pytest.raises(AssertionError, match="missing"):
        status.assert_existing_objects_matched()
    status.expect_partial()
    status.assert_nontrivial_match()
    none = train.Checkpoint(a=tf.Variable(0.0)).restore(None)
    with pytest.raises(AssertionError, match="No checkpoint specified"):
        none.assert_consumed()
    none.initialize_or_restore()


def test_wrong_shape_or_dtype_is_refused_and_changes_nothing(tmp_path):
    prefix = train.Checkpoint(a=tf.Variable([1.0, 2.0]), b=tf.Variable([[1.0, 2.0]])).save(
        str(tmp_path / "x"))
    a, b = tf.Variable([5.0, 6.0]), tf.Variable([[1.0, 2.0, 3.0]])
    with pytest.raises(errors.InvalidArgumentError, match=r"b .*shape \(1, 2\).*shape \(1, 3\)"):
        train.Checkpoint(a=a, b=b).restore(prefix)
    assert a.numpy().tolist() == [5.0, 6.0]           # checked before anything changed
    with pytest.raises(errors.InvalidArgumentError, match="float64"):
        train.Checkpoint(a=tf.Variable(np.zeros(2))).restore(prefix)
    with pytest.raises(ValueError, match="variable in the checkpoint"):
        train.Checkpoint(a=tf.keras.layers.Dense(2)).restore(prefix)
    # A deferred value of the wrong shape fails when the variable is made.
    layer_prefix = train.Checkpoint(layer=_built_dense(3)).save(str(tmp_path / "l"))
    small = tf.keras.layers.Dense(2)
    train.Checkpoint(layer=small).restore(layer_prefix)
    with pytest.raises(errors.InvalidArgumentError, match="kernel"):
        small(X)


def _built_dense(units):
    layer = tf.keras.layers.Dense(units)
    layer(X)
    return layer


def test_a_later_restore_takes_precedence(tmp_path):
    first = _built_dense(2)
    p1 = train.Checkpoint(layer=first).write(str(tmp_path / "one"))
    second = _built_dense(2)
    p2 = train.Checkpoint(layer=second).write(str(tmp_path / "two"))
    target = tf.keras.layers.Dense(2)
    ckpt = train.Checkpoint(layer=target)
    ckpt.restore(p1)
    ckpt.restore(p2)
    target(X)
    np.testing.assert_array_equal(target.kernel.numpy(), second.kernel.numpy())


def test_checkpoint_arguments_and_attributes(tmp_path):
    with pytest.raises(ValueError, match="trackable"):
        train.Checkpoint(model=3)
    with pytest.raises(ValueError, match="trackable"):
        train.Checkpoint(t=tf.constant(1.0))
    ckpt = train.Checkpoint()
    ckpt.step = tf.Variable(np.int64(4))
    prefix = ckpt.save(str(tmp_path / "s"))
    other = train.Checkpoint()
    other.step = tf.Variable(np.int64(0))
    other.restore(prefix).assert_consumed()
    assert other.step.numpy() == 4
    with pytest.raises(ValueError, match="reserved"):
        ckpt.save_counter = tf.Variable(1)
    # root: its dependencies at the top level; the global step like any Variable.
    layer = _built_dense(2)
    step = train.get_or_create_global_step()
    before = int(step.numpy())
    step.assign(5)
    rooted = train.Checkpoint(root=layer, optimizer_step=step).write(str(tmp_path / "root"))
    assert "kernel/.ATTRIBUTES/VARIABLE_VALUE" in dict(train.list_variables(rooted))
    step.assign(0)
    target = tf.keras.layers.Dense(2)
    status = train.Checkpoint(root=target, optimizer_step=step).restore(rooted)
    target(X)
    status.assert_consumed()
    assert int(step.numpy()) == 5
    step.assign(before)
    np.testing.assert_array_equal(target.kernel.numpy(), layer.kernel.numpy())
    with pytest.raises(errors.NotFoundError, match="Failed to find"):
        ckpt.restore(str(tmp_path / "nothing-here"))


def test_checkpoint_manager(tmp_path):
    v = tf.Variable(0.0)
    ckpt = train.Checkpoint(v=v)
    manager = train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    assert manager.latest_checkpoint is None
    for i in range(4):
        v.assign(float(i))
        manager.save()
    names = sorted(os.listdir(tmp_path))
    assert [n for n in names if n.endswith(".index")] == ["ckpt-3.index", "ckpt-4.index"]
    assert len([n for n in names if ".data-" in n]) == 2
    assert manager.checkpoints == [str(tmp_path / "ckpt-3"), str(tmp_path / "ckpt-4")]
    assert train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "ckpt-4")
    assert manager.save(checkpoint_number=tf.Variable(np.int64(10))).endswith("ckpt-10")
    # A new manager picks up the directory's checkpoints.
    again = train.CheckpointManager(train.Checkpoint(v=tf.Variable(0.0)), str(tmp_path), 2)
    assert again.checkpoints == [str(tmp_path / "ckpt-4"), str(tmp_path / "ckpt-10")]
    assert again.restore_or_initialize() == str(tmp_path / "ckpt-10")
    assert again.checkpoint.v.numpy() == 3.0
    with pytest.raises(ValueError, match="max_to_keep"):
        train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=0)


def test_latest_checkpoint_reads_tensorflows_state_file(tmp_path):
    v = tf.Variable(2.0)
    prefix = train.Checkpoint(v=v).write(str(tmp_path / "model.ckpt-7"))
    # TensorFlow's text format: other fields, escapes, absolute and relative paths.
    (tmp_path / "checkpoint").write_text(
        'model_checkpoint_path: "model.ckpt-7"\n'
        'all_model_checkpoint_paths: "model.ckpt-6"\n'
        'all_model_checkpoint_paths: "model.ckpt-7"\n'
        'all_model_checkpoint_timestamps: 1700000000.5\n'
        'all_model_checkpoint_timestamps: 1.7e9\n'
        'last_preserved_timestamp: 1699990000.25\n')
    assert train.latest_checkpoint(str(tmp_path)) == prefix
    state = train.get_checkpoint_state(str(tmp_path))
    assert state.all_model_checkpoint_paths[0] == str(tmp_path / "model.ckpt-6")
    assert state.last_preserved_timestamp == 1699990000.25
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "%s"\n'
                                         % prefix.replace("\\", "\\\\"))
    assert train.latest_checkpoint(str(tmp_path)) == prefix
    # Paths with quotes and non-ASCII characters survive the round trip.
    odd = str(tmp_path / 'é "q"' / "ck")
    train.Checkpoint(v=v).save(odd)
    assert train.latest_checkpoint(os.path.dirname(odd)) == odd + "-1"
    other = tmp_path / "other"
    train.update_checkpoint_state(str(other), odd + "-1")    # outside: kept absolute
    assert '\\303\\251 \\"q\\"' in (other / "checkpoint").read_text()
    assert train.latest_checkpoint(str(other)) == odd + "-1"
    (tmp_path / "checkpoint").write_text("garbage {{{\n")
    assert train.latest_checkpoint(str(tmp_path)) is None
    assert train.latest_checkpoint(str(tmp_path / "absent")) is None


def test_list_and_load_variables(tmp_path):
    model, _ = _train_mlp(1)
    prefix = train.Checkpoint(model=model).write(str(tmp_path / "m"))
    names = dict(train.list_variables(prefix))
    assert names["model/heads/out/kernel/.ATTRIBUTES/VARIABLE_VALUE"] == [4, 2]
    np.testing.assert_array_equal(
        train.load_variable(prefix, "model/scale/.ATTRIBUTES/VARIABLE_VALUE"), model.scale.numpy())
    assert loss_fn(model, training=False).numpy() > 0


def test_values_for_objects_that_die_are_dropped(tmp_path):
    import gc
    from eager.train import checkpoint as ck
    prefix = train.Checkpoint(layer=_built_dense(2)).write(str(tmp_path / "d"))
    layer = tf.keras.layers.Dense(2)
    status = train.Checkpoint(layer=layer).restore(prefix)
    restoration = status._restoration
    del status
    assert restoration in ck._DEFERRED       # waiting for the layer to build
    del layer
    gc.collect()
    assert restoration not in ck._DEFERRED
