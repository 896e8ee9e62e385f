"""keras.metrics: the streaming metrics of eager.metrics under Keras's
names (tf.keras.metrics)."""
from eager.metrics import (Metric, Reduce, Mean, Sum, MeanMetricWrapper,  # noqa: F401
                           Accuracy, BinaryAccuracy, CategoricalAccuracy,
                           SparseCategoricalAccuracy, TopKCategoricalAccuracy,
                           SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
                           Precision, Recall, AUC, TruePositives, FalsePositives,
                           TrueNegatives, FalseNegatives, binary_accuracy,
                           categorical_accuracy, sparse_categorical_accuracy,
                           top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, get)
