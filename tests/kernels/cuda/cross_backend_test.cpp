// CUDA against the CPU (after ggml's test-backend-ops): every own CUDA kernel and the ops over it,
// forward and backward, on random inputs. Without a GPU the first case says so and the rest return.
#include <keras/keras.h>
#include <keras/kernels/cast.h>
#include <keras/kernels/copy.h>
#include <keras/kernels/device_memory.h>
#include <keras/kernels/elementwise.h>

#include <doctest/doctest.h>

#include <limits>
#include <thread>

#include "support/cross_backend.h"

using namespace keras;
using keras::testing::check_close;
using keras::testing::compare_forward;
using keras::testing::compare_forward_backward;
using keras::testing::cuda_available;
using keras::testing::random_tensor;
using keras::testing::Tolerance;

namespace {

const Device kGpu("cuda:0");
constexpr DType kAll[] = {DType::float32, DType::float64, DType::float16, DType::bfloat16,
                          DType::int32,   DType::int64,   DType::uint8,   DType::bool_};
constexpr DType kFloats[] = {DType::float32, DType::float64, DType::float16, DType::bfloat16};

// Values that exercise casts' edges: NaN, infinities, saturation, halfway rounding, negatives to uint8.
Tensor edge_values() {
  const double inf = std::numeric_limits<double>::infinity();
  return Tensor::from_vector(std::vector<double>{std::nan(""), inf, -inf, 1e10, -1e10, 3e38, 65520.0, 65519.0, 0.5,
                                                 1.5, 2.5, -2.5, -0.0, 1e-8, 6e-8, 255.7, -3.2, 127.0, 2147483648.0,
                                                 -2147483649.0, 9.3e18, 300.0});
}

// NaN, infinities and signed zeros: NumPy's rules for them must hold on both backends.
Tensor specials() {
  const double inf = std::numeric_limits<double>::infinity();
  return Tensor::from_vector(std::vector<double>{std::nan(""), inf, -inf, 0.0, -0.0, 1e-8});
}

std::vector<kernels::UnaryOp> all_unary_ops() {
  std::vector<kernels::UnaryOp> ops;
  for (int i = 0; i <= static_cast<int>(kernels::UnaryOp::isfinite); ++i) ops.push_back(static_cast<kernels::UnaryOp>(i));
  return ops;
}

std::vector<kernels::BinaryOp> all_binary_ops() {
  std::vector<kernels::BinaryOp> ops;
  for (int i = 0; i <= static_cast<int>(kernels::BinaryOp::logical_xor); ++i) ops.push_back(static_cast<kernels::BinaryOp>(i));
  return ops;
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("cross-backend tests have a CUDA device to run on") {
  if (!cuda_available()) {
    MESSAGE("CUDA cross-backend tests skipped: no CUDA GPU on this machine (kernels::cuda_device_count() == 0)");
    return;
  }
  CHECK(kernels::cuda_device_count() >= 1);
  CHECK_NOTHROW(check_device_available(kGpu));
}

TEST_CASE("Tensor::to copies host to device to host unchanged, and between devices") {
  if (!cuda_available()) return;
  for (DType dtype : kAll) {
    CAPTURE(dtype_name(dtype));
    const Tensor host = random_tensor({3, 70, 5}, dtype, -50, 50);
    const Tensor dev = host.to(kGpu);
    CHECK(dev.device() == kGpu);
    CHECK(dev.to(kGpu).id() == dev.id());  // already there: the same tensor
    check_close(host, dev, "round trip", Tolerance{});
    check_close(host, kernels::cast(dev, dtype), "device copy", Tolerance{});
  }
  // A large copy bypasses the staging buffers; a sliced view copies from its offset.
  const Tensor big = random_tensor({17 << 20}, DType::float32);
  check_close(big, big.to(kGpu), "80 MiB", Tolerance{});
  const Tensor part = ops::slice(random_tensor({6, 4}, DType::float32), {2, 0}, {3, 4});
  check_close(part, part.to(kGpu), "slice", Tolerance{});
  if (kernels::cuda_device_count() > 1) {
    const Tensor other = big.to(kGpu).to(Device::cuda(1));
    CHECK(other.device() == Device::cuda(1));
    check_close(big, other, "cuda:0 to cuda:1", Tolerance{});
  }
}

TEST_CASE("a device tensor prints, converts and reads its item through a host copy") {
  if (!cuda_available()) return;
  const Tensor t = Tensor({1.5f, -2.f, 3.f, 4.f}, {2, 2}).to(kGpu);
  CHECK(t.str() == "[[ 1.5 -2. ]\n [ 3.   4. ]]");
  CHECK(t.to_vector<float>() == std::vector<float>{1.5f, -2.f, 3.f, 4.f});
  CHECK(ops::sum(t).item<float>() == doctest::Approx(6.5));
  CHECK_THROWS_WITH_AS(t.data<float>(), doctest::Contains("use .to(\"cpu\")"), ValueError);
}

TEST_CASE("the caching allocator reuses freed device blocks and reports out-of-memory clearly") {
  if (!cuda_available()) return;
  kernels::device_empty_cache(kGpu);
  { const Tensor a = Tensor::empty({1000, 1000}, DType::float32, kGpu); }
  const auto before = kernels::device_memory_stats(kGpu);
  CHECK(before.cached_bytes >= 4000000);
  { const Tensor b = Tensor::empty({1000, 999}, DType::float32, kGpu); }  // the same bucket
  const auto after = kernels::device_memory_stats(kGpu);
  CHECK(after.hits == before.hits + 1);
  CHECK(after.misses == before.misses);
  kernels::device_empty_cache(kGpu);
  CHECK(kernels::device_memory_stats(kGpu).cached_bytes == 0);
  CHECK_THROWS_WITH_AS(Tensor::empty({int64_t{1} << 48}, DType::float32, kGpu),
                       doctest::Contains("CUDA out of memory on cuda:0: tried to allocate 1125899906842624 bytes"),
                       RuntimeError);
  CHECK_THROWS_WITH_AS(Tensor::empty({int64_t{1} << 48}, DType::float32, kGpu), doctest::Contains("free of"),
                       RuntimeError);
  CHECK_NOTHROW(Tensor::empty({16}, DType::float32, kGpu));  // still usable after the failure
}

TEST_CASE("cast agrees bit for bit between CUDA and the CPU for every pair of dtypes") {
  if (!cuda_available()) return;
  for (DType from : kAll) {
    const Tensor src = edge_values().astype(from);
    for (DType to : kAll) {
      compare_forward(std::string("cast ") + std::string(dtype_name(from)) + " -> " + std::string(dtype_name(to)),
                      [to](const Tensors& x) { return Tensors{kernels::cast(x[0], to)}; }, {src}, kGpu, Tolerance{});
    }
  }
}

TEST_CASE("every unary op agrees between CUDA and the CPU") {
  if (!cuda_available()) return;
  using kernels::UnaryOp;
  for (UnaryOp op : all_unary_ops()) {
    const bool positive = op == UnaryOp::sqrt || op == UnaryOp::rsqrt || op == UnaryOp::log || op == UnaryOp::log1p;
    for (DType dtype : kAll) {
      // Integer and bool tensors reach only the ops that keep their dtype; ops promote the rest.
      const bool integral = !is_floating(dtype);
      if (integral && !(op <= UnaryOp::square || op == UnaryOp::floor || op == UnaryOp::ceil || op == UnaryOp::round ||
                        op == UnaryOp::relu || op >= UnaryOp::isnan || op == UnaryOp::logical_not)) {
        continue;
      }
      if (dtype == DType::bool_ && op != UnaryOp::logical_not && op < UnaryOp::isnan) continue;
      Tensor x = random_tensor({4, 33}, dtype, positive ? 0.1 : -4.0, positive ? 4.0 : 4.0, 3);
      if (is_floating(dtype)) x = ops::concatenate({ops::reshape(x, {132}), specials().astype(dtype)}, 0);
      compare_forward("unary op " + std::to_string(static_cast<int>(op)) + " on " + std::string(dtype_name(dtype)),
                      [op](const Tensors& in) { return Tensors{kernels::unary({op, in[0], 0.3})}; }, {x}, kGpu);
    }
  }
}

TEST_CASE("every binary op agrees between CUDA and the CPU, dense and broadcast") {
  if (!cuda_available()) return;
  using kernels::BinaryOp;
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{3, 4, 5}, {3, 4, 5}}, {{3, 1, 5}, {4, 1}}, {{}, {2, 3}}, {{2, 3}, {}}, {{6, 1, 1, 7}, {1, 5, 2, 1}}, {{5}, {3, 5}}};
  for (BinaryOp op : all_binary_ops()) {
    const bool divides = op == BinaryOp::divide || op == BinaryOp::floor_divide || op == BinaryOp::mod;
    for (DType dtype : kAll) {
      if (dtype == DType::bool_ && (divides || op == BinaryOp::power)) continue;
      for (const auto& [sa, sb] : shapes) {
        Tensor a = random_tensor(sa, dtype, op == BinaryOp::power ? 0.5 : -9.0, 9.0, 11);
        Tensor b = random_tensor(sb, dtype, op == BinaryOp::power ? -2.0 : 1.0, op == BinaryOp::power ? 3.0 : 7.0, 12);
        if (divides && dtype != DType::uint8) b = ops::where(ops::less(random_tensor(sb, DType::float32, 0, 1, 13), Tensor::scalar(0.5f)), b, ops::negative(b));
        if (op == BinaryOp::power && !is_floating(dtype)) b = ops::abs(b);
        compare_forward("binary op " + std::to_string(static_cast<int>(op)) + " on " + std::string(dtype_name(dtype)) +
                            " " + sa.str() + " with " + sb.str(),
                        [op](const Tensors& in) { return Tensors{kernels::binary({op, in[0], in[1]})}; }, {a, b}, kGpu);
      }
    }
  }
}

