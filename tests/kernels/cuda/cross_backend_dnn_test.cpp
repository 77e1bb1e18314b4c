// CUDA against CPU (after ggml's test-backend-ops): each library-backed, reduction, random and
// optimizer kernel of the CUDA backend on random inputs with odd sizes, run on both backends and
// compared within float tolerances. float32 matmul and convolution may use TF32 on the GPU (the
// default, as TensorFlow's), so they are compared loosely and float64 tightly. Without a GPU every
// case says so and passes.
#include <keras/keras.h>
#include <keras/kernels/conv.h>
#include <keras/kernels/matmul.h>
#include <keras/kernels/norm.h>
#include <keras/kernels/optimizer.h>
#include <keras/kernels/pool.h>
#include <keras/kernels/random.h>
#include <keras/kernels/reduce.h>
#include <keras/kernels/softmax.h>

#include <doctest/doctest.h>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::random_input;

namespace {

const Device kCuda = Device::cuda(0);

bool cuda_ready() {
  try {
    check_device_available(kCuda);
    return true;
  } catch (const RuntimeError& e) {
    MESSAGE("skipped, no CUDA device: " << std::string(e.what()));
    return false;
  }
}

Tensor gpu(const Tensor& t) { return t.defined() ? t.to(kCuda) : t; }
Tensor host(const Tensor& t) { return t.defined() ? t.to(Device::cpu()) : t; }
Tensor input(const Shape& shape, uint64_t seed, DType dtype) { return random_input(shape, seed).astype(dtype); }

// CUDA's result (moved to the host) against the CPU's; `tf32` widens float32's tolerance.
void check_same(const Tensor& on_cuda, const Tensor& on_cpu, bool tf32 = false) {
  REQUIRE(on_cuda.defined() == on_cpu.defined());
  if (!on_cpu.defined()) return;
  CHECK(on_cuda.device() == kCuda);
  REQUIRE(on_cuda.dtype() == on_cpu.dtype());
  double tol = 1e-5;
  if (on_cpu.dtype() == DType::float64) tol = 1e-10;
  if (on_cpu.dtype() == DType::float16 || on_cpu.dtype() == DType::bfloat16) tol = 2e-2;
  if (tf32 && on_cpu.dtype() == DType::float32) tol = 2e-2;
  check_allclose(host(on_cuda), on_cpu, tol, tol);
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("cuda matmul matches the CPU with bias, relu, transposes and broadcast batches") {
  if (!cuda_ready()) return;
  struct Case {
    Shape src, weights;
    bool ts, tw, bias, relu;
  };
  const Case cases[] = {{{5, 7}, {7, 3}, false, false, true, true},
                        {{7, 5}, {7, 3}, true, false, false, false},
                        {{5, 7}, {3, 7}, false, true, true, false},
                        {{2, 3, 5, 4}, {1, 3, 4, 6}, false, false, true, true},
                        {{2, 1, 5, 4}, {1, 3, 6, 4}, false, true, false, true},
                        {{129, 33}, {33, 65}, false, false, true, true}};
  for (DType dtype : {DType::float32, DType::float64, DType::float16, DType::bfloat16}) {
    for (const Case& c : cases) {
      CAPTURE(dtype_name(dtype));
      CAPTURE(c.src.str());
      const Tensor x = input(c.src, 1, dtype), w = input(c.weights, 2, dtype);
      const int64_t n = c.tw ? c.weights.dims()[c.weights.rank() - 2] : c.weights.dims().back();
      const Tensor b = c.bias ? input({n}, 3, dtype) : Tensor();
      if (c.relu && (dtype == DType::float16 || dtype == DType::bfloat16)) continue;  // the CPU kernel refuses
      const Tensor want = kernels::matmul({x, w, b, c.ts, c.tw, c.relu});
      const Tensor got = kernels::matmul({gpu(x), gpu(w), gpu(b), c.ts, c.tw, c.relu});
      check_same(got, want, true);
    }
  }
}

TEST_CASE("cuda reduce and arg_reduce match the CPU for every op, axis set and dtype") {
  if (!cuda_ready()) return;
  const std::vector<std::vector<int64_t>> axis_sets = {{}, {0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}};
  for (DType dtype : {DType::float32, DType::float64, DType::float16, DType::int32, DType::bool_}) {
    const Tensor x = dtype == DType::int32   ? (random_input({3, 37, 5}, 4) * 10.0).astype(dtype)
                     : dtype == DType::bool_ ? ops::greater(random_input({3, 37, 5}, 4), Tensor::scalar(0.0))
                                             : input({3, 37, 5}, 4, dtype);
    for (kernels::ReduceOp op : {kernels::ReduceOp::sum, kernels::ReduceOp::mean, kernels::ReduceOp::max,
                                 kernels::ReduceOp::min, kernels::ReduceOp::prod, kernels::ReduceOp::all,
                                 kernels::ReduceOp::any}) {
      if (dtype == DType::bool_ && op == kernels::ReduceOp::mean) continue;
      for (const auto& axes : axis_sets) {
        for (bool keepdims : {false, true}) {
          CAPTURE(dtype_name(dtype));
          CAPTURE(static_cast<int>(op));
          CAPTURE(axes.size());
          check_same(kernels::reduce({op, gpu(x), axes, keepdims}), kernels::reduce({op, x, axes, keepdims}));
        }
      }
    }
    for (int64_t axis = 0; axis < 3; ++axis) {
      for (bool is_max : {true, false}) {
        check_same(kernels::arg_reduce(gpu(x), axis, false, is_max), kernels::arg_reduce(x, axis, false, is_max));
      }
    }
  }
  // One long row and NaN stickiness.
  const Tensor long_row = random_input({100003}, 5).astype(DType::float32);
  check_same(kernels::reduce({kernels::ReduceOp::sum, gpu(long_row), {0}, false}),
             kernels::reduce({kernels::ReduceOp::sum, long_row, {0}, false}));
  const Tensor with_nan = Tensor({1.f, NAN, 3.f, 2.f}, {2, 2});
  check_same(kernels::reduce({kernels::ReduceOp::max, gpu(with_nan), {1}, false}),
             kernels::reduce({kernels::ReduceOp::max, with_nan, {1}, false}));
  check_same(kernels::arg_reduce(gpu(with_nan), 1, false, true), kernels::arg_reduce(with_nan, 1, false, true));
}

TEST_CASE("cuda softmax and log_softmax match the CPU along every axis") {
  if (!cuda_ready()) return;
  for (DType dtype : {DType::float32, DType::float64, DType::bfloat16}) {
    const Tensor x = (random_input({4, 33, 7}, 6) * 5.0).astype(dtype);
    for (int64_t axis = 0; axis < 3; ++axis) {
      for (bool log : {false, true}) {
        CAPTURE(axis);
        CAPTURE(log);
        check_same(kernels::softmax(gpu(x), axis, log), kernels::softmax(x, axis, log));
      }
    }
  }
}

TEST_CASE("cuda random draws the CPU's Philox stream") {
  if (!cuda_ready()) return;
  for (DType dtype : {DType::float32, DType::float64, DType::float16}) {
    for (auto dist : {kernels::Distribution::uniform, kernels::Distribution::normal,
                      kernels::Distribution::truncated_normal}) {
      kernels::RandomArgs args{dist, Shape{3, 1001}, dtype, -0.5, 2.0, 42, 7};
      const Tensor want = kernels::random(args);
      args.device = kCuda;
      CAPTURE(dtype_name(dtype));
      CAPTURE(static_cast<int>(dist));
      check_same(kernels::random(args), want);
    }
  }
}

TEST_CASE("cuda optimizer updates match the CPU's fused updates") {
  if (!cuda_ready()) return;
  for (DType dtype : {DType::float32, DType::float64}) {
    const Shape shape{1037};
    auto fresh = [&](uint64_t seed, double scale = 1.0) { return (random_input(shape, seed) * scale).astype(dtype); };
    const Tensor g = fresh(10);
    for (bool amsgrad : {false, true}) {
      Tensor w = fresh(11), m = fresh(12, 0.1), v = ops::abs(fresh(13, 0.1)), vh = ops::abs(fresh(14, 0.1));
      Tensor wc = gpu(w), mc = gpu(m), vc = gpu(v), vhc = gpu(vh), gc = gpu(g);
      const Tensor none;
      kernels::adam_update({w, m, v, amsgrad ? vh : none, g, 1e-3, 0.9, 0.999, 1e-7, 3});
      kernels::adam_update({wc, mc, vc, amsgrad ? vhc : none, gc, 1e-3, 0.9, 0.999, 1e-7, 3});
      check_same(wc, w);
      check_same(mc, m);
      check_same(vc, v);
    }
    for (bool nesterov : {false, true}) {
      Tensor w = fresh(15), m = fresh(16);
      Tensor wc = gpu(w), mc = gpu(m), gc = gpu(g);
      kernels::sgd_update({w, m, g, 0.01, 0.9, nesterov});
      kernels::sgd_update({wc, mc, gc, 0.01, 0.9, nesterov});
      check_same(wc, w);
      check_same(mc, m);
    }
    {
      Tensor w = fresh(17), vel = ops::abs(fresh(18)), mom = fresh(19), avg = fresh(20, 0.01);
      Tensor wc = gpu(w), velc = gpu(vel), momc = gpu(mom), avgc = gpu(avg), gc = gpu(g);
      kernels::rmsprop_update({w, vel, mom, avg, g, 1e-3, 0.9, 0.5, 1e-7});
      kernels::rmsprop_update({wc, velc, momc, avgc, gc, 1e-3, 0.9, 0.5, 1e-7});
      check_same(wc, w);
      check_same(velc, vel);
      kernels::weight_decay_update(w, 0.004, 0.01);
      kernels::weight_decay_update(wc, 0.004, 0.01);
      check_same(wc, w);
    }
    CHECK(kernels::fused_update_supported(dtype, kCuda));
  }
}

TEST_CASE("cuda convolution forward and backward match the CPU for every layout, rank and window") {
  if (!cuda_ready()) return;
  struct Case {
    Shape spatial, kernel;
    std::vector<int64_t> strides, dilation, pad_l, pad_r;
    int64_t groups;
  };
  const Case cases[] = {{{11}, {3}, {2}, {1}, {1}, {1}, 1},
                        {{13}, {4}, {1}, {2}, {1}, {2}, 3},
                        {{9, 7}, {3, 3}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, 1},
                        {{10, 9}, {3, 2}, {2, 1}, {1, 2}, {1, 0}, {1, 1}, 3},
                        {{8, 7}, {4, 4}, {3, 2}, {1, 1}, {1, 2}, {2, 1}, 1},
                        {{5, 6, 7}, {2, 3, 2}, {1, 2, 1}, {2, 1, 1}, {1, 1, 0}, {1, 1, 1}, 3}};
  for (DType dtype : {DType::float32, DType::float64}) {
    for (bool channels_first : {false, true}) {
      for (const Case& c : cases) {
        CAPTURE(dtype_name(dtype));
        CAPTURE(channels_first);
        CAPTURE(c.spatial.str());
        const int64_t n = 2, cin = 6, cout = 9;
        std::vector<int64_t> xs{n};
        if (channels_first) xs.push_back(cin);
        xs.insert(xs.end(), c.spatial.dims().begin(), c.spatial.dims().end());
        if (!channels_first) xs.push_back(cin);
        std::vector<int64_t> ws = c.kernel.dims();
        ws.push_back(cin / c.groups);
        ws.push_back(cout);
        const kernels::ConvGeometry geom{c.strides, c.dilation, c.pad_l, c.pad_r, c.groups, channels_first};
        const Tensor x = input(Shape(xs), 21, dtype), w = input(Shape(ws), 22, dtype), b = input({cout}, 23, dtype);
        for (auto act : {kernels::ConvActivation::none, kernels::ConvActivation::relu}) {
          const Tensor want = kernels::conv_forward({x, w, geom, b, act});
          check_same(kernels::conv_forward({gpu(x), gpu(w), geom, gpu(b), act}), want, true);
        }
        const Tensor y = kernels::conv_forward({x, w, geom});
        const Tensor dy = input(y.shape(), 24, dtype);
        check_same(kernels::conv_backward_data({gpu(dy), gpu(w), x.shape(), geom}),
                   kernels::conv_backward_data({dy, w, x.shape(), geom}), true);
        const Tensors want = kernels::conv_backward_weights({x, dy, w.shape(), geom, true});
        const Tensors got = kernels::conv_backward_weights({gpu(x), gpu(dy), w.shape(), geom, true});
        REQUIRE(got.size() == 2);
        check_same(got[0], want[0], true);
        check_same(got[1], want[1], true);
      }
    }
  }
}

TEST_CASE("cuda pooling forward and backward match the CPU for max and avg, every layout and rank") {
  if (!cuda_ready()) return;
  struct Case {
    Shape spatial;
    std::vector<int64_t> kernel, strides, pad_l, pad_r;
  };
  const Case cases[] = {{{11}, {3}, {2}, {1}, {1}},
                        {{9, 8}, {2, 2}, {2, 2}, {0, 0}, {1, 0}},
                        {{7, 9}, {3, 2}, {1, 2}, {1, 0}, {1, 1}},
                        {{5, 6, 7}, {2, 3, 2}, {2, 1, 2}, {0, 1, 1}, {1, 1, 0}}};
  for (DType dtype : {DType::float32, DType::float64}) {
    for (bool channels_last : {true, false}) {
      for (const Case& c : cases) {
        std::vector<int64_t> xs{2};
        if (!channels_last) xs.push_back(5);
        xs.insert(xs.end(), c.spatial.dims().begin(), c.spatial.dims().end());
        if (channels_last) xs.push_back(5);
        const kernels::PoolWindow window{c.kernel, c.strides, c.pad_l, c.pad_r, channels_last};
        const Tensor x = input(Shape(xs), 31, dtype);
        for (auto alg : {kernels::PoolAlgorithm::max, kernels::PoolAlgorithm::avg}) {
          CAPTURE(dtype_name(dtype));
          CAPTURE(channels_last);
          CAPTURE(c.spatial.str());
          CAPTURE(static_cast<int>(alg));
          const kernels::PoolForwardResult want = kernels::pool_forward({alg, x, window, true});
          const kernels::PoolForwardResult got = kernels::pool_forward({alg, gpu(x), window, true});
          check_same(got.dst, want.dst);
          const Tensor dy = input(want.dst.shape(), 32, dtype);
          const Tensor expected = kernels::pool_backward({alg, dy, x.shape(), window, x});
          check_same(kernels::pool_backward({alg, gpu(dy), x.shape(), window, gpu(x)}), expected);
          if (alg == kernels::PoolAlgorithm::max) {
            REQUIRE(got.workspace.defined());
            check_same(kernels::pool_backward({alg, gpu(dy), x.shape(), window, Tensor(), got.workspace}), expected);
          }
        }
      }
    }
  }
}

TEST_CASE("cuda batch and layer normalization match the CPU forward and backward") {
  if (!cuda_ready()) return;
  for (DType dtype : {DType::float32, DType::float64}) {
    const Tensor x = input({6, 5, 7}, 41, dtype), dy = input({6, 5, 7}, 42, dtype);
    for (int64_t axis : {int64_t{1}, int64_t{2}}) {
      const int64_t c = x.shape()[axis];
      const Tensor scale = input({c}, 43, dtype), shift = input({c}, 44, dtype);
      const kernels::BatchNormForwardResult want = kernels::batch_norm_forward({x, axis, 1e-3, scale, shift});
      const kernels::BatchNormForwardResult got =
          kernels::batch_norm_forward({gpu(x), axis, 1e-3, gpu(scale), gpu(shift)});
      check_same(got.dst, want.dst);
      check_same(got.mean, want.mean);
      check_same(got.variance, want.variance);
      const Tensor var = ops::abs(scale);
      check_same(kernels::batch_norm_forward({gpu(x), axis, 1e-3, gpu(scale), gpu(shift), gpu(shift), gpu(var)}).dst,
                 kernels::batch_norm_forward({x, axis, 1e-3, scale, shift, shift, var}).dst);
      const kernels::BatchNormBackwardResult bw =
          kernels::batch_norm_backward({x, dy, want.mean, want.variance, axis, 1e-3, scale, true});
      const kernels::BatchNormBackwardResult bg = kernels::batch_norm_backward(
          {gpu(x), gpu(dy), gpu(want.mean), gpu(want.variance), axis, 1e-3, gpu(scale), true});
      check_same(bg.diff_src, bw.diff_src);
      check_same(bg.diff_scale, bw.diff_scale);
      check_same(bg.diff_shift, bw.diff_shift);
    }
    const Tensor scale = input({7}, 45, dtype), shift = input({7}, 46, dtype);
    const kernels::LayerNormForwardResult want = kernels::layer_norm_forward({x, 7, 1e-5, scale, shift});
    const kernels::LayerNormForwardResult got = kernels::layer_norm_forward({gpu(x), 7, 1e-5, gpu(scale), gpu(shift)});
    check_same(got.dst, want.dst);
    check_same(got.mean, want.mean);
    check_same(got.variance, want.variance);
    const kernels::LayerNormBackwardResult lw =
        kernels::layer_norm_backward({x, dy, want.mean, want.variance, 7, 1e-5, scale, true, Shape{7}});
    const kernels::LayerNormBackwardResult lg = kernels::layer_norm_backward(
        {gpu(x), gpu(dy), gpu(want.mean), gpu(want.variance), 7, 1e-5, gpu(scale), true, Shape{7}});
    check_same(lg.diff_src, lw.diff_src);
    check_same(lg.diff_scale, lw.diff_scale);
    check_same(lg.diff_shift, lw.diff_shift);
  }
}

}  // TEST_SUITE
