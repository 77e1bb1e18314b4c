#include <keras/layers/normalization/group_normalization.h>

#include <keras/core/ops.h>
#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

GroupNormalization::GroupNormalization(GroupNormalizationOptions options)
    : Layer("GroupNormalization", {.name = options.name, .trainable = options.trainable, .dtype = options.dtype}),
      options_(std::move(options)),
      groups_(std::make_shared<int64_t>(options_.groups)) {
  const int64_t groups = options_.groups;
  if (groups <= 0 && groups != -1) {
    throw ValueError("Received an invalid value for `groups`, expected a positive integer or -1 (one group per "
                     "channel). Received: groups=" + std::to_string(groups));
  }
}

void GroupNormalization::build(const Shape& input_shape) {
  const int64_t axis = normalize_axis(options_.axis, input_shape.rank(), "GroupNormalization axis");
  const int64_t dim = input_shape[axis];
  if (dim == None) {
    throw ValueError("Axis " + std::to_string(options_.axis) + " of input tensor should have a defined dimension but "
                     "the layer received an input with shape " + input_shape.str() + ".");
  }
  if (*groups_ == -1) *groups_ = dim;
  if (dim < *groups_) {
    throw ValueError("Number of groups (" + std::to_string(*groups_) + ") cannot be more than the number of channels (" +
                     std::to_string(dim) + ").");
  }
  if (dim % *groups_ != 0) {
    throw ValueError("The number of channels (" + std::to_string(dim) + ") must be a multiple of the number of groups (" +
                     std::to_string(*groups_) + ").");
  }
  set_input_spec({.ndim = input_shape.rank(), .axes = {{options_.axis, dim}}});
  if (options_.scale) {
    add_weight(gamma_, {.shape = {dim}, .initializer = options_.gamma_initializer,
                        .regularizer = options_.gamma_regularizer, .constraint = options_.gamma_constraint});
  }
  if (options_.center) {
    add_weight(beta_, {.shape = {dim}, .initializer = options_.beta_initializer,
                       .regularizer = options_.beta_regularizer, .constraint = options_.beta_constraint});
  }
}

Tensor GroupNormalization::call(const Tensor& inputs, bool /*training*/) {
  const Tensor x = ops::cast(inputs, compute_dtype());
  const int64_t rank = x.rank();
  const int64_t axis = normalize_axis(options_.axis, rank, "GroupNormalization axis");
  const int64_t groups = *groups_;
  const int64_t per_group = x.shape()[axis] / groups;
  // (..., C, ...) -> (..., groups, C / groups, ...): each sample's group is one slice to normalize.
  std::vector<int64_t> grouped = x.shape().dims();
  grouped[static_cast<size_t>(axis)] = per_group;
  grouped.insert(grouped.begin() + axis, groups);
  std::vector<int64_t> reduction;
  for (int64_t i = 1; i <= rank; ++i) {
    if (i != axis) reduction.push_back(i);
  }
  const Tensor xg = ops::reshape(x, Shape(grouped));
  const auto [mean, variance] = ops::moments(xg, ops::Axes(reduction), true);
  std::vector<int64_t> bdims(static_cast<size_t>(rank + 1), 1);
  bdims[static_cast<size_t>(axis)] = groups;
  bdims[static_cast<size_t>(axis) + 1] = per_group;
  const Shape bshape(bdims);
  Tensor inv = ops::rsqrt(variance + options_.epsilon);
  if (options_.scale) inv = inv * ops::reshape(ops::cast(gamma_, xg.dtype()), bshape);
  Tensor res = ops::negative(mean) * inv;
  if (options_.center) res = res + ops::reshape(ops::cast(beta_, xg.dtype()), bshape);
  return ops::reshape(xg * inv + res, x.shape());
}

Shape GroupNormalization::compute_output_shape(const Shape& input_shape) {
  if (options_.axis >= input_shape.rank() || options_.axis < -input_shape.rank()) {
    throw ValueError("Axis " + std::to_string(options_.axis) + " is out of bounds for input shape " + input_shape.str() +
                     ". Ensure axis is within the range of input dimensions.");
  }
  return input_shape;
}

Config GroupNormalization::get_config() const {
  Config c = Layer::get_config();
  c["groups"] = *groups_;
  c["axis"] = options_.axis;
  c["epsilon"] = options_.epsilon;
  c["center"] = options_.center;
  c["scale"] = options_.scale;
  c["beta_initializer"] = options_.beta_initializer.to_config();
  c["gamma_initializer"] = options_.gamma_initializer.to_config();
  c["beta_regularizer"] = options_.beta_regularizer.to_config();
  c["gamma_regularizer"] = options_.gamma_regularizer.to_config();
  c["beta_constraint"] = options_.beta_constraint.to_config();
  c["gamma_constraint"] = options_.gamma_constraint.to_config();
  return c;
}

std::shared_ptr<Layer> GroupNormalization::from_config(const Config& config) {
  const LayerOptions base = base_options(config);
  GroupNormalizationOptions o{.name = base.name, .trainable = base.trainable, .dtype = base.dtype};
  if (config.contains("groups")) {
    if (!config["groups"].is_number_integer()) throw ValueError("GroupNormalization config: `groups` must be an integer");
    o.groups = config["groups"].get<int64_t>();
  }
  if (config.contains("axis")) {
    if (!config["axis"].is_number_integer()) throw ValueError("GroupNormalization config: `axis` must be an integer");
    o.axis = config["axis"].get<int64_t>();
  }
  if (config.contains("epsilon")) {
    if (!config["epsilon"].is_number()) throw ValueError("GroupNormalization config: `epsilon` must be a number");
    o.epsilon = config["epsilon"].get<double>();
  }
  if (config.contains("center") && !config["center"].is_null()) o.center = config["center"].get<bool>();
  if (config.contains("scale") && !config["scale"].is_null()) o.scale = config["scale"].get<bool>();
  if (config.contains("beta_initializer")) o.beta_initializer = Initializer::from_config(config["beta_initializer"]);
  if (config.contains("gamma_initializer")) o.gamma_initializer = Initializer::from_config(config["gamma_initializer"]);
  if (config.contains("beta_regularizer")) o.beta_regularizer = Regularizer::from_config(config["beta_regularizer"]);
  if (config.contains("gamma_regularizer")) o.gamma_regularizer = Regularizer::from_config(config["gamma_regularizer"]);
  if (config.contains("beta_constraint")) o.beta_constraint = Constraint::from_config(config["beta_constraint"]);
  if (config.contains("gamma_constraint")) o.gamma_constraint = Constraint::from_config(config["gamma_constraint"]);
  return std::make_shared<GroupNormalization>(o);
}

KERAS_REGISTER_LAYER(GroupNormalization);

}  // namespace keras::layers
