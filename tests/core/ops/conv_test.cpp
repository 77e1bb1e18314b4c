#include <keras/keras.h>

#include <doctest/doctest.h>

#include <array>
#include <string>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;
using keras::testing::random_input;

namespace {

// Every shape padded in front to three spatial axes: x (N, s0, s1, s2, C), w (k0, k1, k2, Ci, O).
struct Spatial3 {
  std::array<int64_t, 3> v{1, 1, 1};
  int64_t& operator[](size_t i) { return v[i]; }
  int64_t operator[](size_t i) const { return v[i]; }
};

Spatial3 pad3(const std::vector<int64_t>& values, int64_t fill) {
  Spatial3 s;
  s.v = {fill, fill, fill};
  for (size_t i = 0; i < values.size(); ++i) s[3 - values.size() + i] = values[i];
  return s;
}

std::vector<int64_t> repeat(std::vector<int64_t> v, size_t n) { return v.size() == 1 ? std::vector<int64_t>(n, v[0]) : v; }

// Direct convolution in nested loops, channels_last, from the definition: output position o reads
// input o * stride - pad_before + k * dilation, zeros outside; "same" pads TensorFlow's way.
Tensor reference_conv(const Tensor& x, const Tensor& w, std::vector<int64_t> strides, const std::string& padding,
                      std::vector<int64_t> dilation, bool causal = false) {
  const size_t nsp = static_cast<size_t>(x.rank() - 2);
  strides = repeat(strides, nsp);
  dilation = repeat(dilation, nsp);
  const auto& xd = x.shape().dims();
  const auto& wd = w.shape().dims();
  const int64_t n = xd[0], c = xd.back(), ci = wd[nsp], o = wd.back(), groups = c / ci, og = o / groups;
  Spatial3 in = pad3({xd.begin() + 1, xd.end() - 1}, 1), k = pad3({wd.begin(), wd.end() - 2}, 1);
  Spatial3 s = pad3(strides, 1), d = pad3(dilation, 1), out, before;
  for (size_t i = 0; i < 3; ++i) {
    const int64_t eff = (k[i] - 1) * d[i] + 1;
    if (padding == "same") {
      out[i] = (in[i] + s[i] - 1) / s[i];
      const int64_t total = std::max<int64_t>((out[i] - 1) * s[i] + eff - in[i], 0);
      before[i] = causal ? total : total / 2;
    } else {
      out[i] = (in[i] - eff) / s[i] + 1;
      before[i] = 0;
    }
  }
  const auto xv = x.to_vector<double>();
  const auto wv = w.to_vector<double>();
  std::vector<double> y(static_cast<size_t>(n * out[0] * out[1] * out[2] * o), 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t p0 = 0; p0 < out[0]; ++p0)
      for (int64_t p1 = 0; p1 < out[1]; ++p1)
        for (int64_t p2 = 0; p2 < out[2]; ++p2)
          for (int64_t oc = 0; oc < o; ++oc) {
            double acc = 0;
            const int64_t g = oc / og;
            for (int64_t k0 = 0; k0 < k[0]; ++k0)
              for (int64_t k1 = 0; k1 < k[1]; ++k1)
                for (int64_t k2 = 0; k2 < k[2]; ++k2) {
                  const int64_t i0 = p0 * s[0] - before[0] + k0 * d[0];
                  const int64_t i1 = p1 * s[1] - before[1] + k1 * d[1];
                  const int64_t i2 = p2 * s[2] - before[2] + k2 * d[2];
                  if (i0 < 0 || i0 >= in[0] || i1 < 0 || i1 >= in[1] || i2 < 0 || i2 >= in[2]) continue;
                  for (int64_t ic = 0; ic < ci; ++ic) {
                    const int64_t xi = (((b * in[0] + i0) * in[1] + i1) * in[2] + i2) * c + g * ci + ic;
                    const int64_t wi = (((k0 * k[1] + k1) * k[2] + k2) * ci + ic) * o + oc;
                    acc += xv[static_cast<size_t>(xi)] * wv[static_cast<size_t>(wi)];
                  }
                }
            y[static_cast<size_t>((((b * out[0] + p0) * out[1] + p1) * out[2] + p2) * o + oc)] = acc;
          }
  std::vector<int64_t> dims{n};
  for (size_t i = 3 - nsp; i < 3; ++i) dims.push_back(out[i]);
  dims.push_back(o);
  return Tensor::from_vector(y, Shape(dims));
}

// Transposed convolution as TensorFlow defines it: every input element scatters kernel * value onto
// the full output ((in - 1) * stride + dilated kernel long), which is then cropped to `out_len`
// starting at the forward convolution's "same" padding (0 for "valid"). Kernel (*k, O, C).
Tensor reference_conv_transpose(const Tensor& x, const Tensor& w, std::vector<int64_t> strides,
                                const std::string& padding, const std::vector<int64_t>& out_len,
                                std::vector<int64_t> dilation = {1}) {
  const size_t nsp = static_cast<size_t>(x.rank() - 2);
  strides = repeat(strides, nsp);
  dilation = repeat(dilation, nsp);
  const auto& xd = x.shape().dims();
  const auto& wd = w.shape().dims();
  const int64_t n = xd[0], c = xd.back(), o = wd[nsp];
  Spatial3 in = pad3({xd.begin() + 1, xd.end() - 1}, 1), k = pad3({wd.begin(), wd.end() - 2}, 1);
  Spatial3 s = pad3(strides, 1), d = pad3(dilation, 1), out = pad3(out_len, 1), crop;
  for (size_t i = 0; i < 3; ++i) {
    const int64_t eff = (k[i] - 1) * d[i] + 1;
    crop[i] = padding == "same" ? std::max<int64_t>((in[i] - 1) * s[i] + eff - out[i], 0) / 2 : 0;
  }
  const auto xv = x.to_vector<double>();
  const auto wv = w.to_vector<double>();
  std::vector<double> y(static_cast<size_t>(n * out[0] * out[1] * out[2] * o), 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t p0 = 0; p0 < in[0]; ++p0)
      for (int64_t p1 = 0; p1 < in[1]; ++p1)
        for (int64_t p2 = 0; p2 < in[2]; ++p2)
          for (int64_t ic = 0; ic < c; ++ic) {
            const double v = xv[static_cast<size_t>((((b * in[0] + p0) * in[1] + p1) * in[2] + p2) * c + ic)];
            for (int64_t k0 = 0; k0 < k[0]; ++k0)
              for (int64_t k1 = 0; k1 < k[1]; ++k1)
                for (int64_t k2 = 0; k2 < k[2]; ++k2) {
                  const int64_t q0 = p0 * s[0] + k0 * d[0] - crop[0];
                  const int64_t q1 = p1 * s[1] + k1 * d[1] - crop[1];
                  const int64_t q2 = p2 * s[2] + k2 * d[2] - crop[2];
                  if (q0 < 0 || q0 >= out[0] || q1 < 0 || q1 >= out[1] || q2 < 0 || q2 >= out[2]) continue;
                  for (int64_t oc = 0; oc < o; ++oc) {
                    const int64_t wi = (((k0 * k[1] + k1) * k[2] + k2) * o + oc) * c + ic;
                    y[static_cast<size_t>((((b * out[0] + q0) * out[1] + q1) * out[2] + q2) * o + oc)] +=
                        v * wv[static_cast<size_t>(wi)];
                  }
                }
          }
  std::vector<int64_t> dims{n};
  for (size_t i = 3 - nsp; i < 3; ++i) dims.push_back(out[i]);
  dims.push_back(o);
  return Tensor::from_vector(y, Shape(dims));
}

// Depthwise convolution from the definition: output channel c * M + m is input channel c
// convolved with kernel[..., c, m].
Tensor reference_depthwise(const Tensor& x, const Tensor& w, std::vector<int64_t> strides, const std::string& padding,
                           std::vector<int64_t> dilation) {
  const int64_t c = x.shape()[-1];
  Tensors outs;
  for (int64_t ch = 0; ch < c; ++ch) {
    std::vector<int64_t> start(static_cast<size_t>(x.rank()), 0), size = x.shape().dims();
    start.back() = ch;
    size.back() = 1;
    const Tensor xc = ops::slice(x, start, size);
    std::vector<int64_t> wstart(static_cast<size_t>(w.rank()), 0), wsize = w.shape().dims();
    wstart[wstart.size() - 2] = ch;
    wsize[wsize.size() - 2] = 1;
    outs.push_back(reference_conv(xc, ops::slice(w, wstart, wsize), strides, padding, dilation));
  }
  return ops::concatenate(outs, -1);
}

// channels_last <-> channels_first.
Tensor to_first(const Tensor& x) {
  std::vector<int64_t> perm{0, x.rank() - 1};
  for (int64_t i = 1; i < x.rank() - 1; ++i) perm.push_back(i);
  return ops::transpose(x, perm);
}
Tensor to_last(const Tensor& x) {
  std::vector<int64_t> perm{0};
  for (int64_t i = 2; i < x.rank(); ++i) perm.push_back(i);
  perm.push_back(1);
  return ops::transpose(x, perm);
}

// The op in float64 (reference loops) and float32 (oneDNN) against the reference.
void check_conv(const Shape& xs, const Shape& ws, const ops::ConvOptions& o, uint64_t seed) {
  const Tensor x = random_input(xs, seed), w = random_input(ws, seed + 1);
  const Tensor expected = reference_conv(x, w, o.strides, o.padding, o.dilation_rate);
  INFO("x " << xs.str() << " w " << ws.str() << " padding " << o.padding);
  check_allclose(ops::conv(x, w, o), expected, 1e-12, 1e-12);
  check_allclose(ops::conv(x.astype(DType::float32), w.astype(DType::float32), o), expected, 1e-4, 1e-4);
}

}  // namespace