TEST_CASE("elementwise ops agree forward and backward through the tape") {
  if (!cuda_available()) return;
  const Tensor a = random_tensor({4, 1, 6}, DType::float32, -3, 3, 21);
  const Tensor b = random_tensor({5, 1}, DType::float32, 0.5, 3, 22);
  compare_forward_backward("add/multiply/divide", [](const Tensors& x) { return (x[0] + x[1]) * x[0] / x[1]; }, {a, b}, kGpu);
  compare_forward_backward("maximum/minimum", [](const Tensors& x) { return ops::maximum(x[0], x[1]) - ops::minimum(x[0], x[1]); },
                           {a, b}, kGpu);
  compare_forward_backward("power", [](const Tensors& x) { return ops::power(x[1], x[0]); }, {a, b}, kGpu);
  compare_forward_backward("exp/log/tanh/sigmoid",
                           [](const Tensors& x) { return ops::exp(ops::tanh(x[0])) + ops::log(x[1]) * ops::sigmoid(x[0]); },
                           {a, b}, kGpu);
  compare_forward_backward("relu", [](const Tensors& x) { return ops::relu(x[0]); }, {a}, kGpu);
  compare_forward_backward("relu float64", [](const Tensors& x) { return ops::relu(x[0]); }, {a.astype(DType::float64)}, kGpu);
  compare_forward_backward("gelu/silu/elu/leaky_relu",
                           [](const Tensors& x) {
                             return ops::gelu(x[0]) + ops::silu(x[0]) + ops::elu(x[0]) + ops::leaky_relu(x[0]);
                           },
                           {a}, kGpu);
  compare_forward_backward("where", [](const Tensors& x) { return ops::where(ops::greater(x[0], x[1]), x[0], x[1] * 2.0); },
                           {a, b}, kGpu);
  compare_forward_backward("cast to float16 and back",
                           [](const Tensors& x) { return ops::cast(ops::cast(x[0], DType::float16) * 3.0, DType::float32); },
                           {a}, kGpu);
}

