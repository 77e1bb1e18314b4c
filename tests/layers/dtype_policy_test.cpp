#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/files.h"
#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;

namespace {

// Restores the global policy when a test ends, so that other tests see float32.
struct GlobalPolicy {
  explicit GlobalPolicy(const std::string& name) { config::set_dtype_policy(name); }
  ~GlobalPolicy() { config::set_dtype_policy("float32"); }
  GlobalPolicy(const GlobalPolicy&) = delete;
  GlobalPolicy& operator=(const GlobalPolicy&) = delete;
};

// bfloat16 keeps 8 significant bits: results agree with float32 to about 1%.
constexpr double kBf16Tol = 2e-2;

// Copies `from`'s weights into `to` (same architecture), so the two compute the same function.
void copy_weights(const Layer& from, Layer& to) { to.set_weights(from.get_weights()); }

}  // namespace

TEST_SUITE("layers") {

TEST_CASE("mixed policies compute in the half type and keep float32 variables") {
  const DTypePolicy bf16("mixed_bfloat16");
  CHECK(bf16.compute_dtype() == DType::bfloat16);
  CHECK(bf16.variable_dtype() == DType::float32);
  const DTypePolicy f16("mixed_float16");
  CHECK(f16.compute_dtype() == DType::float16);
  CHECK(f16.variable_dtype() == DType::float32);
  const Config c = bf16.to_config();
  CHECK(c["class_name"] == "DTypePolicy");
  CHECK(c["config"]["name"] == "mixed_bfloat16");
  CHECK(DTypePolicy::from_config(c).name() == "mixed_bfloat16");
  CHECK_THROWS_WITH_AS(DTypePolicy("mixed_int8"), doctest::Contains("Cannot convert 'mixed_int8'"), ValueError);
}

TEST_CASE("the global dtype policy applies to layers created without a dtype") {
  CHECK(config::dtype_policy().name() == "float32");
  {
    GlobalPolicy policy("mixed_bfloat16");
    CHECK(config::dtype_policy().name() == "mixed_bfloat16");
    layers::Dense dense(3);
    CHECK(dense.dtype_policy() == "mixed_bfloat16");
    layers::Dense explicit_f32(3, {.dtype = "float32"});
    CHECK(explicit_f32.dtype_policy() == "float32");
    Sequential model({Input({2}), dense});
    CHECK(model.dtype_policy() == "mixed_bfloat16");
  }
  CHECK(layers::Dense(3).dtype_policy() == "float32");
  CHECK_THROWS_AS(config::set_dtype_policy("int32"), ValueError);
}

TEST_CASE("a mixed_bfloat16 Dense gives bfloat16 outputs close to float32 and float32 gradients") {
  layers::Dense f32(5, {.activation = "relu"});
  layers::Dense mixed(5, {.activation = "relu", .dtype = "mixed_bfloat16"});
  const Tensor x = random::normal({4, 7}, {.seed = 1});
  const Tensor ref = f32(x);
  mixed(x);
  copy_weights(f32, mixed);
  const Tensor y = mixed(x);
  CHECK(y.dtype() == DType::bfloat16);
  check_allclose(y.astype(DType::float32), ref, kBf16Tol, kBf16Tol);
  for (const Variable& v : mixed.weights()) CHECK(v.dtype() == DType::float32);

  std::vector<Variable> vars = mixed.trainable_weights();
  GradientTape tape;
  const Tensor loss = ops::sum(ops::square(ops::cast(mixed(x), DType::float32)));
  const Tensors grads = tape.gradient(loss, vars);
  GradientTape tape32;
  const Tensor loss32 = ops::sum(ops::square(f32(x)));
  const Tensors grads32 = tape32.gradient(loss32, f32.trainable_weights());
  REQUIRE(grads.size() == 2);
  for (size_t i = 0; i < grads.size(); ++i) {
    CHECK(grads[i].dtype() == DType::float32);
    check_allclose(grads[i], grads32[i], 5e-2, 5e-2);
  }
  // Outside the layer's call the variables read as float32 again.
  CHECK(mixed.trainable_weights()[0].value().dtype() == DType::float32);
}

TEST_CASE("a mixed_bfloat16 Conv2D gives bfloat16 outputs close to float32 and float32 gradients") {
  layers::Conv2D f32(4, {3, 3}, {.padding = "same", .activation = "relu"});
  layers::Conv2D mixed(4, {3, 3}, {.padding = "same", .activation = "relu", .dtype = "mixed_bfloat16"});
  const Tensor x = random::normal({2, 6, 6, 3}, {.seed = 2});
  const Tensor ref = f32(x);
  mixed(x);
  copy_weights(f32, mixed);
  const Tensor y = mixed(x);
  CHECK(y.dtype() == DType::bfloat16);
  check_allclose(y.astype(DType::float32), ref, kBf16Tol, kBf16Tol);

  // The input's gradient too, so the bf16 backward-data convolution runs.
  GradientTape tape({.persistent = true});
  tape.watch(x);
  const Tensor loss = ops::sum(ops::square(ops::cast(mixed(x), DType::float32)));
  Tensors grads = tape.gradient(loss, mixed.trainable_weights());
  grads.push_back(tape.gradient(loss, x));
  GradientTape tape32({.persistent = true});
  tape32.watch(x);
  const Tensor loss32 = ops::sum(ops::square(f32(x)));
  Tensors grads32 = tape32.gradient(loss32, f32.trainable_weights());
  grads32.push_back(tape32.gradient(loss32, x));
  REQUIRE(grads.size() == 3);
  for (size_t i = 0; i < grads.size(); ++i) {
    CHECK(grads[i].dtype() == DType::float32);  // the input's: cast back from bfloat16 to x's dtype
    // Relative to the largest gradient: bfloat16 rounding of the inputs and of dy adds up over a sum.
    double scale = 0;
    for (double g : grads32[i].to_vector<double>()) scale = std::max(scale, std::abs(g));
    check_allclose(grads[i], grads32[i], 5e-2, 5e-2 * scale);
  }
}

TEST_CASE("BatchNormalization under mixed_bfloat16 keeps its statistics and scale in float32") {
  layers::BatchNormalization bn({.dtype = "mixed_bfloat16"});
  const Tensor x = random::normal({8, 3}, {.mean = 2.0, .seed = 3});
  const Tensor y = bn(x, true);
  CHECK(y.dtype() == DType::bfloat16);
  for (const Variable& v : bn.weights()) {
    CHECK(v.dtype() == DType::float32);
    CHECK_FALSE(v.autocast());
  }
  // moving_mean = 0.99 * 0 + 0.01 * batch mean, accumulated in float32.
  const auto mean = ops::mean(x, {0}).to_vector<float>();
  const auto moving = bn.non_trainable_weights()[0].value().to_vector<float>();
  for (size_t i = 0; i < mean.size(); ++i) CHECK(moving[i] == doctest::Approx(0.01 * mean[i]).epsilon(1e-2));
}

TEST_CASE("an AutocastScope casts autocast variables only") {
  Variable a(Tensor({1.5f, 2.f}), {.name = "a"});
  Variable b(Tensor({1.5f}), {.name = "b", .autocast = false});
  Variable i(Tensor({int32_t{3}}), {.name = "i"});
  {
    AutocastScope scope(DType::bfloat16);
    CHECK(a.value().dtype() == DType::bfloat16);
    CHECK(b.value().dtype() == DType::float32);
    CHECK(i.value().dtype() == DType::int32);
    {
      AutocastScope off(std::nullopt);
      CHECK(a.value().dtype() == DType::float32);
    }
    CHECK(a.value().dtype() == DType::bfloat16);
    CHECK(a.dtype() == DType::float32);
  }
  CHECK(a.value().dtype() == DType::float32);
  CHECK_THROWS_AS(AutocastScope{DType::int32}, ValueError);
}

TEST_CASE("a mixed_bfloat16 model trains: the loss falls and the variables stay float32") {
  utils::set_random_seed(5);
  Sequential model({Input({8}), layers::Dense(16, {.activation = "relu", .dtype = "mixed_bfloat16"}),
                    layers::Dense(1, {.dtype = "mixed_bfloat16"})});
  const Tensor x = random::normal({64, 8}, {.seed = 4});
  const Tensor y = ops::sum(x, {1}, true) * 0.5f;
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.05}), .loss = "mse"});
  CHECK(model.optimizer().class_name() == "SGD");  // loss scaling is for float16 only
  const History h = model.fit(x, y, {.batch_size = 16, .epochs = 8, .verbose = 0});
  CHECK(h["loss"].back() < 0.5 * h["loss"].front());
  for (const Variable& v : model.weights()) CHECK(v.dtype() == DType::float32);
  CHECK(model.predict(x, {.verbose = 0}).dtype() == DType::bfloat16);
}

