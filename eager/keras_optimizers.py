"""TensorFlow 2's optimizers (tf.keras.optimizers: SGD, Adam, Adagrad,
RMSprop) and learning-rate schedules, on the same in-place update kernels
as eager.train. Formulas and defaults follow Keras 2.11+/Keras 3.

    opt = eager.keras.optimizers.Adam(learning_rate=1e-3)
    with eager.GradientTape() as tape:
        loss = ...
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
"""
import math
import types

import numpy as np

from eager._ext.dispatch import convert_to_tensor
from eager.autodiff import GradientTape
from eager.train import kernels
from eager.train._common import apply_update, check_variable, float_value, grad_array


# ---- learning-rate schedules ----------------------------------------------------

class LearningRateSchedule(object):
    """A learning rate that depends on the step: schedule(step) -> rate."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @staticmethod
    def _out(value):
        return convert_to_tensor(np.float32(value))


class ExponentialDecay(LearningRateSchedule):
    """initial_learning_rate * decay_rate ^ (step / decay_steps) (the
    exponent floored when staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        if float_value(decay_steps, "decay_steps") <= 0:
            raise ValueError("ExponentialDecay: decay_steps must be positive, got %r"
                             % (decay_steps,))
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = float_value(step, "step") / float_value(self.decay_steps, "decay_steps")
        if self.staircase:
            p = math.floor(p)
        return self._out(float_value(self.initial_learning_rate)
                         * float_value(self.decay_rate, "decay_rate") ** p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(ExponentialDecay):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps)."""

    def __call__(self, step):
        p = float_value(step, "step") / float_value(self.decay_steps, "decay_steps")
        if self.staircase:
            p = math.floor(p)
        return self._out(float_value(self.initial_learning_rate)
                         / (1.0 + float_value(self.decay_rate, "decay_rate") * p))


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[i] for boundaries[i-1] < step <= boundaries[i]."""

    def __init__(self, boundaries, values, name=None):
        if len(values) != len(boundaries) + 1:
            raise ValueError("The length of boundaries should be 1 less than the length of "
                             "values (got %d boundaries and %d values)"
                             % (len(boundaries), len(values)))
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def __call__(self, step):
        s = float_value(step, "step")
        for b, v in zip(self.boundaries, self.values):
            if s <= float_value(b, "boundaries"):
                return self._out(float_value(v))
        return self._out(float_value(self.values[-1]))

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ^ power + end."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name=None):
        if float_value(decay_steps, "decay_steps") <= 0:
            raise ValueError("PolynomialDecay: decay_steps must be positive, got %r"
                             % (decay_steps,))
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        s = float_value(step, "step")
        steps = float_value(self.decay_steps, "decay_steps")
        if self.cycle:
            steps = steps * max(1.0, math.ceil(s / steps))
        else:
            s = min(s, steps)
        lr = float_value(self.initial_learning_rate)
        end = float_value(self.end_learning_rate, "end_learning_rate")
        return self._out((lr - end) * (1.0 - s / steps) ** float_value(self.power, "power")
                         + end)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) /
    decay_steps)) + alpha)."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None):
        if float_value(decay_steps, "decay_steps") <= 0:
            raise ValueError("CosineDecay: decay_steps must be positive, got %r"
                             % (decay_steps,))
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        steps = float_value(self.decay_steps, "decay_steps")
        s = min(float_value(step, "step"), steps)
        a = float_value(self.alpha, "alpha")
        cosine = 0.5 * (1.0 + math.cos(math.pi * s / steps))
        return self._out(float_value(self.initial_learning_rate) * ((1.0 - a) * cosine + a))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name}


schedules = types.SimpleNamespace(
    LearningRateSchedule=LearningRateSchedule, ExponentialDecay=ExponentialDecay,
    InverseTimeDecay=InverseTimeDecay, PiecewiseConstantDecay=PiecewiseConstantDecay,
    PolynomialDecay=PolynomialDecay, CosineDecay=CosineDecay)


# ---- optimizers -------------------------------------------------------------------

