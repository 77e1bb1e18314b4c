#include <keras/keras.h>

#include <doctest/doctest.h>

#include <limits>
#include <vector>

using namespace keras;

TEST_SUITE("core") {

TEST_CASE("zeros, ones and full make tensors of the given shape and dtype") {
  const Tensor z = ops::zeros({2, 3});
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.dtype() == DType::float32);
  CHECK(z.to_vector<float>() == std::vector<float>(6, 0.f));
  CHECK(ops::ones({4}, DType::int64).to_vector<int64_t>() == std::vector<int64_t>(4, 1));
  CHECK(ops::full({2, 2}, 2.5, DType::float64).to_vector<double>() == std::vector<double>(4, 2.5));
  CHECK(ops::full({3}, 2.7, DType::int32).to_vector<int32_t>() == std::vector<int32_t>(3, 2));  // as NumPy casts
  CHECK(ops::full({}, 1.0, DType::bool_).item<bool>());
  CHECK(ops::zeros({0, 5}).size() == 0);
  CHECK(ops::ones({2}, DType::bfloat16).to_vector<float>() == std::vector<float>{1.f, 1.f});
  CHECK_THROWS_AS(ops::zeros({2}, DType::float32, Device("cuda:0")), RuntimeError);
}

TEST_CASE("zeros_like, ones_like and full_like keep shape and dtype unless told otherwise") {
  const Tensor x = Tensor({1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor z = ops::zeros_like(x);
  CHECK(z.shape() == Shape{3, 2});
  CHECK(z.dtype() == DType::int32);
  CHECK(z.to_vector<int32_t>() == std::vector<int32_t>(6, 0));
  CHECK(ops::ones_like(x, DType::float16).dtype() == DType::float16);
  CHECK(ops::ones_like(x).to_vector<int32_t>() == std::vector<int32_t>(6, 1));
  CHECK(ops::full_like(x, 7.0, DType::float64).to_vector<double>() == std::vector<double>(6, 7.0));
}

TEST_CASE("arange counts up or down by step, as numpy.arange") {
  CHECK(ops::arange(5.0).to_vector<float>() == std::vector<float>{0, 1, 2, 3, 4});
  CHECK(ops::arange(0, 1, 0.25).to_vector<float>() == std::vector<float>{0, 0.25f, 0.5f, 0.75f});
  CHECK(ops::arange(5, 0, -1).to_vector<float>() == std::vector<float>{5, 4, 3, 2, 1});
  CHECK(ops::arange(-1, -10, -4).to_vector<float>() == std::vector<float>{-1, -5, -9});
  const Tensor ints = ops::arange(0, 10, 3, DType::int32);
  CHECK(ints.dtype() == DType::int32);
  CHECK(ints.to_vector<int32_t>() == std::vector<int32_t>{0, 3, 6, 9});
  CHECK(ops::arange(4.0, DType::int64).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 3});
  CHECK(ops::arange(0, 1, 0.1).size() == 10);
  CHECK(ops::arange(3, 3).size() == 0);
  CHECK(ops::arange(3, 0, 1).size() == 0);
  CHECK_THROWS_WITH_AS(ops::arange(0, 1, 0), doctest::Contains("step must not be zero"), ValueError);
  CHECK_THROWS_WITH_AS(ops::arange(0, 1e15, 1e-3), doctest::Contains("too many elements"), ValueError);
}

TEST_CASE("linspace spaces num values evenly, with or without the endpoint") {
  CHECK(ops::linspace(0, 1, 5).to_vector<float>() == std::vector<float>{0, 0.25f, 0.5f, 0.75f, 1});
  CHECK(ops::linspace(0, 1, 5, false).to_vector<float>() == std::vector<float>{0, 0.2f, 0.4f, 0.6f, 0.8f});
  CHECK(ops::linspace(2, -2, 3, true, DType::float64).to_vector<double>() == std::vector<double>{2, 0, -2});
  CHECK(ops::linspace(3, 7, 1).to_vector<float>() == std::vector<float>{3});
  CHECK(ops::linspace(0, 1, 0).size() == 0);
  CHECK(ops::linspace(0, 1).size() == 50);
  CHECK(ops::linspace(0.1, 0.7, 7).to_vector<float>().back() == 0.7f);  // the endpoint is exact
  CHECK_THROWS_WITH_AS(ops::linspace(0, 1, -1), doctest::Contains("num must be non-negative"), ValueError);
}

TEST_CASE("eye puts ones on diagonal k of an N x M matrix") {
  CHECK(ops::eye(3).to_vector<float>() == std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1});
  const Tensor wide = ops::eye(2, 3, 1);
  CHECK(wide.shape() == Shape{2, 3});
  CHECK(wide.to_vector<float>() == std::vector<float>{0, 1, 0, 0, 0, 1});
  CHECK(ops::eye(3, std::nullopt, -1).to_vector<float>() == std::vector<float>{0, 0, 0, 1, 0, 0, 0, 1, 0});
  CHECK(ops::eye(3, 2).to_vector<float>() == std::vector<float>{1, 0, 0, 1, 0, 0});
  CHECK(ops::eye(2, 4, 5).to_vector<float>() == std::vector<float>(8, 0));
  CHECK(ops::eye(2, std::nullopt, 0, DType::int32).to_vector<int32_t>() == std::vector<int32_t>{1, 0, 0, 1});
  CHECK(ops::eye(0).shape() == Shape{0, 0});
  CHECK(ops::eye(2, 2, std::numeric_limits<int64_t>::max()).to_vector<float>() == std::vector<float>(4, 0));
  CHECK_THROWS_WITH_AS(ops::eye(-1), doctest::Contains("non-negative"), ValueError);
}

}  // TEST_SUITE
