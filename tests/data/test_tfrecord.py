

def test_writer_takes_example_messages_directly(tmp_path):
    import eager as tf
    path = str(tmp_path / "ex.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        w.write(tf.io.make_example({"y": [7]}))
    (rec,) = list(tf.data.TFRecordDataset(path))
    parsed = tf.io.parse_single_example(rec, {"y": tf.io.FixedLenFeature([], tf.int64)})
    assert parsed["y"].numpy() == 7