TEST_CASE("where and relu_backward agree between CUDA and the CPU for every dtype") {
  if (!cuda_available()) return;
  for (DType dtype : kAll) {
    const Tensor c = ops::greater(random_tensor({3, 1, 4}, DType::float32, -1, 1, 31), Tensor::scalar(0.f));
    const Tensor x = random_tensor({2, 4}, dtype, -5, 5, 32);
    const Tensor y = random_tensor({3, 2, 1}, dtype, -5, 5, 33);
    compare_forward("where " + std::string(dtype_name(dtype)),
                    [](const Tensors& in) { return Tensors{kernels::where(in[0], in[1], in[2])}; }, {c, x, y}, kGpu);
    compare_forward("where with a float condition " + std::string(dtype_name(dtype)),
                    [](const Tensors& in) { return Tensors{kernels::where(in[0], in[1], in[2])}; },
                    {random_tensor({2, 4}, DType::float32, -1, 1, 34), x, y}, kGpu);
  }
  for (DType dtype : kFloats) {
    const Tensor dd = random_tensor({7, 9}, dtype, -2, 2, 35);
    const Tensor y = ops::relu(random_tensor({7, 9}, dtype, -2, 2, 36));
    compare_forward("relu_backward " + std::string(dtype_name(dtype)),
                    [](const Tensors& in) { return Tensors{kernels::relu_backward(in[0], in[1])}; }, {dd, y}, kGpu);
  }
}

