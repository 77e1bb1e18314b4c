#include <keras/keras.h>

#include <doctest/doctest.h>

#include <limits>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;
using keras::testing::random_input;

namespace {

// x's shape and values (read as double) must be these.
void expect(const Tensor& x, const Shape& shape, const std::vector<double>& values) {
  check_allclose(x, Tensor::from_vector(values, shape), 0.0, 0.0);
}

// 0, 1, 2, ... in float64, of `shape`.
Tensor iota(const Shape& shape) {
  return ops::reshape(ops::arange(static_cast<double>(shape.size()), DType::float64), shape);
}

Tensor ints(std::initializer_list<int32_t> values, Shape shape) { return Tensor(values, std::move(shape)); }

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

}  // namespace

TEST_SUITE("core") {
  TEST_CASE("reshape infers one -1 dimension and shares the buffer") {
    const Tensor x = iota({2, 3, 4});
    const Tensor y = ops::reshape(x, Shape{-1, 4});
    expect(y, {6, 4}, x.to_vector<double>());
    CHECK(y.storage() == x.storage());
    expect(ops::reshape(Tensor::scalar(5.0), Shape{1, 1}), {1, 1}, {5});
    expect(ops::reshape(Tensor({5.0}), Shape{}), {}, {5});
    CHECK(ops::reshape(ops::zeros({0, 3}), Shape{3, 0}).shape() == Shape{3, 0});
  }

  TEST_CASE("reshape rejects two -1 entries and a wrong element count") {
    const Tensor x = iota({2, 3});
    CHECK_THROWS_WITH_AS(ops::reshape(x, Shape{-1, -1}), doctest::Contains("only infer one dimension"), ValueError);
    CHECK_THROWS_WITH_AS(ops::reshape(x, Shape{4, -1}),
                         doctest::Contains("shape (2, 3) (6 elements) into shape (4, -1)"), ValueError);
    CHECK_THROWS_WITH_AS(ops::reshape(x, Shape{7}), doctest::Contains("into shape (7,)"), ValueError);
    CHECK_THROWS_WITH_AS(ops::reshape(ops::zeros({0, 3}), Shape{-1, 0}), doctest::Contains("cannot reshape"),
                         ValueError);
  }

  TEST_CASE("expand_dims, squeeze and ravel move size-1 axes and flatten") {
    const Tensor x = iota({2, 3});
    CHECK(ops::expand_dims(x, 0).shape() == Shape{1, 2, 3});
    CHECK(ops::expand_dims(x, -1).shape() == Shape{2, 3, 1});
    CHECK(ops::expand_dims(Tensor::scalar(1.0), 0).shape() == Shape{1});
    const Tensor y = iota({1, 2, 1, 3, 1});
    CHECK(ops::squeeze(y).shape() == Shape{2, 3});
    CHECK(ops::squeeze(y, std::vector<int64_t>{-1, 0}).shape() == Shape{2, 1, 3});
    CHECK(ops::squeeze(Tensor::scalar(1.0)).shape() == Shape{});
    expect(ops::ravel(x), {6}, {0, 1, 2, 3, 4, 5});
    expect(ops::ravel(Tensor::scalar(7.0)), {1}, {7});
  }

  TEST_CASE("expand_dims and squeeze reject bad axes") {
    const Tensor y = iota({1, 2});
    CHECK_THROWS_WITH_AS(ops::expand_dims(y, 3), doctest::Contains("expand_dims: axis 3 is out of bounds"), ValueError);
    CHECK_THROWS_WITH_AS(
        ops::squeeze(y, std::vector<int64_t>{1}),
        doctest::Contains("squeeze: cannot select an axis to squeeze out which has size not equal to one: "
                          "axis 1 of shape (1, 2)"),
        ValueError);
    CHECK_THROWS_WITH_AS(ops::squeeze(y, std::vector<int64_t>{2}), doctest::Contains("out of bounds"), ValueError);
  }

  TEST_CASE("flatten keeps the batch axis and joins the rest") {
    CHECK(ops::flatten(iota({2, 3, 4})).shape() == Shape{2, 12});
    CHECK(ops::flatten(iota({3})).shape() == Shape{3, 1});
    CHECK(ops::flatten(ops::zeros({0, 5, 2})).shape() == Shape{0, 10});
    CHECK(ops::flatten(ops::zeros({4, 0})).shape() == Shape{4, 0});
    CHECK_THROWS_WITH_AS(ops::flatten(Tensor::scalar(1.0)),
                         doctest::Contains("flatten: expected a tensor of shape (batch, ...)"), ValueError);
  }

  TEST_CASE("concatenate joins along any axis, negative ones included") {
    const Tensor a = iota({2, 2}), b = iota({2, 1}) + 10.0;
    expect(ops::concatenate({a, b}, 1), {2, 3}, {0, 1, 10, 2, 3, 11});
    expect(ops::concatenate({a, b}, -1), {2, 3}, {0, 1, 10, 2, 3, 11});
    expect(ops::concatenate({a, ops::reshape(b, Shape{1, 2})}), {3, 2}, {0, 1, 2, 3, 10, 11});
    expect(ops::concatenate({a, ops::zeros({2, 0}, DType::float64), b}, 1), {2, 3}, {0, 1, 10, 2, 3, 11});
    CHECK(ops::concatenate({ops::zeros({0, 2}), ops::zeros({0, 2})}).shape() == Shape{0, 2});
    expect(ops::concatenate({iota({1})}), {1}, {0});
  }

  TEST_CASE("concatenate promotes dtypes") {
    const Tensor y = ops::concatenate({ints({1, 2}, {2}), Tensor({0.5f})});
    CHECK(y.dtype() == DType::float32);
    expect(y, {3}, {1, 2, 0.5});
    const Tensor b = ops::concatenate({Tensor({true}), Tensor({false, true})});
    CHECK(b.dtype() == DType::bool_);
    expect(b, {3}, {1, 0, 1});
  }

  TEST_CASE("concatenate rejects mismatched shapes, scalars and an empty list") {
    CHECK_THROWS_WITH_AS(
        ops::concatenate({ops::zeros({2, 3}), ops::zeros({3, 3})}, 1),
        doctest::Contains("concatenate: all input shapes must match except on axis 1, but received (2, 3) "
                          "and (3, 3)"),
        ValueError);
    CHECK_THROWS_WITH_AS(ops::concatenate({ops::zeros({2, 3}), ops::zeros({3})}),
                         doctest::Contains("but received (2, 3) and (3,)"), ValueError);
    CHECK_THROWS_WITH_AS(ops::concatenate({Tensor::scalar(1.f), Tensor::scalar(2.f)}),
                         doctest::Contains("zero-dimensional"), ValueError);
    CHECK_THROWS_WITH_AS(ops::concatenate({}), doctest::Contains("non-empty list"), ValueError);
    CHECK_THROWS_WITH_AS(ops::concatenate({ops::zeros({2})}, 1),
                         doctest::Contains("concatenate: axis 1 is out of bounds"), ValueError);
  }

  TEST_CASE("concatenate and stack have the gradients of slices") {
    check_gradients(
        [](const Tensors& x) {
          return ops::concatenate({x[0], x[1], x[0]}, 1);
        },
        {random_input({2, 3}, 1), random_input({2, 2}, 2)});
    check_gradients([](const Tensors& x) { return ops::stack(x, -1); },
                    {random_input({2, 3}, 3), random_input({2, 3}, 4)});
  }

  TEST_CASE("stack adds a new axis at any position") {
    const Tensor a({1.0, 2.0}), b({3.0, 4.0});
    expect(ops::stack({a, b}), {2, 2}, {1, 2, 3, 4});
    expect(ops::stack({a, b}, 1), {2, 2}, {1, 3, 2, 4});
    expect(ops::stack({a, b}, -1), {2, 2}, {1, 3, 2, 4});
    expect(ops::stack({Tensor::scalar(1.0), Tensor::scalar(2.0)}), {2}, {1, 2});
    CHECK_THROWS_WITH_AS(ops::stack({ops::zeros({2, 3}), ops::zeros({3, 3})}),
                         doctest::Contains("stack: all input shapes must be equal, but received (2, 3) and (3, 3)"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::stack({a, b}, 2), doctest::Contains("stack: axis 2 is out of bounds"), ValueError);
    CHECK_THROWS_WITH_AS(ops::stack({}), doctest::Contains("non-empty"), ValueError);
  }

  TEST_CASE("split into equal sections") {
    const Tensors parts = ops::split(iota({2, 6}), 3, -1);
    REQUIRE(parts.size() == 3);
    expect(parts[0], {2, 2}, {0, 1, 6, 7});
    expect(parts[2], {2, 2}, {4, 5, 10, 11});
    const Tensors rows = ops::split(iota({4, 2}), 2);
    expect(rows[1], {2, 2}, {4, 5, 6, 7});
    CHECK(ops::split(ops::zeros({0, 3}), 3, 0).size() == 3);
    CHECK_THROWS_WITH_AS(
        ops::split(iota({5, 2}), 2),
        doctest::Contains("split: axis 0 of the input of shape (5, 2) has size 5, which does not divide into "
                          "2 equal sections"),
        ValueError);
    CHECK_THROWS_WITH_AS(ops::split(iota({4}), 0), doctest::Contains("must be positive"), ValueError);
    CHECK_THROWS_WITH_AS(ops::split(Tensor::scalar(1.0), 1), doctest::Contains("out of bounds"), ValueError);
  }

  TEST_CASE("split at indices follows numpy.split, with negative, out-of-range and decreasing indices") {
    const Tensor x = iota({6});
    Tensors p = ops::split(x, std::vector<int64_t>{2, -1});
    REQUIRE(p.size() == 3);
    expect(p[0], {2}, {0, 1});
    expect(p[1], {3}, {2, 3, 4});
    expect(p[2], {1}, {5});
    p = ops::split(x, std::vector<int64_t>{4, 1, 10});
    REQUIRE(p.size() == 4);
    expect(p[0], {4}, {0, 1, 2, 3});
    expect(p[1], {0}, {});
    expect(p[2], {5}, {1, 2, 3, 4, 5});
    expect(p[3], {0}, {});
    p = ops::split(x, std::vector<int64_t>{});
    REQUIRE(p.size() == 1);
    expect(p[0], {6}, {0, 1, 2, 3, 4, 5});
  }

  TEST_CASE("split has the gradient of a concatenation, with zeros for unused pieces") {
    check_gradients(
        [](const Tensors& x) {
          const Tensors p = ops::split(x[0], 3, 1);
          return ops::concatenate({p[2] * 2.0, p[0]}, 1);
        },
        {random_input({2, 6}, 5)});
    check_gradients(
        [](const Tensors& x) {
          const Tensors p = ops::split(x[0], std::vector<int64_t>{3, 1});  // overlapping pieces
          return ops::concatenate({p[0], p[2] * 3.0});
        },
        {random_input({5}, 6)});
  }

  TEST_CASE("slice takes a block at start_indices with the given shape") {
    const Tensor x = iota({3, 4});
    expect(ops::slice(x, {1, 1}, {2, 2}), {2, 2}, {5, 6, 9, 10});
    expect(ops::slice(x, {0, 3}, {3, 1}), {3, 1}, {3, 7, 11});
    expect(ops::slice(x, {3, 0}, {0, 4}), {0, 4}, {});
    expect(ops::slice(Tensor::scalar(2.0), {}, {}), {}, {2});
    // A block of whole rows is contiguous, so it shares x's buffer.
    CHECK(ops::slice(x, {1, 0}, {2, 4}).storage() == x.storage());
    expect(ops::slice(x, {1, 0}, {2, 4}), {2, 4}, {4, 5, 6, 7, 8, 9, 10, 11});
    check_gradients(
        [](const Tensors& x) {
          return ops::slice(x[0], {1, 0, 1}, {1, 2, 2});
        },
        {random_input({2, 3, 4}, 7)});
  }

  TEST_CASE("slice rejects blocks that do not fit") {
    const Tensor x = iota({3, 4});
    CHECK_THROWS_WITH_AS(
        ops::slice(x, {2, 2}, {2, 2}),
        doctest::Contains("slice: the block at start_indices (2, 2) with shape (2, 2) does not fit in the "
                          "input of shape (3, 4)"),
        ValueError);
    CHECK_THROWS_WITH_AS(ops::slice(x, {-1, 0}, {1, 1}), doctest::Contains("does not fit"), ValueError);
    CHECK_THROWS_WITH_AS(ops::slice(x, {0}, {1}), doctest::Contains("one entry per axis of the input of shape (3, 4)"),
                         ValueError);
  }

  TEST_CASE("strided_slice follows Python's slice rules") {
    const Tensor x = iota({10});
    expect(ops::strided_slice(x, {0}, {kMax}, {2}), {5}, {0, 2, 4, 6, 8});
    expect(ops::strided_slice(x, {kMax}, {kMin}, {-1}), {10}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
    expect(ops::strided_slice(x, {8}, {2}, {-2}), {3}, {8, 6, 4});
    expect(ops::strided_slice(x, {-3}, {kMax}), {3}, {7, 8, 9});
    expect(ops::strided_slice(x, {-100}, {2}), {2}, {0, 1});
    expect(ops::strided_slice(x, {100}, {kMax}), {0}, {});
    expect(ops::strided_slice(x, {5}, {2}), {0}, {});
    expect(ops::strided_slice(x, {2}, {5}, {-1}), {0}, {});
    expect(ops::strided_slice(x, {-1}, {-4}, {-1}), {3}, {9, 8, 7});
    expect(ops::strided_slice(x, {1}, {kMax}, {kMax}), {1}, {1});
    expect(ops::strided_slice(x, {5}, {kMin}, {kMin}), {1}, {5});
  }

  TEST_CASE("strided_slice takes axes not given whole") {
    const Tensor x = iota({3, 4});
    expect(ops::strided_slice(x, {kMax}, {kMin}, {-2}), {2, 4}, {8, 9, 10, 11, 0, 1, 2, 3});
    expect(ops::strided_slice(x, {0, 1}, {2, kMax}, {1, 2}), {2, 2}, {1, 3, 5, 7});
    expect(ops::strided_slice(x, {}, {}), {3, 4}, x.to_vector<double>());
    expect(ops::strided_slice(ops::zeros({0, 2}, DType::float64), {0}, {kMax}, {-1}), {0, 2}, {});
  }

  TEST_CASE("strided_slice rejects zero strides and mismatched argument lengths") {
    const Tensor x = iota({3, 4});
    CHECK_THROWS_WITH_AS(ops::strided_slice(x, {0, 0}, {1, 1}, {1, 0}),
                         doctest::Contains("strided_slice: strides must be non-zero, but received (1, 0)"), ValueError);
    CHECK_THROWS_WITH_AS(ops::strided_slice(x, {0, 0}, {1}),
                         doctest::Contains("begin, end and strides must have the same length"), ValueError);
    CHECK_THROWS_WITH_AS(ops::strided_slice(x, {0, 0, 0}, {1, 1, 1}), doctest::Contains("shape (3, 4) has axes"),
                         ValueError);
  }

  TEST_CASE("strided_slice scatters its gradient back into zeros") {
    check_gradients(
        [](const Tensors& x) {
          return ops::strided_slice(x[0], {kMax, 0}, {0, kMax}, {-2, 3});
        },
        {random_input({5, 7}, 8)});
    check_gradients([](const Tensors& x) { return ops::strided_slice(x[0], {1}, {-1}); }, {random_input({4, 2}, 9)});
  }

  TEST_CASE("take gathers from the flattened input or along an axis") {
    const Tensor x = iota({2, 3});
    expect(ops::take(x, ints({5, 0, -1}, {3})), {3}, {5, 0, 5});
    expect(ops::take(x, Tensor({int64_t{2}, int64_t{0}}), 1), {2, 2}, {2, 0, 5, 3});
    expect(ops::take(x, ints({1, 0, 1, 1}, {2, 2}), 0), {2, 2, 3}, {3, 4, 5, 0, 1, 2, 3, 4, 5, 3, 4, 5});
    expect(ops::take(x, ints({-1}, {1}), -1), {2, 1}, {2, 5});
    expect(ops::take(x, Tensor::scalar(int32_t{1}), 1), {2}, {1, 4});
    expect(ops::take(x, Tensor({uint8_t{4}})), {1}, {4});
    expect(ops::take(x, Tensor::from_vector(std::vector<int32_t>{}), 0), {0, 3}, {});
    expect(ops::take(Tensor::scalar(3.0), ints({0, 0}, {2})), {2}, {3, 3});
    const Tensor b = ops::take(Tensor({true, false}), ints({1, 1, 0}, {3}));
    CHECK(b.dtype() == DType::bool_);
    expect(b, {3}, {0, 0, 1});
  }

  TEST_CASE("take rejects out-of-range and non-integer indices") {
    const Tensor x = iota({2, 3});
    CHECK_THROWS_WITH_AS(ops::take(x, ints({3}, {1}), 1),
                         doctest::Contains("take: index 3 is out of bounds for axis 1 with size 3 (shape (2, 3))"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::take(x, ints({-7}, {1})), doctest::Contains("index -7 is out of bounds"), ValueError);
    CHECK_THROWS_WITH_AS(ops::take(x, Tensor({1.f})),
                         doctest::Contains("take: indices must be an integer tensor, but received float32"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::take(x, ints({0}, {1}), 2), doctest::Contains("take: axis 2 is out of bounds"),
                         ValueError);
  }

  TEST_CASE("take accumulates gradients of repeated indices") {
    check_gradients(
        [](const Tensors& x) {
          return ops::take(x[0], ints({2, 0, 2, -1}, {2, 2}), 1);
        },
        {random_input({3, 4}, 10)});
    check_gradients(
        [](const Tensors& x) {
          return ops::take(x[0], Tensor({int64_t{4}, int64_t{4}, int64_t{1}}));
        },
        {random_input({2, 3}, 11)});
    const Tensor x({1.0, 2.0, 3.0});
    GradientTape tape;
    tape.watch(x);
    expect(tape.gradient(ops::take(x, ints({0, 2, 0, 0}, {4})), x), {3}, {3, 0, 1});
  }

  TEST_CASE("take of float16 has a float16 gradient") {
    const Tensor x = Tensor({1.f, 2.f, 3.f}).astype(DType::float16);
    GradientTape tape;
    tape.watch(x);
    const Tensor g = tape.gradient(ops::take(x, ints({1, 1, 2}, {3})), x);
    CHECK(g.dtype() == DType::float16);
    expect(g, {3}, {0, 2, 1});
  }

  TEST_CASE("take_along_axis gathers per position as NumPy") {
    const Tensor x({10.0, 30.0, 20.0, 60.0, 40.0, 50.0}, {2, 3});
    expect(ops::take_along_axis(x, ints({0, 2, 1, -1}, {2, 2}), 1), {2, 2}, {10, 20, 40, 50});
    expect(ops::take_along_axis(x, ints({1, 0, 0}, {1, 3}), 0), {1, 3}, {60, 30, 20});
    // Axes other than `axis` broadcast: one index row for both rows of x, and one row of x for two index rows.
    expect(ops::take_along_axis(x, ints({2, 0}, {1, 2}), 1), {2, 2}, {20, 10, 50, 60});
    expect(ops::take_along_axis(ops::slice(x, {0, 0}, {1, 3}), ints({2, 1}, {2, 1}), 1), {2, 1}, {20, 30});
    expect(ops::take_along_axis(x, Tensor::from_vector(std::vector<int64_t>{}, {2, 0}), 1), {2, 0}, {});
    const Tensor y = iota({2, 3, 4});
    expect(ops::take_along_axis(y, ints({3, 0}, {1, 1, 2}), -1), {2, 3, 2},
           {3, 0, 7, 4, 11, 8, 15, 12, 19, 16, 23, 20});
  }

  TEST_CASE("take_along_axis rejects mismatched ranks, shapes and out-of-range indices") {
    const Tensor x = iota({2, 3});
    CHECK_THROWS_WITH_AS(
        ops::take_along_axis(x, ints({0}, {1}), 1),
        doctest::Contains("indices must have the same rank as x, but received x of shape (2, 3) and indices "
                          "of shape (1,)"),
        ValueError);
    CHECK_THROWS_WITH_AS(ops::take_along_axis(x, ints({0, 0, 0}, {3, 1}), 1),
                         doctest::Contains("x of shape (2, 3) and indices of shape (3, 1) do not broadcast"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::take_along_axis(x, ints({3}, {1, 1}), 1),
                         doctest::Contains("take_along_axis: index 3 is out of bounds for axis 1 with size 3"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::take_along_axis(x, Tensor({0.0}, {1, 1}), 1), doctest::Contains("integer"), ValueError);
  }

  TEST_CASE("take_along_axis has a gradient through broadcasting and repeated indices") {
    check_gradients(
        [](const Tensors& x) {
          return ops::take_along_axis(x[0], ints({0, 2, 2, 1, 0, 0}, {2, 3}), 1);
        },
        {random_input({2, 4}, 12)});
    check_gradients(
        [](const Tensors& x) {
          return ops::take_along_axis(x[0], ints({1, 1, 0}, {3, 1, 1}), 1);
        },
        {random_input({1, 2, 3}, 13)});
  }

  TEST_CASE("one_hot gives all-zero rows for out-of-range indices") {
    const Tensor y = ops::one_hot(ints({0, 2, -1, 3}, {4}), 3);
    CHECK(y.dtype() == DType::float32);
    expect(y, {4, 3}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
    const Tensor t = ops::one_hot(Tensor({int64_t{1}, int64_t{0}}), 3, 0, DType::int32);
    CHECK(t.dtype() == DType::int32);
    expect(t, {3, 2}, {0, 1, 1, 0, 0, 0});
    expect(ops::one_hot(ints({1, 0}, {2, 1}), 2, 1), {2, 2, 1}, {0, 1, 1, 0});
    expect(ops::one_hot(Tensor::scalar(int32_t{1}), 2), {2}, {0, 1});
    CHECK(ops::one_hot(ints({1}, {1}), 0).shape() == Shape{1, 0});
    CHECK_THROWS_WITH_AS(
        ops::one_hot(Tensor({1.f}), 2),
        doctest::Contains("one_hot: x must be an integer tensor of class indices, but received float32"), ValueError);
    CHECK_THROWS_WITH_AS(ops::one_hot(ints({1}, {1}), -1), doctest::Contains("num_classes must be non-negative"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::one_hot(ints({1}, {1}), 2, 2), doctest::Contains("one_hot: axis 2 is out of bounds"),
                         ValueError);
  }

  TEST_CASE("pad fills with a constant") {
    expect(ops::pad(Tensor({1.0, 2.0}), {{1, 2}}, "constant", 9.0), {5}, {9, 1, 2, 9, 9});
    expect(ops::pad(iota({2, 2}), {{0, 1}, {1, 0}}), {3, 3}, {0, 0, 1, 0, 2, 3, 0, 0, 0});
    expect(ops::pad(ops::zeros({0, 1}, DType::float64), {{1, 0}, {0, 1}}, "constant", 5.0), {1, 2}, {5, 5});
    expect(ops::pad(Tensor::scalar(4.0), {}), {}, {4});
    const Tensor b = ops::pad(Tensor({true}), {{1, 1}});
    CHECK(b.dtype() == DType::bool_);
    expect(b, {3}, {0, 1, 0});
    expect(ops::pad(ints({7}, {1}), {{2, 0}}, "constant", -1.0), {3}, {-1, -1, 7});
  }

  TEST_CASE("pad mirrors with reflect and symmetric as NumPy") {
    const Tensor x({1.0, 2.0, 3.0});
    expect(ops::pad(x, {{2, 2}}, "reflect"), {7}, {3, 2, 1, 2, 3, 2, 1});
    expect(ops::pad(x, {{3, 1}}, "symmetric"), {7}, {3, 2, 1, 1, 2, 3, 3});
    expect(ops::pad(iota({2, 3}), {{1, 1}, {1, 0}}, "reflect"), {4, 4},
           {4, 3, 4, 5, 1, 0, 1, 2, 4, 3, 4, 5, 1, 0, 1, 2});
    expect(ops::pad(iota({2, 2}), {{0, 0}, {2, 1}}, "symmetric"), {2, 5}, {1, 0, 0, 1, 1, 3, 2, 2, 3, 3});
    expect(ops::pad(ops::zeros({0}, DType::float64), {{0, 0}}, "reflect"), {0}, {});
  }

  TEST_CASE("pad validates pad_width, modes and reflect limits") {
    const Tensor x = iota({2, 3});
    CHECK_THROWS_WITH_AS(ops::pad(x, {{1, 1}}),
                         doctest::Contains("pad: pad_width has 1 pairs, but the input of shape (2, 3) has rank 2"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::pad(x, {{0, 0}, {-1, 0}}),
                         doctest::Contains("pad widths must be non-negative, but received (-1, 0) for axis 1"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::pad(x, {{0, 0}, {3, 0}}, "reflect"),
                         doctest::Contains("pad: mode 'reflect' pads axis 1 of the input of shape (2, 3) by at most 2 "
                                           "(size - 1) on each side, but received (3, 0)"),
                         ValueError);
    CHECK_NOTHROW(ops::pad(x, {{0, 0}, {3, 3}}, "symmetric"));
    CHECK_THROWS_WITH_AS(ops::pad(x, {{0, 3}, {0, 0}}, "symmetric"), doctest::Contains("by at most 2 (size)"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::pad(x, {{0, 0}, {1, 0}}, "reflect", 1.0),
                         doctest::Contains("constant_values is only valid with mode 'constant'"), ValueError);
    CHECK_THROWS_WITH_AS(ops::pad(x, {{0, 0}, {1, 0}}, "mirror"), doctest::Contains("pad: unknown mode 'mirror'"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::pad(x, {{0, 0}, {1, 0}}, "edge"), doctest::Contains("mode 'edge' is not supported"),
                         NotImplementedError);
  }

  TEST_CASE("pad has the gradient of a slice, or of the mirrored gathers") {
    check_gradients(
        [](const Tensors& x) {
          return ops::pad(x[0], {{1, 2}, {0, 1}}, "constant", 3.0);
        },
        {random_input({2, 3}, 14)});
    check_gradients(
        [](const Tensors& x) {
          return ops::pad(x[0], {{1, 1}, {2, 1}}, "reflect");
        },
        {random_input({2, 3}, 15)});
    check_gradients(
        [](const Tensors& x) {
          return ops::pad(x[0], {{2, 0}, {0, 3}}, "symmetric");
        },
        {random_input({2, 3}, 16)});
  }

  TEST_CASE("tile repeats the whole tensor as NumPy") {
    expect(ops::tile(Tensor({1.0, 2.0}), {2}), {4}, {1, 2, 1, 2});
    expect(ops::tile(Tensor({1.0, 2.0}), {2, 1, 2}), {2, 1, 4}, {1, 2, 1, 2, 1, 2, 1, 2});
    expect(ops::tile(iota({2, 2}), {2}), {2, 4}, {0, 1, 0, 1, 2, 3, 2, 3});
    expect(ops::tile(iota({2, 2}), {2, 1}), {4, 2}, {0, 1, 2, 3, 0, 1, 2, 3});
    expect(ops::tile(iota({2}), {0}), {0}, {});
    expect(ops::tile(Tensor::scalar(5.0), {}), {}, {5});
    expect(ops::tile(Tensor::scalar(5.0), {3}), {3}, {5, 5, 5});
    CHECK(ops::tile(ops::zeros({0, 2}), {3, 2}).shape() == Shape{0, 4});
    CHECK_THROWS_WITH_AS(ops::tile(iota({2}), {2, -1}),
                         doctest::Contains("tile: repeats must be non-negative, but received (2, -1)"), ValueError);
    check_gradients([](const Tensors& x) { return ops::tile(x[0], {2, 1, 3}); }, {random_input({2, 2}, 17)});
  }

  TEST_CASE("repeat repeats each element along an axis or the flattened input") {
    const Tensor x = iota({2, 2});
    expect(ops::repeat(x, 2), {8}, {0, 0, 1, 1, 2, 2, 3, 3});
    expect(ops::repeat(x, 2, 0), {4, 2}, {0, 1, 0, 1, 2, 3, 2, 3});
    expect(ops::repeat(x, 3, -1), {2, 6}, {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3});
    expect(ops::repeat(x, 0, 1), {2, 0}, {});
    expect(ops::repeat(Tensor::scalar(2.0), 2), {2}, {2, 2});
    CHECK_THROWS_WITH_AS(ops::repeat(x, -1), doctest::Contains("repeat: repeats must be non-negative, but received -1"),
                         ValueError);
    CHECK_THROWS_WITH_AS(ops::repeat(x, 2, 2), doctest::Contains("repeat: axis 2 is out of bounds"), ValueError);
    check_gradients([](const Tensors& x) { return ops::repeat(x[0], 3, 1); }, {random_input({2, 3}, 18)});
    check_gradients([](const Tensors& x) { return ops::repeat(x[0], 2); }, {random_input({2, 3}, 19)});
  }

  TEST_CASE("broadcast_to broadcasts as NumPy and sums its gradient") {
    expect(ops::broadcast_to(Tensor({1.0, 2.0}), {2, 2}), {2, 2}, {1, 2, 1, 2});
    expect(ops::broadcast_to(Tensor({1.0, 2.0}, {2, 1}), {2, 3}), {2, 3}, {1, 1, 1, 2, 2, 2});
    expect(ops::broadcast_to(Tensor::scalar(3.0), {2}), {2}, {3, 3});
    CHECK(ops::broadcast_to(iota({1, 3}), {0, 3}).shape() == Shape{0, 3});
    CHECK_THROWS_WITH_AS(ops::broadcast_to(iota({2, 3}), {3}), doctest::Contains("broadcast_to"), ValueError);
    CHECK_THROWS_WITH_AS(ops::broadcast_to(iota({3}), {1}),
                         doctest::Contains("cannot broadcast a tensor of shape (3,)"), ValueError);
    check_gradients([](const Tensors& x) { return ops::broadcast_to(x[0], {2, 3, 4}); }, {random_input({3, 1}, 20)});
  }

  TEST_CASE("flip reverses the given axes") {
    const Tensor x = iota({2, 3});
    expect(ops::flip(x), {2, 3}, {5, 4, 3, 2, 1, 0});
    expect(ops::flip(x, std::vector<int64_t>{1}), {2, 3}, {2, 1, 0, 5, 4, 3});
    expect(ops::flip(x, std::vector<int64_t>{-2}), {2, 3}, {3, 4, 5, 0, 1, 2});
    expect(ops::flip(Tensor::scalar(1.0)), {}, {1});
    CHECK(ops::flip(ops::zeros({0, 3})).shape() == Shape{0, 3});
    CHECK_THROWS_WITH_AS(ops::flip(x, std::vector<int64_t>{1, -1}),
                         doctest::Contains("flip: axis -1 is repeated in axis (1, -1)"), ValueError);
    CHECK_THROWS_WITH_AS(ops::flip(x, std::vector<int64_t>{2}), doctest::Contains("flip: axis 2 is out of bounds"),
                         ValueError);
    check_gradients(
        [](const Tensors& x) {
          return ops::flip(x[0], std::vector<int64_t>{0, 2});
        },
        {random_input({2, 3, 2}, 21)});
  }

  TEST_CASE("reshape, expand_dims, squeeze and flatten pass gradients through") {
    check_gradients(
        [](const Tensors& x) {
          return ops::flatten(ops::expand_dims(ops::reshape(x[0], Shape{-1, 2}), 1));
        },
        {random_input({2, 3, 2}, 22)});
    check_gradients([](const Tensors& x) { return ops::squeeze(x[0]) * 2.0; }, {random_input({1, 3, 1}, 23)});
  }

  TEST_CASE("second derivatives flow through slices and takes") {
    const Tensor x({1.0, 2.0, 3.0, 4.0});
    GradientTape outer;
    outer.watch(x);
    Tensor g1, g2;
    {
      GradientTape inner;
      inner.watch(x);
      const Tensor s = ops::strided_slice(x, {1}, {kMax}, {2});  // x1, x3
      const Tensor t = ops::take(x, ints({0, 0, 3}, {3}));       // x0, x0, x3
      const Tensor y = ops::sum(s * s * s) + ops::sum(t * t * t);
      g1 = inner.gradient(y, x);  // (6 x0^2, 3 x1^2, 0, 6 x3^2)
    }
    expect(g1, {4}, {6, 12, 0, 96});
    g2 = outer.gradient(ops::sum(g1), x);  // (12 x0, 6 x1, 0, 12 x3)
    expect(g2, {4}, {12, 12, 0, 48});
  }

  TEST_CASE("copy kernels handle tensors large enough to run in parallel") {
    const int64_t n = 300000;
    const Tensor x = iota({n / 100, 100});
    const Tensor c = ops::concatenate({x, x}, 1);
    const auto cv = c.to_vector<double>();
    CHECK(cv[200 * 1234 + 150] == 1234 * 100 + 50);
    const Tensor p = ops::pad(x, {{1, 0}, {0, 1}}, "constant", -1.0);
    CHECK(p.shape() == Shape{n / 100 + 1, 101});
    const auto pv = p.to_vector<double>();
    CHECK(pv[101 * 2000 + 7] == 1999 * 100 + 7);
    CHECK(pv[101 * 2000 + 100] == -1);
    const Tensor f = ops::flip(x, std::vector<int64_t>{0});
    CHECK(f.to_vector<double>()[5] == static_cast<double>(n - 100 + 5));
    GradientTape tape;
    tape.watch(x);
    const Tensor t = ops::take(x, Tensor({int64_t{0}, int64_t{0}, int64_t{2999}}), 0);
    const auto g = tape.gradient(t, x).to_vector<double>();
    CHECK(g[7] == 2);
    CHECK(g[100 + 7] == 0);
    CHECK(g[2999 * 100 + 99] == 1);
  }

}  // TEST_SUITE