TEST_CASE("a mixed_bfloat16 classifier trains with softmax, cross-entropy and accuracy in float32") {
  GlobalPolicy policy("mixed_bfloat16");
  utils::set_random_seed(9);
  Sequential model({Input({4}), layers::Dense(16, {.activation = "relu"}), layers::Dense(3, {.activation = "softmax"})});
  const Tensor x = random::normal({96, 4}, {.seed = 10});
  // The class is the argmax of the first three features: learnable by the MLP.
  const Tensor y = ops::argmax(ops::slice(x, {0, 0}, {96, 3}), -1);
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}), .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});
  const History h = model.fit(x, y, {.batch_size = 16, .epochs = 10, .verbose = 0});
  CHECK(h["loss"].back() < 0.7 * h["loss"].front());
  CHECK(h["accuracy"].back() > 0.7);
  const Logs logs = model.evaluate(x, y, {.verbose = 0});
  CHECK(logs.at("accuracy") > 0.7);
  CHECK(model.predict(x, {.verbose = 0}).dtype() == DType::bfloat16);
}

TEST_CASE("a mixed_bfloat16 model saves its policy as Keras and loads it back") {
  Sequential model({Input({3}), layers::Dense(2, {.dtype = "mixed_bfloat16"})});
  const Config c = model.layers().at(0)->get_config();
  CHECK(c["dtype"]["class_name"] == "DTypePolicy");
  CHECK(c["dtype"]["config"]["name"] == "mixed_bfloat16");
  keras::testing::TempDir dir;
  model.save(dir / "m.keras");
  std::shared_ptr<Model> back = load_model(dir / "m.keras");
  CHECK(back->layers().at(0)->dtype_policy() == "mixed_bfloat16");
  const Tensor x = random::normal({2, 3}, {.seed = 6});
  check_allclose(back->predict(x, {.verbose = 0}).astype(DType::float32),
                 model.predict(x, {.verbose = 0}).astype(DType::float32), 0, 0);
}

