#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/gradient_check.h"

#include <cmath>
#include <set>

using namespace keras;
using keras::testing::check_allclose;

namespace {
Tensor vec(std::vector<double> values) {
  const auto n = static_cast<int64_t>(values.size());
  return Tensor::from_vector(values, {n});
}
}  // namespace

TEST_SUITE("layers") {

TEST_CASE("Every built-in activation name resolves and keeps its input's shape") {
  const std::vector<std::string> names = activations::names();
  const std::set<std::string> have(names.begin(), names.end());
  // Keras 3's keras.activations available here (the rest are reported as missing, not faked).
  for (const char* name : {"linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "softmax", "log_softmax",
                           "softplus", "softsign", "silu", "swish", "hard_sigmoid", "hard_silu", "hard_swish", "sigmoid",
                           "tanh", "exponential", "mish"}) {
    INFO(name);
    CHECK(have.count(name) == 1);
  }
  const Tensor x = Tensor::from_vector(std::vector<double>{-2, -0.5, 0, 0.5, 2, 3}, {2, 3});
  for (const std::string& name : names) {
    INFO(name);
    const Tensor y = Activation(name)(x);
    CHECK(y.shape() == x.shape());
    CHECK(y.dtype() == DType::float64);
  }
}

TEST_CASE("Activations compute Keras's functions") {
  const Tensor x = vec({-1, 0, 1});
  const double e = std::exp(1.0);
  auto check = [&](const char* name, std::vector<double> expected) {
    INFO(name);
    check_allclose(Activation(name)(x), vec(expected), 1e-7, 1e-9);
  };
  check("linear", {-1, 0, 1});
  check("relu", {0, 0, 1});
  check("relu6", {0, 0, 1});
  check("leaky_relu", {-0.2, 0, 1});  // negative_slope 0.2
  check("elu", {1 / e - 1, 0, 1});
  check("selu", {1.0507009873554805 * 1.6732632423543772 * (1 / e - 1), 0, 1.0507009873554805});
  check("gelu", {-0.15865525393145707, 0, 0.8413447460685429});  // exact (erf) form
  check("sigmoid", {1 / (1 + e), 0.5, e / (1 + e)});
  check("tanh", {-std::tanh(1.0), 0, std::tanh(1.0)});
  check("softplus", {std::log1p(1 / e), std::log(2.0), std::log1p(e)});
  check("softsign", {-0.5, 0, 0.5});
  check("silu", {-1 / (1 + e), 0, e / (1 + e)});
  check("swish", {-1 / (1 + e), 0, e / (1 + e)});
  check("hard_sigmoid", {2.0 / 6, 0.5, 4.0 / 6});  // relu6(x + 3) / 6
  check("hard_silu", {-2.0 / 6, 0, 4.0 / 6});
  check("exponential", {1 / e, 1, e});
  check("mish", {-std::tanh(std::log1p(1 / e)), 0, std::tanh(std::log1p(e))});
  check_allclose(Activation("relu6")(vec({7, -3})), vec({6, 0}));
  check_allclose(Activation("hard_sigmoid")(vec({-4, 4})), vec({0, 1}));
  // softmax and log_softmax act on the last axis.
  const Tensor rows = Tensor::from_vector(std::vector<double>{1, 2, 3, 1, 1, 1}, {2, 3});
  check_allclose(Activation("softmax")(rows),
                 Tensor::from_vector(std::vector<double>{0.09003057317038046, 0.24472847105479764, 0.6652409557748219,
                                                         1.0 / 3, 1.0 / 3, 1.0 / 3},
                                     {2, 3}),
                 1e-9, 1e-12);
  const double lse = 3 + std::log(1 + 1 / e + 1 / (e * e));
  check_allclose(Activation("log_softmax")(rows),
                 Tensor::from_vector(std::vector<double>{1 - lse, 2 - lse, 3 - lse, -std::log(3.0), -std::log(3.0),
                                                         -std::log(3.0)},
                                     {2, 3}),
                 1e-9, 1e-12);
}

TEST_CASE("Activations serialise to their Keras names") {
  CHECK(Activation("relu").to_config() == "relu");
  CHECK(Activation().to_config() == "linear");
  CHECK(Activation("linear").is_linear());
  // Keras resolves the aliases to one function and writes its name.
  CHECK(Activation("swish").to_config() == "silu");
  CHECK(Activation("hard_swish").to_config() == "hard_silu");
  for (const std::string& name : activations::names()) {
    INFO(name);
    CHECK(Activation::from_config(Activation(name).to_config()).name() == Activation(name).name());
  }
  // None means linear; Keras 3 may also write the function as an object dict.
  CHECK(Activation::from_config(Config(nullptr)).name() == "linear");
  CHECK(Activation(std::string("None")).name() == "linear");
  CHECK(Activation::from_config(Config::parse(
                                    R"({"module": "keras.activations", "class_name": "function", "config": "tanh", "registered_name": "function"})"))
            .name() == "tanh");
  CHECK_THROWS_WITH_AS(Activation::from_config(Config(3)), doctest::Contains("expected a name"), ValueError);
}

TEST_CASE("An unknown activation name is an error listing the known ones") {
  CHECK_THROWS_WITH_AS(Activation("relu7"), doctest::Contains("Unknown activation function: 'relu7'"), ValueError);
  CHECK_THROWS_WITH_AS(Activation("relu7"), doctest::Contains("softmax"), ValueError);
}

TEST_CASE("Custom activations work by callable and serialise once registered") {
  const Activation unnamed([](const Tensor& x) { return x * 2.0; });
  check_allclose(unnamed(vec({1, 2})), vec({2, 4}));
  CHECK(unnamed.name().empty());
  CHECK_THROWS_WITH_AS(unnamed.to_config(), doctest::Contains("register_activation"), ValueError);
  CHECK_THROWS_WITH_AS(activations::register_activation("", [](const Tensor& x) { return x; }),
                       doctest::Contains("needs a name"), ValueError);

  activations::register_activation("times_three", [](const Tensor& x) { return x * 3.0; });
  const Activation named("times_three");
  check_allclose(named(vec({1, -1})), vec({3, -3}));
  CHECK(named.to_config() == "times_three");
  const auto names = activations::names();
  CHECK(std::find(names.begin(), names.end(), "times_three") != names.end());

  // A layer using it saves and loads by name.
  layers::Dense dense(2, {.activation = "times_three", .kernel_initializer = "ones"});
  dense(ops::ones({1, 2}));
  CHECK(dense.get_config()["activation"] == "times_three");
  auto copy = deserialize_layer(serialize_layer(dense));
  copy->set_weights(dense.get_weights());
  check_allclose((*copy)(ops::ones({1, 2})), ops::full({1, 2}, 6.0));
}

}  // TEST_SUITE