TEST_SUITE("core") {

TEST_CASE("conv matches direct loops in 1-D, 2-D and 3-D with odd sizes, strides, dilation and padding") {
  check_conv({2, 9, 3}, {3, 3, 4}, {}, 1);
  check_conv({2, 10, 3}, {4, 3, 5}, {.strides = {3}, .padding = "same"}, 2);
  check_conv({2, 7, 9, 3}, {3, 2, 3, 5}, {.strides = {2, 1}, .padding = "same"}, 3);
  check_conv({2, 8, 8, 2}, {2, 2, 2, 3}, {.padding = "same"}, 4);  // even kernel: TF pads more after
  check_conv({1, 11, 10, 3}, {3, 3, 3, 4}, {.padding = "same", .dilation_rate = {2, 3}}, 5);
  check_conv({1, 9, 9, 2}, {3, 3, 2, 3}, {.strides = {2}, .dilation_rate = {2}}, 6);
  check_conv({2, 5, 6, 7, 2}, {2, 3, 2, 2, 3}, {.strides = {1, 2, 1}, .padding = "same"}, 7);
  check_conv({1, 6, 5, 5, 3}, {3, 1, 3, 3, 2}, {.strides = {2}}, 8);
}

TEST_CASE("conv infers groups from the kernel's input channels") {
  check_conv({2, 7, 7, 6}, {3, 3, 2, 9}, {.padding = "same"}, 11);  // 3 groups
  check_conv({2, 9, 4}, {3, 1, 8}, {.strides = {2}}, 12);            // depthwise-like, 4 groups
  check_conv({1, 4, 5, 6, 4}, {2, 2, 2, 2, 4}, {}, 13);              // 3-D, 2 groups
}

TEST_CASE("conv in float16 and bfloat16 computes in float32 and keeps the dtype") {
  const Tensor x = random_input({2, 6, 5, 3}, 91), w = random_input({3, 3, 3, 4}, 92);
  for (DType dtype : {DType::float16, DType::bfloat16}) {
    const Tensor xh = x.astype(dtype), wh = w.astype(dtype);
    const Tensor y = ops::conv(xh, wh, {.padding = "same"});
    CHECK(y.dtype() == dtype);
    check_allclose(y, reference_conv(xh.astype(DType::float64), wh.astype(DType::float64), {1}, "same", {1}), 3e-2, 3e-2);
  }
}

TEST_CASE("conv in channels_first equals channels_last on transposed inputs") {
  const Tensor x = random_input({2, 8, 7, 4}, 21), w = random_input({3, 3, 2, 6}, 22);
  const Tensor expected = reference_conv(x, w, {2}, "same", {1});
  for (DType dtype : {DType::float64, DType::float32}) {
    const Tensor y = ops::conv(to_first(x).astype(dtype), w.astype(dtype),
                               {.strides = {2}, .padding = "same", .data_format = "channels_first"});
    CHECK(y.shape() == Shape{2, 6, 4, 4});
    check_allclose(to_last(y), expected, 1e-5, 1e-5);
  }
  const Tensor x1 = random_input({2, 9, 3}, 23), w1 = random_input({2, 3, 2}, 24);
  check_allclose(to_last(ops::conv(to_first(x1), w1, {.data_format = "channels_first", .dilation_rate = {3}})),
                 reference_conv(x1, w1, {1}, "valid", {3}), 1e-12, 1e-12);
}

TEST_CASE("conv gives hand-computed values") {
  // [1 2 3 4] * [1 0 -1] valid: [1 - 3, 2 - 4]; "same" pads one zero on each side.
  const Tensor x({1.f, 2.f, 3.f, 4.f}, {1, 4, 1});
  const Tensor w({1.f, 0.f, -1.f}, {3, 1, 1});
  check_allclose(ops::conv(x, w), Tensor({-2.f, -2.f}, {1, 2, 1}));
  check_allclose(ops::conv(x, w, {.padding = "same"}), Tensor({-2.f, -2.f, -2.f, 3.f}, {1, 4, 1}));
  // Even kernel [1 1], "same" on length 3: TF pads the one zero after: [1+2, 2+3, 3+0].
  check_allclose(ops::conv(Tensor({1.f, 2.f, 3.f}, {1, 3, 1}), Tensor({1.f, 1.f}, {2, 1, 1}), {.padding = "same"}),
                 Tensor({3.f, 5.f, 3.f}, {1, 3, 1}));
}

TEST_CASE("conv_bias_activation fuses bias and relu and pads causally") {
  const Tensor x = random_input({2, 6, 5, 3}, 31), w = random_input({3, 3, 3, 4}, 32), b = random_input({4}, 33);
  const Tensor expected = ops::relu(reference_conv(x, w, {1}, "same", {1}) + b);
  check_allclose(ops::conv_bias_activation(x, w, b, {.padding = "same"}, "relu"), expected, 1e-12, 1e-12);
  check_allclose(ops::conv_bias_activation(x.astype(DType::float32), w.astype(DType::float32),
                                           b.astype(DType::float32), {.padding = "same"}, "relu"),
                 expected, 1e-4, 1e-4);
  check_allclose(ops::conv_bias_activation(x, w, Tensor(), {.strides = {2}}, "relu"),
                 ops::relu(reference_conv(x, w, {2}, "valid", {1})), 1e-12, 1e-12);
  // Causal: y[t] sees x[t - (k - 1) * d .. t] only.
  const Tensor x1 = random_input({2, 7, 2}, 34), w1 = random_input({3, 2, 3}, 35);
  const Tensor causal = reference_conv(x1, w1, {1}, "same", {2}, /*causal=*/true);
  check_allclose(ops::conv_bias_activation(x1, w1, Tensor(), {.padding = "causal", .dilation_rate = {2}}), causal,
                 1e-12, 1e-12);
  check_allclose(ops::conv_bias_activation(x1.astype(DType::float32), w1.astype(DType::float32), Tensor(),
                                           {.padding = "causal", .dilation_rate = {2}}),
                 causal, 1e-4, 1e-4);
  CHECK_THROWS_WITH_AS(ops::conv_bias_activation(x, w, b, {}, "tanh"), doctest::Contains("'linear' or 'relu'"),
                       ValueError);
}

TEST_CASE("conv_transpose matches the scatter definition, with output_padding and dilation") {
  struct Case {
    Shape xs, ws;
    ops::ConvTransposeOptions o;
    std::vector<int64_t> out;
  };
  const std::vector<Case> cases = {
      {{2, 4, 3}, {3, 5, 3}, {.strides = {2}}, {9}},
      {{2, 4, 3}, {3, 5, 3}, {.strides = {2}, .padding = "same"}, {8}},
      {{1, 3, 4, 2}, {3, 2, 4, 2}, {.strides = {2, 3}, .output_padding = std::vector<int64_t>{1, 2}}, {8, 13}},
      {{1, 5, 4, 2}, {2, 2, 3, 2}, {.strides = {2}, .padding = "same"}, {10, 8}},
      {{1, 5, 4, 2}, {3, 3, 3, 2}, {.strides = {2}, .padding = "same", .output_padding = std::vector<int64_t>{1}},
       {10, 8}},
      {{2, 3, 4, 3, 2}, {2, 3, 2, 3, 2}, {.strides = {1, 2, 1}}, {4, 9, 4}},
      {{1, 6, 2}, {3, 2, 2}, {.padding = "same", .dilation_rate = {2}}, {6}},
  };
  for (const Case& c : cases) {
    const Tensor x = random_input(c.xs, 41), w = random_input(c.ws, 42);
    const std::string padding = c.o.padding;
    const Tensor expected = reference_conv_transpose(x, w, c.o.strides, padding, c.out, c.o.dilation_rate);
    INFO("x " << c.xs.str() << " w " << c.ws.str());
    check_allclose(ops::conv_transpose(x, w, c.o), expected, 1e-12, 1e-12);
    check_allclose(ops::conv_transpose(x.astype(DType::float32), w.astype(DType::float32), c.o), expected, 1e-4,
                   1e-4);
  }
  // [1 2] through [1 1 1] at stride 2: positions 0..2 get 1, 2..4 get 2.
  check_allclose(ops::conv_transpose(Tensor({1.f, 2.f}, {1, 2, 1}), Tensor({1.f, 1.f, 1.f}, {3, 1, 1}), {.strides = {2}}),
                 Tensor({1.f, 1.f, 3.f, 2.f, 2.f}, {1, 5, 1}));
  const Tensor x = random_input({2, 4, 3, 3}, 43), w = random_input({3, 3, 2, 3}, 44);
  check_allclose(to_last(ops::conv_transpose(to_first(x), w, {.strides = {2}, .padding = "same",
                                                              .data_format = "channels_first"})),
                 reference_conv_transpose(x, w, {2}, "same", {8, 6}), 1e-12, 1e-12);
}

TEST_CASE("depthwise_conv and separable_conv match per-channel convolutions") {
  const Tensor x = random_input({2, 7, 6, 3}, 51), dw = random_input({3, 2, 3, 2}, 52), pw = random_input({1, 1, 6, 4}, 53);
  for (const ops::ConvOptions& o : {ops::ConvOptions{}, ops::ConvOptions{.strides = {2}, .padding = "same"},
                                     ops::ConvOptions{.padding = "same", .dilation_rate = {2}}}) {
    const Tensor expected = reference_depthwise(x, dw, o.strides, o.padding, o.dilation_rate);
    check_allclose(ops::depthwise_conv(x, dw, o), expected, 1e-12, 1e-12);
    check_allclose(ops::depthwise_conv(x.astype(DType::float32), dw.astype(DType::float32), o), expected, 1e-4, 1e-4);
    const Tensor sep = reference_conv(expected, pw, {1}, "valid", {1});
    check_allclose(ops::separable_conv(x, dw, pw, o), sep, 1e-12, 1e-12);
    check_allclose(ops::separable_conv(x.astype(DType::float32), dw.astype(DType::float32), pw.astype(DType::float32), o),
                   sep, 1e-4, 1e-4);
  }
  const Tensor x1 = random_input({2, 9, 2}, 54), dw1 = random_input({3, 2, 3}, 55);
  check_allclose(to_last(ops::depthwise_conv(to_first(x1), dw1, {.strides = {2}, .data_format = "channels_first"})),
                 reference_depthwise(x1, dw1, {2}, "valid", {1}), 1e-12, 1e-12);
}

TEST_CASE("conv gradients match finite differences") {
  check_gradients([](const Tensors& a) { return ops::conv(a[0], a[1], {.strides = {2}, .padding = "same"}); },
                  {random_input({2, 5, 6, 4}, 61), random_input({2, 3, 2, 4}, 62)});  // 2 groups, even kernel
  check_gradients([](const Tensors& a) { return ops::conv(a[0], a[1], {.dilation_rate = {2}}); },
                  {random_input({2, 7, 2}, 63), random_input({2, 2, 3}, 64)});
  check_gradients([](const Tensors& a) { return ops::conv(a[0], a[1], {.padding = "same", .data_format = "channels_first"}); },
                  {random_input({1, 2, 3, 4, 3}, 65), random_input({2, 2, 2, 2, 2}, 66)});
  check_gradients(
      [](const Tensors& a) { return ops::conv_bias_activation(a[0], a[1], a[2], {.padding = "causal"}, "relu"); },
      {random_input({2, 6, 3}, 67), random_input({3, 3, 2}, 68), random_input({2}, 69)});
  check_gradients(
      [](const Tensors& a) {
        return ops::conv_transpose(a[0], a[1], {.strides = {2}, .padding = "same",
                                                .output_padding = std::vector<int64_t>{1}});
      },
      {random_input({1, 3, 4, 2}, 70), random_input({3, 3, 3, 2}, 71)});
  check_gradients([](const Tensors& a) { return ops::depthwise_conv(a[0], a[1], {.padding = "same"}); },
                  {random_input({2, 5, 4, 2}, 72), random_input({3, 2, 2, 2}, 73)});
  check_gradients([](const Tensors& a) { return ops::separable_conv(a[0], a[1], a[2]); },
                  {random_input({1, 5, 4, 2}, 74), random_input({2, 2, 2, 2}, 75), random_input({1, 1, 4, 3}, 76)});
}

// conv_bias_activation's gradients in float32 (oneDNN, or the patch matmul for up to four input
// channels) against float64's (reference loops), for the kernel, the bias and the input.
void check_float32_gradients(const Shape& xs, const Shape& ws, const ops::ConvOptions& o, uint64_t seed) {
  const Tensor x = random_input(xs, seed), w = random_input(ws, seed + 1);
  const Tensor b = random_input({ws[ws.rank() - 1]}, seed + 2);
  auto grads = [&](DType dtype) {
    Tensors args{x.astype(dtype), w.astype(dtype), b.astype(dtype)};
    GradientTape tape;
    tape.watch(args);
    const Tensor y = ops::conv_bias_activation(args[0], args[1], args[2], o, "relu");
    // A weighting that differs per output element, so a swapped or misplaced gradient shows.
    const Tensor weight = random_input(y.shape(), seed + 3).astype(dtype);
    return tape.gradient(ops::sum(y * weight), args);
  };
  const Tensors want = grads(DType::float64), got = grads(DType::float32);
  INFO("x " << xs.str() << " w " << ws.str() << " padding " << o.padding);
  for (size_t i = 0; i < want.size(); ++i) check_allclose(got[i].astype(DType::float64), want[i], 1e-4, 1e-4);
}

TEST_CASE("conv's float32 gradients equal float64's, through oneDNN (direct and Winograd) and through the patch matmul") {
  check_float32_gradients({2, 28, 28, 1}, {3, 3, 1, 8}, {}, 91);  // a first layer: the patch matmul
  check_float32_gradients({3, 7, 9, 3}, {3, 2, 3, 5}, {.strides = {2, 1}, .padding = "same"}, 92);
  check_float32_gradients({1, 11, 10, 2}, {3, 3, 2, 4}, {.padding = "same", .dilation_rate = {2, 3}}, 93);
  check_float32_gradients({2, 8, 8, 4}, {2, 2, 4, 3}, {.padding = "same"}, 94);  // even kernel, four channels
  check_float32_gradients({1, 11, 1}, {3, 1, 3}, {.padding = "causal"}, 95);  // 11 positions: one chunk
  check_float32_gradients({2, 5, 6, 7, 2}, {2, 3, 2, 2, 3}, {.strides = {1, 2, 1}, .padding = "same"}, 96);
  check_float32_gradients({2, 7, 9, 5}, {3, 3, 5, 4}, {.padding = "same"}, 97);  // five channels: oneDNN
  // 3x3, stride 1, 16+ channels: the weights' gradient through oneDNN's Winograd kernel, where the CPU has it.
  check_float32_gradients({2, 7, 9, 16}, {3, 3, 16, 16}, {.padding = "same"}, 98);
  check_float32_gradients({3, 13, 11, 17}, {3, 3, 17, 20}, {}, 99);
  check_float32_gradients({2, 16, 6, 7}, {3, 3, 16, 18}, {.padding = "same", .data_format = "channels_first"}, 100);
}

TEST_CASE("conv has second derivatives: the gradient of a gradient matches finite differences") {
  // d/dx and d/dw of sum(conv(x, w)^2) are themselves convolutions of conv's output; differentiate those.
  auto grad_of = [](const Tensors& a, size_t which) {
    GradientTape tape;
    tape.watch(a);
    const Tensor y = ops::conv(a[0], a[1], {.strides = {2}, .padding = "same"});
    const Tensor loss = ops::sum(ops::square(y));
    return tape.gradient(loss, a)[which];
  };
  const Tensors args{random_input({1, 5, 4, 2}, 81), random_input({3, 2, 2, 3}, 82)};
  check_gradients([&](const Tensors& a) { return grad_of(a, 0); }, args);
  check_gradients([&](const Tensors& a) { return grad_of(a, 1); }, args);
}

TEST_CASE("conv rejects mismatched shapes with Keras-style messages") {
  const Tensor x = ops::zeros({2, 5, 5, 3});
  CHECK_THROWS_WITH_AS(ops::conv(x, ops::zeros({3, 3, 3})),
                       doctest::Contains("conv: kernel shape must have the same length as input, but received kernel "
                                         "of shape (3, 3, 3) and input of shape (2, 5, 5, 3)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::conv(x, ops::zeros({3, 3, 2, 4})),
                       doctest::Contains("not a multiple of the kernel's 2 input channels (kernel shape (3, 3, 2, 4))"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::conv(x, ops::zeros({3, 3, 1, 4})),
                       doctest::Contains("filters (kernel shape (3, 3, 1, 4)) are not divisible by the 3 groups"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::conv(x, ops::zeros({7, 3, 3, 4})),
                       doctest::Contains("computed output size would be negative. Received `inputs shape=(2, 5, 5, 3)`"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::conv(x, ops::zeros({3, 3, 3, 4}), {.padding = "causal"}),
                       doctest::Contains("padding must be 'valid', 'same'"), ValueError);
  CHECK_THROWS_WITH_AS(ops::conv(x, ops::zeros({3, 3, 3, 4}), {.strides = {1, 2, 3}}),
                       doctest::Contains("`strides` argument must be a tuple of 2 integers"), ValueError);
  CHECK_THROWS_WITH_AS(ops::conv(ops::zeros({2, 3}), ops::zeros({2, 3})), doctest::Contains("rank 3, 4 or 5"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::conv_transpose(x, ops::zeros({3, 3, 4, 2})),
                       doctest::Contains("conv_transpose: the kernel's last axis (input channels) must equal"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::depthwise_conv(x, ops::zeros({3, 3, 2, 1})),
                       doctest::Contains("depthwise_conv: the kernel's input channels"), ValueError);
  CHECK_THROWS_WITH_AS(ops::separable_conv(x, ops::zeros({3, 3, 3, 1}), ops::zeros({2, 1, 3, 4})),
                       doctest::Contains("pointwise kernel of spatial size 1"), ValueError);
  CHECK_THROWS_WITH_AS(ops::conv(x, ops::zeros({3, 3, 3, 4}), {.data_format = "nhwc"}),
                       doctest::Contains("data_format must be"), ValueError);
}

}  // TEST_SUITE
