#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/layer_test.h"

using namespace keras;
using keras::testing::check_allclose;

namespace {
// A (4, 2) table whose row i is (10 i, 10 i + 1).
Tensor table() { return Tensor({0.f, 1.f, 10.f, 11.f, 20.f, 21.f, 30.f, 31.f}, {4, 2}); }
}  // namespace

TEST_SUITE("layers") {

TEST_CASE("Embedding maps int32 (2, 5) indices to (2, 5, 4), with gradients to the embeddings") {
  keras::testing::run_layer_test([] { return layers::Embedding(10, 4); },
                                 {.input_shapes = {{2, 5}}, .expected_output_shape = Shape{2, 5, 4},
                                  .expected_num_trainable_weights = 1, .differentiable_inputs = false,
                                  .input_dtype = DType::int32, .input_low = 0, .input_high = 10});
}

TEST_CASE("Embedding looks up rows for int32, int64 and float indices") {
  layers::Embedding embedding(4, 2, {.weights = table()});
  CHECK(embedding.built());
  CHECK(embedding.embeddings().shape() == Shape{4, 2});
  const Tensor expected({30.f, 31.f, 0.f, 1.f, 10.f, 11.f}, {1, 3, 2});
  check_allclose(embedding(Tensor::from_vector(std::vector<int32_t>{3, 0, 1}, {1, 3})), expected);
  check_allclose(embedding(Tensor::from_vector(std::vector<int64_t>{3, 0, 1}, {1, 3})), expected);
  check_allclose(embedding(Tensor({3.f, 0.f, 1.f}, {1, 3})), expected);  // cast to int32, as Keras
  CHECK(embedding(Tensor::from_vector(std::vector<int32_t>{2}, {1})).shape() == Shape{1, 2});
  CHECK(embedding.compute_output_shape(Shape{None, 7}) == Shape{None, 7, 2});
}

TEST_CASE("Embedding's gradient counts how often each row was looked up") {
  layers::Embedding embedding(4, 2, {.weights = table()});
  const Tensor indices = Tensor::from_vector(std::vector<int32_t>{1, 3, 1, 1}, {2, 2});
  GradientTape tape;
  const Tensor y = embedding(indices);
  const Tensor g = tape.gradient(ops::sum(y), embedding.embeddings());
  check_allclose(g, Tensor({0.f, 0.f, 3.f, 3.f, 0.f, 0.f, 1.f, 1.f}, {4, 2}));
}

TEST_CASE("Embedding rejects indices outside [0, input_dim)") {
  layers::Embedding embedding(4, 2, {.name = "emb"});
  CHECK_THROWS_WITH_AS(embedding(Tensor::from_vector(std::vector<int32_t>{0, 4}, {1, 2})),
                       doctest::Contains("Embedding \"emb\": input index 4 (at flat position 1"), ValueError);
  CHECK_THROWS_WITH_AS(embedding(Tensor::from_vector(std::vector<int64_t>{-1}, {1, 1})),
                       doctest::Contains("out of range [0, 4)"), ValueError);
}

TEST_CASE("Embedding with mask_zero masks the padding index 0") {
  layers::Embedding embedding(5, 3, {.mask_zero = true});
  const Tensor x = Tensor::from_vector(std::vector<int32_t>{2, 0, 4, 0}, {2, 2});
  const Tensor mask = embedding.compute_mask(x);
  CHECK(mask.dtype() == DType::bool_);
  CHECK(mask.to_vector<bool>() == std::vector<bool>{true, false, true, false});
  CHECK_FALSE(layers::Embedding(5, 3).compute_mask(x).defined());
}

TEST_CASE("Embedding validates its dimensions and its weights' shape") {
  CHECK_THROWS_WITH_AS(layers::Embedding(0, 4), doctest::Contains("Both `input_dim` and `output_dim` should be positive"),
                       ValueError);
  CHECK_THROWS_AS(layers::Embedding(4, -1), ValueError);
  CHECK_THROWS_AS(layers::Embedding(3, 2, {.weights = table()}), ValueError);
}

TEST_CASE("Embedding regularizers add their penalties to losses") {
  layers::Embedding embedding(4, 2, {.embeddings_regularizer = regularizers::L1({.l1 = 1.0}), .weights = table(),
                                     .activity_regularizer = regularizers::L2({.l2 = 1.0})});
  embedding(Tensor::from_vector(std::vector<int32_t>{1}, {1}));
  double total = 0;
  for (const Tensor& l : embedding.losses()) total += l.item<double>();
  CHECK(total == doctest::Approx(124.0 + 100.0 + 121.0));  // sum |table| + 10^2 + 11^2
}

TEST_CASE("Embedding config has Keras's keys and round-trips") {
  layers::Embedding embedding(7, 3, {.mask_zero = true});
  const Config c = embedding.get_config();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "trainable", "dtype", "input_dim", "output_dim",
                                         "embeddings_initializer", "embeddings_regularizer", "activity_regularizer",
                                         "embeddings_constraint", "mask_zero", "quantization_config"});
  CHECK(c["embeddings_initializer"]["class_name"] == "RandomUniform");
  CHECK(c["mask_zero"] == true);
  auto copy = std::dynamic_pointer_cast<layers::Embedding>(deserialize_layer(serialize_layer(embedding)));
  REQUIRE(copy);
  CHECK(copy->get_config().dump() == c.dump());
  Config lora = serialize_layer(embedding);
  lora["config"]["lora_rank"] = 4;
  CHECK_THROWS_AS(deserialize_layer(lora), NotImplementedError);
}

}  // TEST_SUITE
