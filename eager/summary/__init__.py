"""eager.summary: TensorBoard summaries (tf.summary, TensorFlow 2's API,
with TF 1's record_summaries_every_n_global_steps).

    writer = eager.summary.create_file_writer('/tmp/logs')
    with writer.as_default(), eager.summary.record_if(True):
        for step in range(100):
            eager.summary.scalar('loss', loss, step=step)

Files are TensorBoard event files: the `tensorboard` package's protobuf
messages in eager's TFRecord framing. Writing needs `tensorboard`
(pip install eager[summary]); importing this module does not.
"""
from eager.summary._writer import (SummaryWriter, create_file_writer,  # noqa: F401
                                   create_noop_writer, flush)
from eager.summary._state import (record_if, should_record_summaries,  # noqa: F401
                                  record_summaries_every_n_global_steps,
                                  always_record_summaries, never_record_summaries)
from eager.summary._ops import scalar, histogram, image, text, write  # noqa: F401
from eager.summary import experimental  # noqa: F401
