#include <keras/layers/preprocessing/normalization.h>

#include <keras/core/ops.h>
#include <keras/core/repr.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace keras::layers {

namespace {

constexpr double kEpsilon = 1e-7;  // keras.config.epsilon()


std::string value_str(const Tensor& t) { return t.defined() ? t.str() : "None"; }

// np.array(value).tolist(): nested lists, a bare number for a scalar, null for None.
Config tensor_to_config(const Tensor& t) {
  if (!t.defined()) return nullptr;
  const std::vector<double> values = t.astype(DType::float64).to_vector<double>();
  const std::vector<int64_t>& dims = t.shape().dims();
  size_t next = 0;
  auto build = [&](auto&& self, size_t depth) -> Config {
    if (depth == dims.size()) return values[next++];
    Config list = Config::array();
    for (int64_t i = 0; i < dims[depth]; ++i) list.push_back(self(self, depth + 1));
    return list;
  };
  return build(build, 0);
}

// The inverse of tensor_to_config, as float64 (Keras casts to the compute dtype at build).
Tensor tensor_from_config(const Config& value, const std::string& what) {
  if (value.is_null()) return {};
  std::vector<int64_t> dims;
  for (const Config* v = &value; v->is_array(); v = &(*v)[0]) {
    dims.push_back(static_cast<int64_t>(v->size()));
    if (v->empty()) break;
  }
  std::vector<double> values;
  auto collect = [&](auto&& self, const Config& v, size_t depth) -> void {
    if (depth == dims.size()) {
      if (!v.is_number()) throw ValueError("Normalization config: '" + what + "' must hold numbers, got " + v.dump());
      values.push_back(v.get<double>());
      return;
    }
    if (!v.is_array() || static_cast<int64_t>(v.size()) != dims[depth]) {
      throw ValueError("Normalization config: '" + what + "' is not a rectangular list of numbers: " +
                       value.dump().substr(0, 200));
    }
    for (const Config& e : v) self(self, e, depth + 1);
  };
  collect(collect, value, 0);
  return Tensor::from_vector(values, Shape(dims));
}

}  // namespace