TEST_CASE("strided copies, assigns and pads agree forward and backward") {
  if (!cuda_available()) return;
  const Tensor x = random_tensor({3, 4, 5}, DType::float32, -2, 2, 41);
  compare_forward_backward("transpose", [](const Tensors& t) { return ops::transpose(t[0], std::vector<int64_t>{2, 0, 1}); }, {x}, kGpu);
  compare_forward_backward("broadcast_to", [](const Tensors& t) { return ops::broadcast_to(ops::reshape(t[0], {3, 1, 4, 5}), {3, 2, 4, 5}); },
                           {x}, kGpu);
  compare_forward_backward("slice", [](const Tensors& t) { return ops::slice(t[0], {1, 0, 2}, {2, 3, 3}); }, {x}, kGpu);
  compare_forward_backward("strided_slice",
                           [](const Tensors& t) { return ops::strided_slice(t[0], {2, 0, 4}, {0, 4, 0}, {-1, 2, -2}); }, {x}, kGpu);
  compare_forward_backward("flip", [](const Tensors& t) { return ops::flip(t[0]); }, {x}, kGpu);
  compare_forward_backward("tile", [](const Tensors& t) { return ops::tile(t[0], {2, 1, 3}); }, {x}, kGpu);
  compare_forward_backward("repeat", [](const Tensors& t) { return ops::repeat(t[0], 3, 1); }, {x}, kGpu);
  compare_forward_backward("pad", [](const Tensors& t) { return ops::pad(t[0], {{1, 2}, {0, 0}, {3, 1}}); }, {x}, kGpu);
  for (DType dtype : kAll) {
    const Tensor v = random_tensor({2, 3, 4}, dtype, -9, 9, 42);
    compare_forward("strided_copy " + std::string(dtype_name(dtype)),
                    [](const Tensors& t) {
                      return Tensors{kernels::strided_copy({t[0], Shape{4, 2, 3}, {1, 12, -4}, 8})};
                    },
                    {v}, kGpu);
    compare_forward("pad_constant " + std::string(dtype_name(dtype)),
                    [](const Tensors& t) { return Tensors{kernels::pad_constant(t[0], {{1, 0}, {2, 2}, {0, 3}}, 1.0)}; }, {v},
                    kGpu);
    compare_forward("strided_assign " + std::string(dtype_name(dtype)),
                    [](const Tensors& t) {
                      return Tensors{kernels::strided_assign({t[0], Shape{5, 6, 4}, {24, 8, -1}, 3, 0.0})};
                    },
                    {v}, kGpu);
  }
}

