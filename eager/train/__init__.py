"""eager.train: TensorFlow 1's optimizers, learning-rate schedules and the
global step (tf.train)."""
from eager.train.optimizer import (Optimizer, GradientDescentOptimizer,  # noqa: F401
                                   MomentumOptimizer, AdamOptimizer, AdagradOptimizer,
                                   RMSPropOptimizer)
from eager.train.learning_rate_decay import (exponential_decay, natural_exp_decay,  # noqa: F401
                                             inverse_time_decay, polynomial_decay,
                                             cosine_decay, piecewise_constant)
from eager.train.training_util import (get_global_step, create_global_step,  # noqa: F401
                                       get_or_create_global_step, global_step)