Normalization::Normalization(NormalizationOptions options)
    : Layer("Normalization", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      options_(std::move(options)) {
  const Tensor& mean = options_.mean;
  const Tensor& variance = options_.variance;
  if (mean.defined() != variance.defined()) {
    throw ValueError("When setting values directly, both `mean` and `variance` must be set. Received: mean=" +
                     value_str(mean) + " and variance=" + value_str(variance));
  }
  if (mean.defined()) {
    if (mean.shape() != variance.shape()) {
      throw ValueError("When setting values directly, `mean` and `variance` must have the same shape. Received: "
                       "mean shape " + mean.shape().str() + " and variance shape " + variance.shape().str());
    }
    const auto n_axes = static_cast<int64_t>(options_.axis.axes().size());
    if (mean.rank() > n_axes) {
      throw ValueError("The rank of `mean` must be less than or equal to the number of axes (" +
                       std::to_string(n_axes) + "). Received: mean shape " + mean.shape().str() + " for axis " +
                       tuple_str(options_.axis.axes()));
    }
  }
}

Normalization::Geometry Normalization::geometry(const Shape& input_shape) const {
  const int64_t ndim = input_shape.rank();
  const std::vector<int64_t>& axes = options_.axis.axes();
  Geometry g;
  for (int64_t a : axes) {
    if (a < -ndim || a >= ndim) {
      throw ValueError("All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim=" +
                       std::to_string(ndim) + ", while axis=" + tuple_str(axes));
    }
    g.keep_axis.push_back(a < 0 ? a + ndim : a);
  }
  std::sort(g.keep_axis.begin(), g.keep_axis.end());
  g.keep_axis.erase(std::unique(g.keep_axis.begin(), g.keep_axis.end()), g.keep_axis.end());
  std::vector<int64_t> broadcast, kept_sizes;
  for (int64_t d = 0; d < ndim; ++d) {
    const bool kept = std::find(g.keep_axis.begin(), g.keep_axis.end(), d) != g.keep_axis.end();
    if (kept && input_shape[d] == None) {
      throw ValueError("All `axis` values to be kept must have a known shape. Received axis=" + tuple_str(axes) +
                       ", inputs.shape=" + input_shape.str() + ", with unknown axis at index " + std::to_string(d));
    }
    if (!kept) g.reduce_axis.push_back(d);
    broadcast.push_back(kept ? input_shape[d] : 1);
    if (kept) kept_sizes.push_back(input_shape[d]);
  }
  g.broadcast_shape = Shape(broadcast);
  g.mean_and_var_shape = Shape(kept_sizes);
  return g;
}

Tensor Normalization::broadcast_given(const Tensor& value, const Geometry& g) const {
  std::vector<int64_t> expanded(static_cast<size_t>(g.broadcast_shape.rank()), 1);
  for (int64_t i = 1; i <= value.rank(); ++i) {
    expanded[static_cast<size_t>(g.keep_axis[g.keep_axis.size() - static_cast<size_t>(i)])] = value.shape()[-i];
  }
  const Tensor v = ops::reshape(ops::cast(value, compute_dtype()), Shape(expanded));
  return ops::broadcast_to(v, g.broadcast_shape);
}

void Normalization::build(const Shape& input_shape) {
  const Geometry g = geometry(input_shape);
  if (options_.mean.defined()) {
    // Checks now that the given statistics broadcast to the kept axes, as Keras's build does.
    broadcast_given(options_.mean, g);
    return;
  }
  add_weight(adapt_mean_, {.shape = g.mean_and_var_shape, .initializer = "zeros", .trainable = false});
  add_weight(adapt_variance_, {.shape = g.mean_and_var_shape, .initializer = "ones", .trainable = false});
  add_weight(count_, {.shape = {}, .initializer = "zeros", .dtype = DType::int64, .trainable = false});
}

void Normalization::adapt(const Tensor& data) {
  if (!data.defined()) throw ValueError("Normalization \"" + name() + "\": adapt() received no data (None)");
  if (options_.mean.defined()) {
    throw ValueError("Normalization \"" + name() + "\": adapt() cannot be used when `mean` and `variance` were "
                     "given to the constructor");
  }
  if (!built()) {
    build_from_config({data.shape()});
  } else {
    const Shape& built_shape = build_input_shapes()->at(0);
    bool compatible = built_shape.rank() == data.rank();
    for (int64_t d : geometry(built_shape).keep_axis) compatible = compatible && data.shape()[d] == built_shape[d];
    if (!compatible) {
      throw ValueError("The layer was built with input_shape=" + built_shape.str() +
                       ", but adapt() is being called with data with an incompatible shape, data.shape=" +
                       data.shape().str());
    }
  }
  const Geometry g = geometry(data.shape());
  // Statistics in float64 (as NumPy computes them for Keras) before they are stored.
  const Tensor x = data.astype(DType::float64);
  if (g.reduce_axis.empty()) {
    adapt_mean_.assign(x);
    adapt_variance_.assign(ops::zeros_like(x));
  } else {
    adapt_mean_.assign(ops::mean(x, ops::Axes(g.reduce_axis)));
    adapt_variance_.assign(ops::var(x, ops::Axes(g.reduce_axis)));
  }
}

Tensor Normalization::call(const Tensor& inputs, bool /*training*/) {
  if (!built() || !build_input_shapes()) {
    throw ValueError("You must call `.build(input_shape)` on the layer before using it.");
  }
  const Geometry g = geometry(build_input_shapes()->at(0));
  Tensor mean, variance;
  if (options_.mean.defined()) {
    mean = broadcast_given(options_.mean, g);
    variance = broadcast_given(options_.variance, g);
  } else {
    mean = ops::cast(ops::reshape(adapt_mean_.value(), g.broadcast_shape), compute_dtype());
    variance = ops::cast(ops::reshape(adapt_variance_.value(), g.broadcast_shape), compute_dtype());
  }
  const Tensor x = ops::cast(inputs, compute_dtype());
  const Tensor scale = ops::maximum(ops::sqrt(variance), scalar_like(kEpsilon, variance));
  return options_.invert ? mean + x * scale : (x - mean) / scale;
}

Shape Normalization::compute_output_shape(const Shape& input_shape) { return input_shape; }

Config Normalization::get_config() const {
  Config c = Layer::get_config();
  c["axis"] = options_.axis.axes();
  c["invert"] = options_.invert;
  c["mean"] = tensor_to_config(options_.mean);
  c["variance"] = tensor_to_config(options_.variance);
  return c;
}

std::shared_ptr<Layer> Normalization::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  NormalizationOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("axis")) {
    const Config& axis = config["axis"];
    if (axis.is_null()) {
      o.axis = std::nullopt;
    } else if (axis.is_number_integer()) {
      o.axis = axis.get<int64_t>();
    } else if (axis.is_array() &&
               std::all_of(axis.begin(), axis.end(), [](const Config& a) { return a.is_number_integer(); })) {
      o.axis = AxisArgument(axis.get<std::vector<int64_t>>());
    } else {
      throw ValueError("Normalization config: 'axis' must be an int, a list of ints or null, got " + axis.dump());
    }
  }
  if (config.contains("invert")) o.invert = config["invert"].get<bool>();
  if (config.contains("mean")) o.mean = tensor_from_config(config["mean"], "mean");
  if (config.contains("variance")) o.variance = tensor_from_config(config["variance"], "variance");
  return std::make_shared<Normalization>(o);
}

KERAS_REGISTER_LAYER(Normalization);

}  // namespace keras::layers
