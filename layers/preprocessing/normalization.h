#pragma once
#include <keras/layers/axis_argument.h>
#include <keras/layers/layer.h>

namespace keras::layers {

struct NormalizationOptions {
  AxisArgument axis = -1;  // the axes with their own mean and variance; std::nullopt: one for all
  Tensor mean = {};        // with `variance`: fixed statistics (broadcast to the kept axes) instead of adapt()
  Tensor variance = {};
  bool invert = false;     // map normalized values back: mean + x * sqrt(variance)
  std::string name = {};   // empty: "normalization", "normalization_1", ...
  bool trainable = true;
  std::string dtype = {};  // empty: the global dtype policy (keras::config::dtype_policy())
};

/// keras.layers.Normalization: (x - mean) / max(sqrt(variance), epsilon), with the mean and
/// variance learned by adapt(data) (kept as the non-trainable weights "mean", "variance" and
/// "count", as Keras 3 does) or given in the options. Output shape = input shape.
class Normalization final : public Layer {
 public:
  explicit Normalization(NormalizationOptions options = {});
  using Layer::build;
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  Shape compute_output_shape(const Shape& input_shape) override;
  Config get_config() const override;
  static std::shared_ptr<Layer> from_config(const Config& config);
  std::shared_ptr<Layer> clone() const override { return std::make_shared<Normalization>(*this); }

  /// Sets the mean and (population) variance of `data` (batch first) over every axis not kept,
  /// building the layer for data.shape() if it is not built yet.
  void adapt(const Tensor& data);

  const AxisArgument& axis() const { return options_.axis; }
  bool invert() const { return options_.invert; }
  /// The adapted statistics (no value when mean and variance were given in the options).
  const Variable& adapt_mean() const { return adapt_mean_; }
  const Variable& adapt_variance() const { return adapt_variance_; }

 private:
  struct Geometry {
    std::vector<int64_t> keep_axis;    // sorted, non-negative
    std::vector<int64_t> reduce_axis;  // the others
    Shape broadcast_shape;             // kept axes' sizes, 1 elsewhere
    Shape mean_and_var_shape;          // kept axes' sizes
  };
  /// Validates the axes against an input shape (Keras's messages) and derives the rest.
  Geometry geometry(const Shape& input_shape) const;
  /// A given statistic, aligned right to left with the kept axes and broadcast over them.
  Tensor broadcast_given(const Tensor& value, const Geometry& g) const;

  NormalizationOptions options_;
  Variable adapt_mean_ = declare_weight("mean");
  Variable adapt_variance_ = declare_weight("variance");
  Variable count_ = declare_weight("count");  // kept for Keras's weight layout; adapt() leaves it 0, as Keras
};

}  // namespace keras::layers