class Optimizer(object):
    """Base of the Keras optimizers: apply_gradients(zip(grads, vars)),
    minimize(loss, var_list, tape=None), slots, `iterations`, gradient
    clipping (clipnorm, clipvalue, global_clipnorm)."""

    def __init__(self, name, learning_rate=0.001, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, **kwargs):
        unknown = set(kwargs) - {"lr", "decay", "weight_decay", "use_ema", "ema_momentum",
                                 "ema_overwrite_frequency", "jit_compile", "is_legacy_optimizer"}
        if unknown:
            raise TypeError("%s: unexpected keyword argument(s) %s" % (name, sorted(unknown)))
        if "lr" in kwargs:
            learning_rate = kwargs["lr"]
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("%s: give at most one of clipnorm, clipvalue and global_clipnorm"
                             % name)
        self._name = name
        self.learning_rate = learning_rate
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self._slots = {}          # slot name -> {id(var): (var, slot Variable)}
        self._iterations = None

    @property
    def name(self):
        return self._name

    @property
    def iterations(self):
        """The number of updates applied (an int64 Variable)."""
        if self._iterations is None:
            from eager.variables import Variable
            self._iterations = Variable(np.int64(0), trainable=False,
                                        name="%s/iter" % self._name)
        return self._iterations

    @property
    def lr(self):
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        self.learning_rate = value

    def _current_lr(self, step):
        lr = self.learning_rate
        if isinstance(lr, LearningRateSchedule):
            return float_value(lr(step))
        return float_value(lr)

    # ---- public API -------------------------------------------------------
    def minimize(self, loss, var_list, grad_loss=None, name=None, tape=None):
        """Computes the gradients of `loss` (a function of no arguments, or
        a Tensor computed under `tape`) for `var_list` and applies them."""
        grads_and_vars = self.compute_gradients(loss, var_list, grad_loss=grad_loss, tape=tape)
        return self.apply_gradients(grads_and_vars, name=name)

    def compute_gradients(self, loss, var_list, grad_loss=None, tape=None):
        """[(gradient, variable), ...] of `loss` for `var_list`."""
        if not callable(loss) and tape is None:
            raise ValueError("`tape` is required when a `Tensor` loss is passed.")
        if tape is None:
            tape = GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list, grad_loss)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, name=None, experimental_aggregate_gradients=True):
        """Updates each variable from its gradient ((None, var) pairs are
        skipped) and increments `iterations`; returns `iterations`."""
        who = "%s.apply_gradients" % self._name
        items = list(grads_and_vars)
        pairs = []
        for pair in items:
            try:
                g, v = pair
            except (TypeError, ValueError):
                raise TypeError("%s: expected (gradient, variable) pairs, got %.60r"
                                % (who, pair)) from None
            check_variable(v, who)
            if g is not None:
                pairs.append((grad_array(g, v, who), v))
        if not pairs:
            raise ValueError("No gradients provided for any variable: %s."
                             % ([v.name for _, v in items],))
        pairs = self._clip(pairs)
        step = int(self.iterations.numpy())
        self._prepare(step)
        for g, v in pairs:
            for slot_name, fill in self._slot_specs():
                self._get_or_make_slot(v, fill, slot_name)
            self._apply_dense(g, v)
        self.iterations.assign_add(1)
        return self.iterations

    def _clip(self, pairs):
        if self.clipvalue is not None:
            c = float_value(self.clipvalue, "clipvalue")
            return [(np.clip(g, -c, c), v) for g, v in pairs]
        if self.clipnorm is not None:
            c = float_value(self.clipnorm, "clipnorm")
            out = []
            for g, v in pairs:
                norm = float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
                out.append((g * (c / norm) if norm > c else g, v))
            return out
        if self.global_clipnorm is not None:
            c = float_value(self.global_clipnorm, "global_clipnorm")
            norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64)))
                                 for g, _ in pairs))
            if norm > c:
                return [(g * (c / norm), v) for g, v in pairs]
        return pairs

    # ---- slots ------------------------------------------------------------
    def _slot_specs(self):
        return ()

    def _get_or_make_slot(self, var, fill, slot_name):
        table = self._slots.setdefault(slot_name, {})
        entry = table.get(id(var))
        if entry is not None:
            return entry[1]
        from eager.variables import Variable
        from eager.train.optimizer import _on_device
        base = var.name[:-2] if var.name.endswith(":0") else var.name
        with _on_device(var):
            slot = Variable(np.full(tuple(var.shape), fill, dtype=var.dtype.np_dtype),
                            trainable=False, name="%s/%s" % (base, slot_name))
        table[id(var)] = (var, slot)
        return slot

    def _slot(self, var, name):
        return self._slots[name][id(var)][1]

    def add_slot(self, var, slot_name, initializer="zeros"):
        """Creates (or returns) slot `slot_name` of `var`, filled with 0
        ('zeros'), 1 ('ones') or a number."""
        fill = {"zeros": 0.0, "ones": 1.0}.get(initializer, initializer)
        return self._get_or_make_slot(var, float_value(fill, "initializer"), slot_name)

    def get_slot(self, var, slot_name):
        """Slot `slot_name` of `var` (KeyError naming the slots if missing)."""
        entry = self._slots.get(slot_name, {}).get(id(var))
        if entry is None:
            raise KeyError("%s has no slot %r for variable %r (slots: %s)"
                           % (self._name, slot_name, getattr(var, "name", var),
                              self.get_slot_names()))
        return entry[1]

    def get_slot_names(self):
        return [name for name, _ in self._slot_specs()]

    def variables(self):
        """`iterations` followed by the slot Variables."""
        out = [self.iterations]
        for table in self._slots.values():
            out.extend(slot for _, slot in table.values())
        return out

    @property
    def weights(self):
        return self.variables()

    def get_config(self):
        lr = self.learning_rate
        config = {"name": self._name,
                  "learning_rate": lr if isinstance(lr, LearningRateSchedule)
                  else float_value(lr)}
        for k in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, k) is not None:
                config[k] = getattr(self, k)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _prepare(self, step):
        self._lr_t = self._current_lr(step)

    def _apply_dense(self, grad, var):
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent with optional momentum:
    velocity = momentum * velocity - learning_rate * g; var += velocity
    (nesterov: var += momentum * velocity - learning_rate * g).
    Slot 'momentum' when momentum > 0."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD",
                 **kwargs):
        if not (isinstance(momentum, (int, float)) and 0 <= momentum <= 1):
            raise ValueError("`momentum` must be a float between [0, 1], got %r" % (momentum,))
        super().__init__(name, learning_rate, **kwargs)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _slot_specs(self):
        return (("momentum", 0.0),) if self.momentum else ()

    def _apply_dense(self, grad, var):
        if self.momentum:
            apply_update(kernels.keras_momentum, var, (self._slot(var, "momentum"),), grad,
                         (self._lr_t, self.momentum, self.nesterov))
        else:
            apply_update(kernels.gradient_descent, var, (), grad, (self._lr_t,))

    def get_config(self):
        config = super().get_config()
        config.update(momentum=self.momentum, nesterov=self.nesterov)
        return config


