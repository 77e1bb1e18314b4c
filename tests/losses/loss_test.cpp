#include <keras/keras.h>
#include <keras/losses/losses.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;

TEST_SUITE("training") {

TEST_CASE("reduce_weighted_values applies each reduction to unweighted values") {
  const Tensor v({1.0, 2.0, 3.0, 4.0});
  CHECK(losses::reduce_weighted_values(v, {}, "sum_over_batch_size").item<double>() == doctest::Approx(2.5));
  CHECK(losses::reduce_weighted_values(v, {}, "mean").item<double>() == doctest::Approx(2.5));
  CHECK(losses::reduce_weighted_values(v, {}, "sum").item<double>() == doctest::Approx(10.0));
  CHECK(losses::reduce_weighted_values(v, {}, "mean_with_sample_weight").item<double>() == doctest::Approx(2.5));
  check_allclose(losses::reduce_weighted_values(v, {}, "none"), v);
}

TEST_CASE("reduce_weighted_values weights each value before reducing") {
  const Tensor v({1.0, 2.0, 3.0, 4.0});
  const Tensor w({1.0, 0.0, 2.0, 0.5});  // weighted values 1, 0, 6, 2
  CHECK(losses::reduce_weighted_values(v, w, "sum_over_batch_size").item<double>() == doctest::Approx(9.0 / 4));
  CHECK(losses::reduce_weighted_values(v, w, "sum").item<double>() == doctest::Approx(9.0));
  CHECK(losses::reduce_weighted_values(v, w, "mean_with_sample_weight").item<double>() == doctest::Approx(9.0 / 3.5));
  check_allclose(losses::reduce_weighted_values(v, w, "none"), Tensor({1.0, 0.0, 6.0, 2.0}));
}

TEST_CASE("reduce_weighted_values matches ranks as Keras's squeeze_or_expand_to_same_rank") {
  const Tensor v({1.0, 2.0, 3.0, 4.0});
  const Tensor w({1.0, 0.0, 2.0, 0.5}, {4, 1});
  // (4,) values with (4, 1) weights: the values gain the axis, as in Keras.
  const Tensor none = losses::reduce_weighted_values(v, w, "none");
  check_allclose(none, Tensor({1.0, 0.0, 6.0, 2.0}, {4, 1}));
  CHECK(losses::reduce_weighted_values(v, w, "sum_over_batch_size").item<double>() == doctest::Approx(9.0 / 4));
  // (4, 1) values with (4,) weights: the weights gain the axis.
  const Tensor v41 = ops::reshape(v, {4, 1});
  check_allclose(losses::reduce_weighted_values(v41, Tensor({1.0, 0.0, 2.0, 0.5}), "none"),
                 Tensor({1.0, 0.0, 6.0, 2.0}, {4, 1}));
}

TEST_CASE("A (batch,) sample weight scales every value of its sample") {
  const Tensor v({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {2, 3});
  const Tensor w({1.0, 2.0});
  check_allclose(losses::reduce_weighted_values(v, w, "none"), Tensor({1.0, 2.0, 3.0, 8.0, 10.0, 12.0}, {2, 3}));
  CHECK(losses::reduce_weighted_values(v, w, "sum_over_batch_size").item<double>() == doctest::Approx(36.0 / 6));
}

TEST_CASE("A scalar sample weight scales every value, and mean_with_sample_weight divides by it as Keras") {
  const Tensor v({1.0, 2.0, 3.0, 4.0});
  const Tensor w = Tensor::scalar(2.0);
  CHECK(losses::reduce_weighted_values(v, w, "sum_over_batch_size").item<double>() == doctest::Approx(5.0));
  CHECK(losses::reduce_weighted_values(v, w, "mean_with_sample_weight").item<double>() == doctest::Approx(10.0));
}

TEST_CASE("mean_with_sample_weight gives 0 when every weight is 0") {
  const Tensor v({1.0, 2.0});
  CHECK(losses::reduce_weighted_values(v, Tensor({0.0, 0.0}), "mean_with_sample_weight").item<double>() == 0.0);
}

TEST_CASE("A mask leaves values out of the sum and of the mean's count") {
  const Tensor v({1.0, 2.0, 3.0, 4.0});
  const Tensor mask({true, false, true, true});
  CHECK(losses::reduce_weighted_values(v, {}, mask, "sum_over_batch_size").item<double>() == doctest::Approx(8.0 / 3));
  CHECK(losses::reduce_weighted_values(v, {}, mask, "mean").item<double>() == doctest::Approx(8.0 / 3));
  CHECK(losses::reduce_weighted_values(v, {}, mask, "sum").item<double>() == doctest::Approx(8.0));
  CHECK(losses::reduce_weighted_values(v, {}, mask, "mean_with_sample_weight").item<double>() == doctest::Approx(8.0 / 3));
  const Tensor w({1.0, 1.0, 2.0, 1.0});  // kept weighted values 1, 6, 4
  CHECK(losses::reduce_weighted_values(v, w, mask, "sum_over_batch_size").item<double>() == doctest::Approx(11.0 / 3));
  CHECK(losses::reduce_weighted_values(v, w, mask, "mean_with_sample_weight").item<double>() == doctest::Approx(11.0 / 4));
  CHECK(losses::reduce_weighted_values(v, {}, Tensor({false, false, false, false}), "sum_over_batch_size")
            .item<double>() == 0.0);
}

TEST_CASE("reduce_weighted_values returns scalars and empty values unreduced") {
  CHECK(losses::reduce_weighted_values(Tensor::scalar(3.0), {}, "sum_over_batch_size").item<double>() == 3.0);
  const Tensor empty = Tensor::from_vector(std::vector<double>{}, Shape{0});
  CHECK(losses::reduce_weighted_values(empty, {}, "sum_over_batch_size").shape() == Shape{0});
}

TEST_CASE("reduce_weighted_values rejects sample weights that do not fit the values") {
  const Tensor v({1.0, 2.0, 3.0, 4.0});
  CHECK_THROWS_WITH_AS(losses::reduce_weighted_values(v, Tensor({1.0, 2.0, 3.0}), "sum"),
                       doctest::Contains("sample_weight of shape (3,) cannot weight the losses of shape (4,)"),
                       ValueError);
}

TEST_CASE("An unknown reduction is a ValueError naming the accepted ones") {
  CHECK_THROWS_WITH_AS(losses::reduce_weighted_values(Tensor({1.0}), {}, "average"),
                       doctest::Contains("Received: reduction='average'"), ValueError);
  CHECK_THROWS_WITH_AS(losses::MeanSquaredError({.reduction = "auto"}), doctest::Contains("sum_over_batch_size"),
                       ValueError);
}

TEST_CASE("squeeze_or_expand_to_same_rank squeezes or expands a trailing axis of 1") {
  const Tensor a = ops::zeros({4});
  const Tensor b = ops::zeros({4, 1});
  auto [x, y] = losses::squeeze_or_expand_to_same_rank(a, b);
  CHECK(x.shape() == Shape{4, 1});
  CHECK(y.shape() == Shape{4, 1});
  auto [x2, y2] = losses::squeeze_or_expand_to_same_rank(a, b, false);
  CHECK(x2.shape() == Shape{4});
  CHECK(y2.shape() == Shape{4});
  auto [x3, y3] = losses::squeeze_or_expand_to_same_rank(ops::zeros({2, 3, 1}), ops::zeros({2, 3}));
  CHECK(x3.shape() == Shape{2, 3});
  CHECK(y3.shape() == Shape{2, 3});
  auto [x4, y4] = losses::squeeze_or_expand_to_same_rank(ops::zeros({4}), ops::zeros({4, 3}));
  CHECK(x4.shape() == Shape{4});
  CHECK(y4.shape() == Shape{4, 3});
}

TEST_CASE("Loss computes in float32, or float64 for float64 predictions") {
  const losses::MeanSquaredError mse;
  const Tensor y_true({1, 2, 3, 4}, {2, 2});  // int32 labels are cast
  CHECK(mse(y_true, Tensor({1.f, 2.f, 3.f, 6.f}, {2, 2})).dtype() == DType::float32);
  const Tensor l64 = mse(y_true, Tensor({1.0, 2.0, 3.0, 6.0}, {2, 2}));
  CHECK(l64.dtype() == DType::float64);
  CHECK(l64.item<double>() == doctest::Approx(1.0));  // per sample 0 and 2
  CHECK(mse(y_true, Tensor({1, 2, 3, 6}, {2, 2})).dtype() == DType::float32);
}

TEST_CASE("Loss applies sample weights and its reduction to the per-sample losses") {
  const Tensor y_true({0.0, 1.0, 0.0, 0.0}, {2, 2});
  const Tensor y_pred({1.0, 1.0, 1.0, 0.0}, {2, 2});  // per-sample MSE 0.5, 0.5
  const Tensor w({1.0, 3.0});
  CHECK(losses::MeanSquaredError()(y_true, y_pred, w).item<double>() == doctest::Approx(1.0));
  CHECK(losses::MeanSquaredError({.reduction = "sum"})(y_true, y_pred, w).item<double>() == doctest::Approx(2.0));
  CHECK(losses::MeanSquaredError({.reduction = "mean_with_sample_weight"})(y_true, y_pred, w).item<double>() ==
        doctest::Approx(0.5));
  check_allclose(losses::MeanSquaredError({.reduction = "none"})(y_true, y_pred, w), Tensor({0.5, 1.5}));
}

TEST_CASE("Loss rejects an undefined y_true or y_pred") {
  CHECK_THROWS_WITH_AS(losses::MeanSquaredError()(Tensor(), Tensor({1.0})), doctest::Contains("y_true is undefined"),
                       ValueError);
  CHECK_THROWS_WITH_AS(losses::MeanSquaredError()(Tensor({1.0}), Tensor()), doctest::Contains("y_pred is undefined"),
                       ValueError);
}

TEST_CASE("Loss names default to Keras's and may be overridden") {
  CHECK(losses::MeanSquaredError().name() == "mean_squared_error");
  CHECK(losses::MeanSquaredError({.name = "my_mse"}).name() == "my_mse");
  CHECK(losses::Huber().name() == "huber_loss");
  CHECK(losses::MeanSquaredError().reduction() == "sum_over_batch_size");
}

TEST_CASE("LossFunctionWrapper matches ranks before calling its function") {
  Shape seen_true, seen_pred;
  const losses::LossFunctionWrapper wrapper([&](const Tensor& t, const Tensor& p) {
    seen_true = t.shape();
    seen_pred = p.shape();
    return ops::mean(ops::abs(t - p), -1);
  });
  const Tensor loss = wrapper(Tensor({1.0, 2.0}), Tensor({1.5, 1.0}, {2, 1}));
  CHECK(seen_true == Shape{2, 1});
  CHECK(seen_pred == Shape{2, 1});
  CHECK(loss.item<double>() == doctest::Approx(0.75));
  CHECK(wrapper.name() == "loss_function_wrapper");
  CHECK(wrapper.class_name() == "LossFunctionWrapper");
}

TEST_CASE("Loss reductions and sample weights are differentiable") {
  const Tensor y_true = keras::testing::random_input({3, 2}, 1);
  const Tensor w({0.5, 1.0, 2.0});
  for (const char* reduction : {"sum_over_batch_size", "sum", "mean_with_sample_weight", "none"}) {
    CAPTURE(reduction);
    const losses::MeanSquaredError mse({.reduction = reduction});
    check_gradients([&](const Tensors& x) { return mse(y_true, x[0], x[1]); },
                    {keras::testing::random_input({3, 2}, 2), w});
  }
}

}  // TEST_SUITE
