#include <keras/layers/merging/dot.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

namespace {

constexpr double kEpsilon = 1e-7;  // keras.config.epsilon()

std::string list_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// keras.ops.normalize(x, axis, order=2): x * min(rsqrt(sum(x^2)), 1 / epsilon).
Tensor l2_normalize(const Tensor& x, int64_t axis) {
  const Tensor inv_norm = ops::rsqrt(ops::sum(ops::square(x), axis, /*keepdims=*/true));
  return ops::multiply(x, ops::minimum(inv_norm, scalar_like(1.0 / kEpsilon, inv_norm)));
}

// Keras's batch_dot: contracts x's axis a0 with y's axis a1, sample by sample. x's other axes
// come first, then y's; a rank-1 result becomes (batch, 1).
Tensor batch_dot(const Tensor& x, const Tensor& y, int64_t a0, int64_t a1) {
  std::vector<int64_t> px, py{0, a1}, mid, trail;
  for (int64_t d = 0; d < x.rank(); ++d) {
    if (d != a0) px.push_back(d);
    if (d != a0 && d != 0) mid.push_back(x.shape()[d]);
  }
  px.push_back(a0);
  for (int64_t d = 1; d < y.rank(); ++d) {
    if (d != a1) {
      py.push_back(d);
      trail.push_back(y.shape()[d]);
    }
  }
  const int64_t batch = x.shape()[0], n = x.shape()[a0];
  int64_t m = 1, k = 1;
  for (int64_t d : mid) m *= d;
  for (int64_t d : trail) k *= d;
  // (batch, m, n) @ (batch, n, k), with every non-contracted axis folded into m or k.
  const Tensor xt = ops::reshape(ops::transpose(x, px), {batch, m, n});
  const Tensor yt = ops::reshape(ops::transpose(y, py), {batch, n, k});
  std::vector<int64_t> out{batch};
  out.insert(out.end(), mid.begin(), mid.end());
  out.insert(out.end(), trail.begin(), trail.end());
  if (out.size() == 1) out.push_back(1);
  return ops::reshape(ops::matmul(xt, yt), Shape(out));
}

std::string dim_str(int64_t d) { return d == None ? "None" : std::to_string(d); }

}  // namespace

Dot::Dot(int64_t axes, DotOptions options) : Dot(std::vector<int64_t>{axes}, std::move(options)) {}

Dot::Dot(std::vector<int64_t> axes, DotOptions options)
    : Merge("Dot", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      axes_(std::move(axes)),
      options_(std::move(options)) {
  if (axes_.size() != 1 && axes_.size() != 2) {
    throw ValueError("Invalid format for argument `axes`: it should contain two elements. Received: axes=" +
                     list_str(axes_));
  }
}

std::pair<int64_t, int64_t> Dot::resolve_axes(const std::vector<Shape>& input_shapes) const {
  if (input_shapes.size() != 2) {
    throw ValueError("A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=" +
                     shapes_str(input_shapes));
  }
  const Shape& s1 = input_shapes[0];
  const Shape& s2 = input_shapes[1];
  if (s1.rank() < 2 || s2.rank() < 2) {
    throw ValueError("Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes " + s1.str() +
                     " and " + s2.str() + ".");
  }
  const int64_t a0 = normalize_axis(axes_.front(), s1.rank(), "Dot");
  const int64_t a1 = normalize_axis(axes_.back(), s2.rank(), "Dot");
  if (a0 == 0 || a1 == 0) {
    throw ValueError("Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch "
                     "dimension to your inputs using keras.ops.expand_dims(x, 0)");
  }
  if (s1[a0] != None && s2[a1] != None && s1[a0] != s2[a1]) {
    throw ValueError("Incompatible input shapes: axis values " + dim_str(s1[a0]) + " (at axis " +
                     std::to_string(a0) + ") != " + dim_str(s2[a1]) + " (at axis " + std::to_string(a1) +
                     "). Full input shapes: " + s1.str() + ", " + s2.str());
  }
  if (s1[0] != None && s2[0] != None && s1[0] != s2[0]) {
    throw ValueError("Cannot do batch_dot on inputs with different batch sizes. Received inputs with shapes " +
                     s1.str() + " and " + s2.str() + ".");
  }
  return {a0, a1};
}

std::vector<Shape> Dot::compute_output_shape(const std::vector<Shape>& input_shapes) {
  const auto [a0, a1] = resolve_axes(input_shapes);
  std::vector<int64_t> out;
  for (int64_t d = 0; d < input_shapes[0].rank(); ++d) {
    if (d != a0) out.push_back(input_shapes[0][d]);
  }
  for (int64_t d = 1; d < input_shapes[1].rank(); ++d) {
    if (d != a1) out.push_back(input_shapes[1][d]);
  }
  if (out.size() == 1) out.push_back(1);
  return {Shape(out)};
}

Tensors Dot::call(const Tensors& inputs, bool /*training*/) { return {merge_function(inputs)}; }

Tensor Dot::merge_function(const Tensors& inputs) {
  const auto [a0, a1] = resolve_axes(shapes_of(inputs));
  Tensor x1 = inputs[0], x2 = inputs[1];
  if (options_.normalize) {
    x1 = l2_normalize(x1, a0);
    x2 = l2_normalize(x2, a1);
  }
  return batch_dot(x1, x2, a0, a1);
}

Config Dot::get_config() const {
  Config c = Layer::get_config();
  c["axes"] = axes_.size() == 1 ? Config(axes_[0]) : Config(axes_);
  c["normalize"] = options_.normalize;
  return c;
}

std::shared_ptr<Layer> Dot::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  DotOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("normalize")) o.normalize = config["normalize"].get<bool>();
  if (!config.contains("axes")) throw ValueError("Dot config needs 'axes', got " + config.dump().substr(0, 200));
  const Config& axes = config["axes"];
  if (axes.is_number_integer()) return std::make_shared<Dot>(axes.get<int64_t>(), o);
  if (!axes.is_array() || axes.size() != 2 || !axes[0].is_number_integer() || !axes[1].is_number_integer()) {
    throw ValueError("Invalid format for argument `axes`: it should be an int or a list of two integers. Received: "
                     "axes=" + axes.dump());
  }
  return std::make_shared<Dot>(axes.get<std::vector<int64_t>>(), o);
}

KERAS_REGISTER_LAYER(Dot);

}  // namespace keras::layers