TEST_CASE("concatenate, take and scatter_add agree forward and backward") {
  if (!cuda_available()) return;
  const Tensor a = random_tensor({2, 3, 4}, DType::float32, -2, 2, 51);
  const Tensor b = random_tensor({2, 5, 4}, DType::float32, -2, 2, 52);
  compare_forward_backward("concatenate axis 1", [](const Tensors& t) { return ops::concatenate({t[0], t[1], t[0]}, 1); }, {a, b},
                           kGpu);
  compare_forward_backward("concatenate axis 0", [](const Tensors& t) { return ops::concatenate({t[0], t[0]}, 0); }, {a}, kGpu);
  compare_forward_backward("concatenate with a host scalar broadcast",
                           [](const Tensors& t) { return ops::concatenate({t[0], t[0] * 2.0}, -1); }, {a}, kGpu);
  const Tensor idx = Tensor({2, 0, -1, 2, 1}, {5});  // repeated and negative: scatter_add sums repeats
  compare_forward_backward("take axis 1", [idx](const Tensors& t) { return ops::take(t[0], idx, 1); }, {a}, kGpu);
  compare_forward_backward("take axis 0 with device indices",
                           [idx](const Tensors& t) { return ops::take(t[0], ops::mod(ops::reshape(idx.to(t[0].device()), {5, 1}), Tensor::scalar(2)), 0); }, {a}, kGpu);
  for (DType dtype : kAll) {
    const Tensor v = random_tensor({3, 4}, dtype, -9, 9, 53);
    compare_forward("concatenate " + std::string(dtype_name(dtype)),
                    [](const Tensors& t) { return Tensors{kernels::concatenate({t[0], t[0], t[0]}, 1)}; }, {v}, kGpu);
    const Tensor i64 = Tensor::from_vector(std::vector<int64_t>{3, 3, 0, -4});
    compare_forward("take " + std::string(dtype_name(dtype)),
                    [i64](const Tensors& t) { return Tensors{kernels::take(t[0], i64, 1)}; }, {v}, kGpu);
    if (dtype == DType::bool_) continue;
    compare_forward("scatter_add " + std::string(dtype_name(dtype)),
                    [i64](const Tensors& t) {
                      return Tensors{kernels::scatter_add(t[0], i64.astype(DType::int32), 1, Shape{3, 5})};
                    },
                    {v}, kGpu);
  }
  CHECK_THROWS_WITH_AS(kernels::take(a.to(kGpu), Tensor({0, 7}, {2}), 1),
                       doctest::Contains("take: index 7 is out of bounds for axis 1 with size 3"), ValueError);
}

TEST_CASE("operands on different devices raise, except a host scalar, which joins the device") {
  if (!cuda_available()) return;
  const Tensor x = random_tensor({2, 3}, DType::float32, -1, 1, 61);
  CHECK_THROWS_WITH_AS(x.to(kGpu) + x, doctest::Contains("operands are on different devices, cuda:0 and cpu"), ValueError);
  const Tensor y = x.to(kGpu) + Tensor::scalar(1.f);
  CHECK(y.device() == kGpu);
  check_close(x + 1.0, y, "host scalar");
}

TEST_CASE("DeviceScope makes creation ops and new weights default to the device, nested and per thread") {
  if (!cuda_available()) return;
  CHECK(default_device().is_cpu());
  {
    const DeviceScope gpu(kGpu);
    CHECK(ops::zeros({2, 2}).device() == kGpu);
    CHECK(ops::full({3}, 2.0).to_vector<float>() == std::vector<float>{2.f, 2.f, 2.f});
    CHECK(ops::arange(4.0).device() == kGpu);
    CHECK(ops::eye(3).device() == kGpu);
    {
      const DeviceScope cpu(Device::cpu());
      CHECK(ops::ones({2}).device().is_cpu());
    }
    CHECK(default_device() == kGpu);
    std::thread([] { CHECK(default_device().is_cpu()); }).join();
    layers::Dense dense(4);
    dense.build(Shape{None, 3});
    for (const Variable& v : dense.weights()) CHECK(v.value().device() == kGpu);
  }
  CHECK(default_device().is_cpu());
}