class Adam(Optimizer):
    """Adam: m += (g - m) * (1 - beta_1); v += (g * g - v) * (1 - beta_2);
    var -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon),
    t = iterations + 1. amsgrad uses max(vhat, v). Slots 'm', 'v' ('vhat')."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name="Adam", **kwargs):
        super().__init__(name, learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = bool(amsgrad)

    def _slot_specs(self):
        specs = (("m", 0.0), ("v", 0.0))
        return specs + (("vhat", 0.0),) if self.amsgrad else specs

    def _prepare(self, step):
        lr = self._current_lr(step)
        self._b1 = float_value(self.beta_1, "beta_1")
        self._b2 = float_value(self.beta_2, "beta_2")
        self._eps = float_value(self.epsilon, "epsilon")
        t = step + 1
        self._lr_t = lr * math.sqrt(1.0 - self._b2 ** t) / (1.0 - self._b1 ** t)

    def _apply_dense(self, grad, var):
        scalars = (self._lr_t, self._b1, self._b2, self._eps)
        if self.amsgrad:
            apply_update(kernels.adam_amsgrad, var, (self._slot(var, "m"), self._slot(var, "v"),
                                                     self._slot(var, "vhat")), grad, scalars)
        else:
            apply_update(kernels.adam, var, (self._slot(var, "m"), self._slot(var, "v")),
                         grad, scalars)

    def get_config(self):
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon,
                      amsgrad=self.amsgrad)
        return config


class Adagrad(Optimizer):
    """accumulator += g * g; var -= lr * g / sqrt(accumulator + epsilon).
    Slot 'accumulator', starting at initial_accumulator_value."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name="Adagrad", **kwargs):
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value must be non-negative: %s"
                             % initial_accumulator_value)
        super().__init__(name, learning_rate, **kwargs)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = epsilon

    def _slot_specs(self):
        return (("accumulator", self.initial_accumulator_value),)

    def _apply_dense(self, grad, var):
        apply_update(kernels.adagrad, var, (self._slot(var, "accumulator"),), grad,
                     (self._lr_t, float_value(self.epsilon, "epsilon")))

    def get_config(self):
        config = super().get_config()
        config.update(initial_accumulator_value=self.initial_accumulator_value,
                      epsilon=self.epsilon)
        return config


