#include <keras/layers/core/lambda_layer.h>

#include <keras/layers/registry.h>

#include <nlohmann/json.hpp>

namespace keras::layers {

namespace {
LayerOptions base_of(const LambdaOptions& o) { return {.name = o.name, .trainable = o.trainable, .dtype = o.dtype}; }
}  // namespace

Lambda::Lambda(std::function<Tensor(const Tensor&)> function, LambdaOptions options)
    : Layer("Lambda", base_of(options)), options_(std::move(options)) {
  if (!function) throw ValueError("Lambda: `function` must be a callable, but received an empty std::function");
  function_ = [f = std::move(function)](const Tensor& x, bool /*training*/) { return f(x); };
}

Lambda::Lambda(std::function<Tensor(const Tensor&, bool)> function, LambdaOptions options)
    : Layer("Lambda", base_of(options)), function_(std::move(function)), options_(std::move(options)) {
  if (!function_) throw ValueError("Lambda: `function` must be a callable, but received an empty std::function");
}

Tensor Lambda::call(const Tensor& inputs, bool training) { return function_(inputs, training); }

Shape Lambda::compute_output_shape(const Shape& input_shape) {
  if (const auto* fn = std::get_if<std::function<Shape(const Shape&)>>(&options_.output_shape)) return (*fn)(input_shape);
  if (const auto* shape = std::get_if<Shape>(&options_.output_shape)) {
    std::vector<int64_t> dims{input_shape.rank() > 0 ? input_shape[0] : None};
    dims.insert(dims.end(), shape->dims().begin(), shape->dims().end());
    return Shape(dims);
  }
  try {
    return Layer::compute_output_shape(input_shape);
  } catch (const Error& e) {
    throw NotImplementedError(
        "We could not automatically infer the shape of the Lambda's output. Please specify the `output_shape` "
        "argument for this Lambda layer. (Running the function on zeros of shape " + input_shape.str() +
        " failed: " + e.what() + ")");
  }
}

Config Lambda::get_config() const {
  throw ValueError("Cannot serialize the Lambda layer \"" + name() +
                   "\": its function is a C++ callable, which has no portable saved form (Keras saves a Python "
                   "lambda's bytecode; keras-cpp cannot). To save this model, write the computation as a custom "
                   "layer instead: subclass keras::Layer, implement call() and get_config(), and register it with "
                   "keras::register_layer(\"package>Name\", factory) or KERAS_REGISTER_LAYER.");
}

std::shared_ptr<Layer> Lambda::from_config(const Config& config) {
  const std::string name = config.contains("name") && config["name"].is_string() ? config["name"].get<std::string>() : "";
  throw ValueError("Cannot deserialize the Lambda layer \"" + name +
                   "\": its function was saved as Python code, which keras-cpp cannot run. Replace the Lambda in "
                   "the Python model with a custom layer (a keras.layers.Layer subclass registered with "
                   "keras.saving.register_keras_serializable), and register a C++ implementation of it under the "
                   "same \"package>Name\" with keras::register_layer before loading.");
}

KERAS_REGISTER_LAYER(Lambda);

}  // namespace keras::layers