TEST_CASE("compile wraps the optimizer in a LossScaleOptimizer under mixed_float16, as Keras") {
  Sequential model = [] {
    GlobalPolicy policy("mixed_float16");
    utils::set_random_seed(7);
    return Sequential({Input({4}), layers::Dense(8, {.activation = "relu"}), layers::Dense(1)});
  }();
  CHECK(model.dtype_policy() == "mixed_float16");
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.05}), .loss = "mse"});
  auto* lso = dynamic_cast<optimizers::LossScaleOptimizer*>(&model.optimizer());
  REQUIRE(lso != nullptr);
  CHECK(lso->name() == "loss_scale_optimizer");
  CHECK(lso->inner_optimizer().class_name() == "SGD");
  // The compile config keeps the optimizer compile was given; loading wraps it again.
  CHECK(model.get_compile_config()["optimizer"]["class_name"] == "SGD");

  const Tensor x = random::normal({32, 4}, {.seed = 8});
  const Tensor y = ops::sum(x, {1}, true) * 0.25f;
  const History h = model.fit(x, y, {.batch_size = 8, .epochs = 6, .verbose = 0});
  CHECK(h["loss"].back() < h["loss"].front());
  CHECK(model.predict(x, {.verbose = 0}).dtype() == DType::float16);
  CHECK(lso->iterations() >= 1);
  CHECK(lso->dynamic_scale() <= 32768.0);
  for (const Variable& v : model.weights()) CHECK(v.dtype() == DType::float32);

  keras::testing::TempDir dir;
  model.save(dir / "f16.keras");
  std::shared_ptr<Model> back = load_model(dir / "f16.keras");
  CHECK(back->dtype_policy() == "mixed_float16");
  auto* back_lso = dynamic_cast<optimizers::LossScaleOptimizer*>(&back->optimizer());
  REQUIRE(back_lso != nullptr);
  CHECK(back_lso->dynamic_scale() == lso->dynamic_scale());
  CHECK(back_lso->iterations() == lso->iterations());
  CHECK(back_lso->step_counter() == lso->step_counter());

  model.compile({.optimizer = "sgd", .loss = "mse", .auto_scale_loss = false});
  CHECK(model.optimizer().class_name() == "SGD");
}

}  // TEST_SUITE