TEST_CASE("a layer called on device tensors builds its weights and draws its dropout masks there") {
  if (!cuda_available()) return;
  layers::Dense dense(3);
  const Tensor y = dense(random_tensor({2, 4}, DType::float32).to(kGpu));
  CHECK(y.device() == kGpu);
  for (const Variable& w : dense.weights()) CHECK(w.value().device() == kGpu);
  layers::Dropout dropout(0.5);
  CHECK(dropout(y, true).device() == kGpu);
  CHECK(default_device().is_cpu());
}

TEST_CASE("a Variable keeps its device on assign, and follows a DeviceScope's values") {
  if (!cuda_available()) return;
  Variable v(Tensor({1.f, 2.f}));
  const void* handle = v.handle();
  {
    const DeviceScope gpu(kGpu);
    v.assign(v.value().to(kGpu));  // how Model::to moves a variable
  }
  CHECK(v.value().device() == kGpu);
  CHECK(v.handle() == handle);
  v.assign(Tensor({3.f, 4.f}));  // a host value (a loaded weight) goes to the variable's device
  CHECK(v.value().device() == kGpu);
  CHECK(v.value().to_vector<float>() == std::vector<float>{3.f, 4.f});
  v.assign_add(Tensor({1.f, 1.f}));
  CHECK(v.value().device() == kGpu);
}

TEST_CASE("Model::to moves weights, optimizer slots and metric state, keeping the Variables") {
  if (!cuda_available()) return;
  Sequential model({Input({3}), layers::Dense(2)});
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.train_on_batch({random_tensor({4, 3}, DType::float32)}, {random_tensor({4, 2}, DType::float32)});
  const std::vector<Variable> before = model.optimizer().variables();
  model.to(kGpu);
  CHECK(model.device() == kGpu);
  const std::vector<Variable> after = model.optimizer().variables();
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    CHECK(after[i] == before[i]);
    const bool host = after[i].name() == "iteration" || after[i].name() == "learning_rate";
    CHECK(after[i].value().device() == (host ? Device::cpu() : kGpu));
  }
  model.to(Device::cpu());
  for (const Variable& w : model.weights()) CHECK(w.value().device().is_cpu());
}

TEST_CASE("fit, evaluate and predict on the GPU match the CPU") {
  if (!cuda_available()) return;
  auto make = [] {
    utils::set_random_seed(5);
    auto model = std::make_shared<Sequential>(
        std::vector<AnyLayer>{Input({6}), layers::Dense(8, {.activation = "relu"}), layers::Dense(3, {.activation = "softmax"})});
    model->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy", .metrics = {"accuracy"}});
    return model;
  };
  const Tensor x = random_tensor({64, 6}, DType::float32, -1, 1, 71);
  const Tensor y = ops::cast(random_tensor({64}, DType::float32, 0, 3, 72), DType::int32);
  auto cpu = make();
  auto gpu = make();
  gpu->to(kGpu);
  CHECK(gpu->device() == kGpu);
  const History hc = cpu->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .shuffle = false});
  const History hg = gpu->fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .shuffle = false});
  for (const Variable& w : gpu->weights()) CHECK(w.value().device() == kGpu);
  for (size_t e = 0; e < 2; ++e) {
    CHECK(hg.history().at("loss")[e] == doctest::Approx(hc.history().at("loss")[e]).epsilon(1e-4));
    CHECK(hg.history().at("accuracy")[e] == doctest::Approx(hc.history().at("accuracy")[e]));
  }
  const Logs lc = cpu->evaluate(x, y, {.verbose = 0});
  const Logs lg = gpu->evaluate(x, y, {.verbose = 0});
  CHECK(lg.at("loss") == doctest::Approx(lc.at("loss")).epsilon(1e-4));
  const Tensor pc = cpu->predict(x, {.batch_size = 20});
  const Tensor pg = gpu->predict(x, {.batch_size = 20});
  CHECK(pg.device().is_cpu());
  check_close(pc, pg, "predict", Tolerance{1e-4, 1e-4});
}

}  // TEST_SUITE