def _rmsprop_no_momentum(var, ms, g, t, lr, rho, momentum, epsilon):
    kernels.rmsprop(var, ms, None, g, t, lr, rho, momentum, epsilon)


def _centered_rmsprop_no_momentum(var, ms, mg, g, t, lr, rho, momentum, epsilon):
    kernels.centered_rmsprop(var, ms, mg, None, g, t, lr, rho, momentum, epsilon)


class RMSprop(Optimizer):
    """rms = rho * rms + (1 - rho) * g * g;
    increment = lr * g / sqrt(rms + epsilon) (centered: rms - mg * mg + epsilon);
    with momentum: m = momentum * m + increment, var -= m; else var -= increment.
    Slots 'rms' (starting at 0), 'momentum' (when > 0), 'mg' (centered)."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, name="RMSprop", **kwargs):
        super().__init__(name, learning_rate, **kwargs)
        self.rho = rho
        self.momentum = float(momentum)
        self.epsilon = epsilon
        self.centered = bool(centered)

    def _slot_specs(self):
        specs = [("rms", 0.0)]
        if self.momentum:
            specs.append(("momentum", 0.0))
        if self.centered:
            specs.append(("mg", 0.0))
        return tuple(specs)

    def _apply_dense(self, grad, var):
        scalars = (self._lr_t, float_value(self.rho, "rho"), self.momentum,
                   float_value(self.epsilon, "epsilon"))
        slots = [self._slot(var, "rms")]
        if self.centered:
            slots.append(self._slot(var, "mg"))
        if self.momentum:
            slots.append(self._slot(var, "momentum"))
            kernel = kernels.centered_rmsprop if self.centered else kernels.rmsprop
        else:
            kernel = _centered_rmsprop_no_momentum if self.centered else _rmsprop_no_momentum
        apply_update(kernel, var, slots, grad, scalars)

    def get_config(self):
        config = super().get_config()
        config.update(rho=self.rho, momentum=self.momentum, epsilon=self.epsilon,
                      centered=self.centered)
        return config


def get(identifier):
    """An optimizer from a name ('sgd', 'adam', 'adagrad', 'rmsprop'), a
    config dict, or an optimizer (returned as is)."""
    if isinstance(identifier, Optimizer):
        return identifier
    table = {"sgd": SGD, "adam": Adam, "adagrad": Adagrad, "rmsprop": RMSprop}
    if isinstance(identifier, str) and identifier.lower() in table:
        return table[identifier.lower()]()
    if isinstance(identifier, dict) and str(identifier.get("class_name", "")).lower() in table:
        return table[identifier["class_name"].lower()].from_config(identifier.get("config", {}))
    raise ValueError("Could not interpret optimizer identifier: %r" % (identifier,))

