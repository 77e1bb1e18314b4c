#pragma once
// run_layer_test: the checks every layer goes through (after Keras's testing.run_layer_test):
// output shape, weight counts, compute_output_shape and symbolic calls, config round trip with
// identical outputs, saving through every file format (.keras, .weights.h5, legacy .h5) with
// identical outputs, and gradients by finite differences in float64 (inputs and weights).
#include <keras/keras.h>
#include <keras/layers/dtype_policy.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/files.h"
#include "support/gradient_check.h"

#include <functional>

namespace keras::testing {

/// A config's keys in order (Keras's get_config() key order is part of the format).
inline std::vector<std::string> keys_of(const Config& c) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  return keys;
}

struct LayerTestOptions {
  std::vector<Shape> input_shapes = {};  // concrete shapes, batch first; several for merge layers
  std::optional<Shape> expected_output_shape = {};
  int64_t expected_num_trainable_weights = 0;
  int64_t expected_num_non_trainable_weights = 0;
  bool check_gradients = true;       // the layer is differentiable in its inputs and weights
  bool differentiable_inputs = true;  // false for integer inputs (Embedding)
  DType input_dtype = DType::float32;
  double input_low = -1.0, input_high = 1.0;
  GradientCheckOptions gradient_options = {};
};

inline Tensors make_inputs(const LayerTestOptions& o, DType dtype, uint64_t seed) {
  Tensors xs;
  for (size_t i = 0; i < o.input_shapes.size(); ++i) {
    Tensor x = random::uniform(o.input_shapes[i], {.minval = o.input_low, .maxval = o.input_high,
                                                   .dtype = DType::float64, .seed = seed + i});
    xs.push_back(is_floating(dtype) ? x.astype(dtype) : ops::floor(x).astype(dtype));
  }
  return xs;
}

inline Tensors call_layer(Layer& layer, const Tensors& xs, bool list_input) {
  return list_input ? layer(xs, false) : Tensors{layer(xs[0], false)};
}

/// `make` builds a fresh, unbuilt layer with the options under test.
inline void run_layer_test(const std::function<AnyLayer()>& make, const LayerTestOptions& o) {
  REQUIRE(!o.input_shapes.empty());
  const bool list_input = o.input_shapes.size() > 1;
  AnyLayer layer = make();
  const Tensors xs = make_inputs(o, o.input_dtype, 11);
  const Tensors ys = call_layer(*layer, xs, list_input);
  INFO("layer " << layer->class_name());

  // Shapes and weights.
  if (o.expected_output_shape) CHECK(ys[0].shape() == *o.expected_output_shape);
  CHECK(static_cast<int64_t>(layer->trainable_weights().size()) == o.expected_num_trainable_weights);
  CHECK(static_cast<int64_t>(layer->non_trainable_weights().size()) == o.expected_num_non_trainable_weights);
  std::vector<Shape> none_batch;
  for (const Shape& s : o.input_shapes) {
    std::vector<int64_t> d = s.dims();
    d[0] = None;
    none_batch.push_back(Shape(d));
  }
  std::vector<Shape> predicted = list_input ? layer->compute_output_shape(none_batch)
                                            : std::vector<Shape>{layer->compute_output_shape(none_batch[0])};
  REQUIRE(predicted.size() == ys.size());
  for (size_t i = 0; i < ys.size(); ++i) {
    REQUIRE(predicted[i].rank() == ys[i].rank());
    for (int64_t d = 1; d < ys[i].rank(); ++d) {
      if (predicted[i][d] != None) CHECK(predicted[i][d] == ys[i].shape()[d]);
    }
  }

  // Symbolic call through a Functional model gives the same numbers.
  {
    std::vector<KerasTensor> ins;
    for (size_t i = 0; i < o.input_shapes.size(); ++i) {
      std::vector<int64_t> d(o.input_shapes[i].dims().begin() + 1, o.input_shapes[i].dims().end());
      ins.push_back(Input(Shape(d), {.dtype = o.input_dtype}));
    }
    std::vector<KerasTensor> outs = layer->call_symbolic(ins, list_input);
    Model model(ins, outs);
    const Tensors again = model(xs, false);
    for (size_t i = 0; i < ys.size(); ++i) check_allclose(again[i], ys[i], 1e-6, 1e-6);

    // The one-layer model saved in every format loads back with identical outputs.
    TempDir dir;
    model.save(dir / "m.keras");
    model.save(dir / "m.h5");
    model.save_weights(dir / "m.weights.h5");
    auto check_same = [&](Model& loaded, const char* how) {
      INFO("saved and loaded through " << how);
      const Tensors back = loaded(xs, false);
      REQUIRE(back.size() == again.size());
      for (size_t i = 0; i < back.size(); ++i) check_allclose(back[i], again[i], 0, 0);
    };
    check_same(*load_model(dir / "m.keras"), ".keras");
    check_same(*load_model(dir / "m.h5"), "legacy .h5");
    std::shared_ptr<Model> fresh = models::model_from_json(model.to_json());
    fresh->load_weights(dir / "m.weights.h5");
    check_same(*fresh, "to_json + .weights.h5");
  }

  // Config round trip: same config, same outputs with the same weights.
  {
    const Config serialized = serialize_layer(*layer);
    std::shared_ptr<Layer> copy = deserialize_layer(serialized);
    CHECK(serialize_layer(*copy)["config"].dump() == serialized["config"].dump());
    CHECK(copy->class_name() == layer->class_name());
    if (!copy->built()) call_layer(*copy, xs, list_input);
    copy->set_weights(layer->get_weights());
    const Tensors zs = call_layer(*copy, xs, list_input);
    for (size_t i = 0; i < ys.size(); ++i) check_allclose(zs[i], ys[i], 1e-6, 1e-6);
  }

  // Gradients in float64 with respect to the inputs and every trainable weight.
  if (o.check_gradients) {
    Config serialized = serialize_layer(*layer);
    serialized["config"]["dtype"] = DTypePolicy("float64").to_config();
    serialized.erase("build_config");
    std::shared_ptr<Layer> l64 = deserialize_layer(serialized);
    const Tensors xs64 = make_inputs(o, o.differentiable_inputs ? DType::float64 : o.input_dtype, 23);
    call_layer(*l64, xs64, list_input);  // builds
    std::vector<Variable> weights = l64->trainable_weights();
    Tensors args;
    if (o.differentiable_inputs) args = xs64;
    for (const Variable& w : weights) args.push_back(w.value());
    const size_t n_in = o.differentiable_inputs ? xs64.size() : 0;
    check_gradients(
        [&](const Tensors& a) {
          for (size_t i = 0; i < weights.size(); ++i) weights[i].assign(a[n_in + i]);
          Tensors in = o.differentiable_inputs ? Tensors(a.begin(), a.begin() + static_cast<int64_t>(n_in)) : xs64;
          Tensors out = call_layer(*l64, in, list_input);
          Tensor total = ops::sum(out[0]);
          for (size_t i = 1; i < out.size(); ++i) total = total + ops::sum(out[i]);
          return out.size() == 1 ? out[0] : total;
        },
        args, o.gradient_options);
  }
}

}  // namespace keras::testing
