#include <keras/core/ops/detail.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>
#include <map>
#include <string>

#include "support/gradient_check.h"

using namespace keras;
using keras::testing::check_allclose;
using keras::testing::check_gradients;
using keras::testing::random_input;

namespace {

// A naive einsum over every assignment of the labels, in double: the reference the fast paths
// (transpose + reshape + matmul) are checked against.
Tensor reference_einsum(const std::string& inputs_spec, const std::string& output, const Tensors& xs) {
  std::vector<std::string> terms{""};
  for (char c : inputs_spec) {
    if (c == ',') terms.emplace_back();
    else terms.back() += c;
  }
  std::map<char, int64_t> sizes;
  for (size_t t = 0; t < terms.size(); ++t) {
    for (size_t i = 0; i < terms[t].size(); ++i) sizes[terms[t][i]] = xs[t].shape().dims()[i];
  }
  std::string labels;
  for (auto [c, n] : sizes) labels += c;
  std::vector<std::vector<double>> values;
  for (const Tensor& x : xs) values.push_back(x.to_vector<double>());
  std::vector<int64_t> out_dims;
  for (char c : output) out_dims.push_back(sizes[c]);
  const Shape out_shape(out_dims);
  std::vector<double> out(static_cast<size_t>(out_shape.size()), 0.0);
  std::map<char, int64_t> at;
  for (char c : labels) at[c] = 0;
  auto flat = [&](const std::string& term, const Shape& shape) {
    int64_t f = 0;
    for (size_t i = 0; i < term.size(); ++i) f = f * shape.dims()[i] + at[term[i]];
    return static_cast<size_t>(f);
  };
  while (true) {
    double p = 1.0;
    for (size_t t = 0; t < terms.size(); ++t) p *= values[t][flat(terms[t], xs[t].shape())];
    out[flat(output, out_shape)] += p;
    size_t k = labels.size();
    while (k > 0) {
      const char c = labels[k - 1];
      if (++at[c] < sizes[c]) break;
      at[c] = 0;
      --k;
    }
    if (k == 0) break;
  }
  return Tensor::from_vector(out, out_shape);
}

// NumPy matmul in double, for batch-broadcast checks.
Tensor reference_matmul(const Tensor& a, const Tensor& b) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  const int64_t r = sa.rank();
  std::vector<int64_t> out_dims;
  for (int64_t i = 0; i < r - 2; ++i) out_dims.push_back(std::max(sa[i], sb[i]));
  const int64_t m = sa[-2], k = sa[-1], n = sb[-1];
  out_dims.push_back(m);
  out_dims.push_back(n);
  const Shape out_shape(out_dims);
  const auto va = a.to_vector<double>(), vb = b.to_vector<double>();
  std::vector<double> out(static_cast<size_t>(out_shape.size()));
  int64_t batches = 1;
  for (int64_t i = 0; i < r - 2; ++i) batches *= out_dims[static_cast<size_t>(i)];
  for (int64_t bi = 0; bi < batches; ++bi) {
    int64_t rest = bi, oa = 0, ob = 0, step_a = m * k, step_b = k * n;
    for (int64_t d = r - 3; d >= 0; --d) {
      const int64_t idx = rest % out_dims[static_cast<size_t>(d)];
      rest /= out_dims[static_cast<size_t>(d)];
      if (sa[d] != 1) oa += idx * step_a;
      if (sb[d] != 1) ob += idx * step_b;
      step_a *= sa[d];
      step_b *= sb[d];
    }
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t l = 0; l < k; ++l) s += va[static_cast<size_t>(oa + i * k + l)] * vb[static_cast<size_t>(ob + l * n + j)];
        out[static_cast<size_t>((bi * m + i) * n + j)] = s;
      }
    }
  }
  return Tensor::from_vector(out, out_shape);
}

const Tensor kA = Tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
const Tensor kB = Tensor({7.f, 8.f, 9.f, 10.f, 11.f, 12.f}, {3, 2});
const Tensor kAB = Tensor({58.f, 64.f, 139.f, 154.f}, {2, 2});

}  // namespace

TEST_SUITE("core") {

TEST_CASE("matmul multiplies (2, 3) by (3, 2)") {
  check_allclose(ops::matmul(kA, kB), kAB);
}

TEST_CASE("matmul treats a 1-D x1 as a row and a 1-D x2 as a column, dropping the added axis") {
  const Tensor v({1.f, 2.f, 3.f});
  check_allclose(ops::matmul(v, kB), Tensor({58.f, 64.f}));
  check_allclose(ops::matmul(kA, Tensor({1.f, 1.f, 1.f})), Tensor({6.f, 15.f}));
  const Tensor inner = ops::matmul(v, Tensor({4.f, 5.f, 6.f}));
  CHECK(inner.shape() == Shape{});
  CHECK(inner.item<float>() == 32.f);
}

TEST_CASE("matmul with a 1-D operand broadcasts it over the other's batch") {
  const Tensor x = random_input({2, 3, 4}, 1);
  const Tensor v = random_input({4}, 2);
  const Tensor y = ops::matmul(x, v);
  CHECK(y.shape() == Shape{2, 3});
  check_allclose(y, ops::reshape(reference_matmul(x, ops::reshape(v, {1, 4, 1})), {2, 3}), 1e-12, 1e-12);
  const Tensor w = random_input({3}, 3);
  const Tensor z = ops::matmul(w, x);
  CHECK(z.shape() == Shape{2, 4});
  check_allclose(z, ops::reshape(reference_matmul(ops::broadcast_to(ops::reshape(w, {1, 1, 3}), {2, 1, 3}), x), {2, 4}),
                 1e-12, 1e-12);
}

TEST_CASE("matmul broadcasts batch axes: (2, 1, 3, 4) @ (1, 5, 4, 6) is (2, 5, 3, 6)") {
  const Tensor a = random_input({2, 1, 3, 4}, 4);
  const Tensor b = random_input({1, 5, 4, 6}, 5);
  const Tensor expected = reference_matmul(a, b);
  const Tensor y64 = ops::matmul(a, b);
  CHECK(y64.shape() == Shape{2, 5, 3, 6});
  check_allclose(y64, expected, 1e-12, 1e-12);
  // float32 goes through oneDNN with stride-0 batch axes.
  const Tensor y32 = ops::matmul(a.astype(DType::float32), b.astype(DType::float32));
  CHECK(y32.dtype() == DType::float32);
  check_allclose(y32, expected, 1e-5, 1e-5);
}

TEST_CASE("matmul lifts a lower-rank operand to the other's batch rank") {
  const Tensor a = random_input({3, 2, 4}, 6);
  const Tensor b = random_input({4, 5}, 7);
  const Tensor y = ops::matmul(a.astype(DType::float32), b.astype(DType::float32));
  CHECK(y.shape() == Shape{3, 2, 5});
  check_allclose(y, reference_matmul(a, ops::reshape(b, {1, 4, 5})), 1e-5, 1e-5);
}

TEST_CASE("matmul computes float64 and int32 products exactly") {
  check_allclose(ops::matmul(kA.astype(DType::float64), kB.astype(DType::float64)), kAB.astype(DType::float64), 0, 0);
  const Tensor y = ops::matmul(kA.astype(DType::int32), kB.astype(DType::int32));
  CHECK(y.dtype() == DType::int32);
  CHECK(y.to_vector<int32_t>() == std::vector<int32_t>{58, 64, 139, 154});
}

TEST_CASE("matmul promotes mixed dtypes") {
  const Tensor y = ops::matmul(kA.astype(DType::int32), kB.astype(DType::float64));
  CHECK(y.dtype() == DType::float64);
  check_allclose(y, kAB);
}

TEST_CASE("matmul of transposed operands inside gradients matches the plain product") {
  // detail::matmul_t folds the transposes into strides; gradients of a matmul exercise all four forms.
  const Tensor a = random_input({3, 4}, 8).astype(DType::float32);
  const Tensor b = random_input({4, 5}, 9).astype(DType::float32);
  GradientTape tape;
  tape.watch(a);
  tape.watch(b);
  const Tensor y = ops::matmul(a, b);
  const Tensor dy = random_input({3, 5}, 10).astype(DType::float32);
  const Tensors g = tape.gradient(y, {a, b}, {.output_gradients = {dy}});
  check_allclose(g[0], ops::matmul(dy, ops::transpose(b)), 1e-5, 1e-5);
  check_allclose(g[1], ops::matmul(ops::transpose(a), dy), 1e-5, 1e-5);
}

TEST_CASE("float32 matmul gradients with broadcast batch axes agree with float64") {
  // float32 runs the transposed, stride-0-batch products of the backward pass on oneDNN.
  const Tensor a = random_input({2, 1, 3, 4}, 60), b = random_input({1, 5, 4, 6}, 61);
  auto grads = [](const Tensor& x, const Tensor& y) {
    GradientTape tape;
    tape.watch(x);
    tape.watch(y);
    return tape.gradient(ops::sum(ops::square(ops::matmul(x, y))), {x, y});
  };
  const Tensors g64 = grads(a, b);
  const Tensors g32 = grads(a.astype(DType::float32), b.astype(DType::float32));
  check_allclose(g32[0], g64[0], 1e-4, 1e-5);
  check_allclose(g32[1], g64[1], 1e-4, 1e-5);
}

TEST_CASE("matmul with an empty inner axis gives zeros") {
  const Tensor y = ops::matmul(ops::zeros({2, 0}), ops::zeros({0, 3}));
  CHECK(y.shape() == Shape{2, 3});
  CHECK(y.to_vector<float>() == std::vector<float>(6, 0.f));
}

TEST_CASE("matmul broadcasts an empty batch axis against a size-1 one") {
  const Tensor y = ops::matmul(ops::zeros({0, 2, 3}), ops::ones({1, 3, 4}));
  CHECK(y.shape() == Shape{0, 2, 4});
}

TEST_CASE("matmul names both shapes when they are incompatible") {
  CHECK_THROWS_WITH_AS(ops::matmul(ops::zeros({2, 3}), ops::zeros({4, 5})), doctest::Contains("(2, 3) and (4, 5)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::matmul(ops::zeros({2, 3, 4}), ops::zeros({3, 4, 5})),
                       doctest::Contains("(2, 3, 4) and (3, 4, 5)"), ValueError);
  CHECK_THROWS_WITH_AS(ops::matmul(Tensor::scalar(1.f), ops::zeros({2})), doctest::Contains("rank >= 1"), ValueError);
}

TEST_CASE("matmul gradients match finite differences") {
  check_gradients([](const Tensors& x) { return ops::matmul(x[0], x[1]); }, {random_input({2, 3}, 11), random_input({3, 4}, 12)});
  check_gradients([](const Tensors& x) { return ops::matmul(x[0], x[1]); }, {random_input({3}, 13), random_input({3, 2}, 14)});
  check_gradients([](const Tensors& x) { return ops::matmul(x[0], x[1]); }, {random_input({2, 3}, 15), random_input({3}, 16)});
  check_gradients([](const Tensors& x) { return ops::matmul(x[0], x[1]); }, {random_input({3}, 17), random_input({3}, 18)});
}

TEST_CASE("matmul gradients sum over broadcast batch axes") {
  check_gradients([](const Tensors& x) { return ops::matmul(x[0], x[1]); },
                  {random_input({2, 1, 3, 4}, 19), random_input({1, 5, 4, 6}, 20)});
  check_gradients([](const Tensors& x) { return ops::matmul(x[0], x[1]); }, {random_input({3, 2, 4}, 21), random_input({4, 2}, 22)});
}

TEST_CASE("transpose reverses the axes by default") {
  const Tensor x = ops::reshape(ops::arange(24.0), {2, 3, 4});
  const Tensor y = ops::transpose(x);
  CHECK(y.shape() == Shape{4, 3, 2});
  const auto v = y.to_vector<float>();
  // y[k, j, i] = x[i, j, k] = 12 i + 4 j + k
  CHECK(v[0] == 0.f);
  CHECK(v[1] == 12.f);          // y[0, 0, 1]
  CHECK(v[2] == 4.f);           // y[0, 1, 0]
  CHECK(v[(3 * 3 + 2) * 2 + 1] == 23.f);  // y[3, 2, 1]
  check_allclose(ops::transpose(kA), Tensor({1.f, 4.f, 2.f, 5.f, 3.f, 6.f}, {3, 2}));
}

TEST_CASE("transpose permutes explicit and negative axes") {
  const Tensor x = ops::reshape(ops::arange(24.0), {2, 3, 4});
  const Tensor y = ops::transpose(x, {1, 0, 2});
  CHECK(y.shape() == Shape{3, 2, 4});
  CHECK(y.to_vector<float>()[4] == 12.f);  // y[0, 1, 0] = x[1, 0, 0]
  const Tensor z = ops::transpose(x, {-1, 0, 1});
  CHECK(z.shape() == Shape{4, 2, 3});
  CHECK(z.to_vector<float>()[6 + 5] == 12.f + 8.f + 1.f);  // z[1, 1, 2] = x[1, 2, 1]
}

TEST_CASE("transpose rejects a wrong number of axes, repeats and out-of-range axes") {
  const Tensor x = ops::zeros({2, 3, 4});
  CHECK_THROWS_WITH_AS(ops::transpose(x, {0, 1}), doctest::Contains("rank 3"), ValueError);
  CHECK_THROWS_WITH_AS(ops::transpose(x, {0, 1, 1}), doctest::Contains("repeated"), ValueError);
  CHECK_THROWS_WITH_AS(ops::transpose(x, {0, 1, -1, 2}), doctest::Contains("rank 3"), ValueError);
  CHECK_THROWS_WITH_AS(ops::transpose(x, {0, 1, 3}), doctest::Contains("out of bounds"), ValueError);
}

TEST_CASE("transpose gradients match finite differences") {
  check_gradients([](const Tensors& x) { return ops::transpose(x[0], {2, 0, 1}); }, {random_input({2, 3, 4}, 23)});
}

TEST_CASE("dot of scalars and tensors multiplies") {
  check_allclose(ops::dot(Tensor::scalar(2.f), kA), kA * 2.0);
  check_allclose(ops::dot(kA, Tensor::scalar(3.f)), kA * 3.0);
}

TEST_CASE("dot of two vectors is their inner product") {
  const Tensor y = ops::dot(Tensor({1.f, 2.f, 3.f}), Tensor({4.f, 5.f, 6.f}));
  CHECK(y.shape() == Shape{});
  CHECK(y.item<float>() == 32.f);
}

TEST_CASE("dot of matrices and vectors follows NumPy") {
  check_allclose(ops::dot(kA, kB), kAB);
  check_allclose(ops::dot(kA, Tensor({1.f, 0.f, -1.f})), Tensor({-2.f, -2.f}));
  check_allclose(ops::dot(Tensor({1.f, -1.f}), kA), Tensor({-3.f, -3.f, -3.f}));
  // N-D . 1-D sums over the last axis: (2, 2, 3) . (3,) -> (2, 2)
  const Tensor x = ops::reshape(ops::arange(12.0), {2, 2, 3});
  check_allclose(ops::dot(x, Tensor({1.f, 1.f, 1.f})), Tensor({3.f, 12.f, 21.f, 30.f}, {2, 2}));
}

TEST_CASE("dot of N-D and M-D tensors pairs every row of x1 with every matrix of x2") {
  // numpy.dot(a, b)[i, j, k, m] = sum(a[i, j, :] * b[k, :, m]), unlike matmul's broadcasting.
  const Tensor a = random_input({2, 4, 3}, 24);
  const Tensor b = random_input({5, 3, 2}, 25);
  const Tensor y = ops::dot(a, b);
  CHECK(y.shape() == Shape{2, 4, 5, 2});
  check_allclose(y, reference_einsum("ijl,klm", "ijkm", {a, b}), 1e-12, 1e-12);
  const Tensor c = random_input({3, 4}, 26);
  const Tensor d = random_input({2, 3, 4, 5}, 27);
  check_allclose(ops::dot(c, d), reference_einsum("il,jklm", "ijkm", {c, d}), 1e-12, 1e-12);
  // 1-D . M-D contracts x2's second-to-last axis
  const Tensor v = random_input({4}, 28);
  check_allclose(ops::dot(v, d), reference_einsum("k,ijkl", "ijl", {v, d}), 1e-12, 1e-12);
}

TEST_CASE("dot names both shapes when the contracted axes differ") {
  CHECK_THROWS_WITH_AS(ops::dot(ops::zeros({2, 3}), ops::zeros({4, 5})),
                       doctest::Contains("(2, 3) and (4, 5): the last axis of x1 (3) must equal the second-to-last axis of x2 (4)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::dot(ops::zeros({3}), ops::zeros({4})), doctest::Contains("only axis of x2 (4)"), ValueError);
}

TEST_CASE("dot gradients match finite differences") {
  check_gradients([](const Tensors& x) { return ops::dot(x[0], x[1]); }, {random_input({2, 4, 3}, 29), random_input({2, 3, 2}, 30)});
  check_gradients([](const Tensors& x) { return ops::dot(x[0], x[1]); }, {random_input({3}, 31), random_input({3}, 32)});
  check_gradients([](const Tensors& x) { return ops::dot(x[0], x[1]); }, {Tensor::scalar(1.5), random_input({2, 2}, 33)});
}

TEST_CASE("einsum takes traces and diagonals") {
  const Tensor x({1.f, 2.f, 3.f, 4.f}, {2, 2});
  check_allclose(ops::einsum("ii->i", {x}), Tensor({1.f, 4.f}));
  CHECK(ops::einsum("ii->", {x}).item<float>() == 5.f);
  CHECK(ops::einsum("ii", {x}).item<float>() == 5.f);
  // a diagonal of two axes among three: y[i, j] = x[i, i, j]
  const Tensor z = ops::reshape(ops::arange(12.0), {2, 2, 3});
  check_allclose(ops::einsum("iij->ij", {z}), Tensor({0.f, 1.f, 2.f, 9.f, 10.f, 11.f}, {2, 3}));
  check_allclose(ops::einsum("iij->j", {z}), Tensor({9.f, 11.f, 13.f}));
  check_allclose(ops::einsum("iii->i", {ops::reshape(ops::arange(8.0), {2, 2, 2})}), Tensor({0.f, 7.f}));
}

TEST_CASE("einsum sums and transposes a single operand") {
  const Tensor x({1.f, 2.f, 3.f, 4.f}, {2, 2});
  CHECK(ops::einsum("ij->", {x}).item<float>() == 10.f);
  check_allclose(ops::einsum("ij->j", {x}), Tensor({4.f, 6.f}));
  check_allclose(ops::einsum("ij->i", {x}), Tensor({3.f, 7.f}));
  check_allclose(ops::einsum("ij->ji", {x}), Tensor({1.f, 3.f, 2.f, 4.f}, {2, 2}));
  check_allclose(ops::einsum("ij", {x}), x);
  // implicit output is the sorted labels: "ji" means x[j, i] -> out[i, j], a transpose
  check_allclose(ops::einsum("ji", {x}), Tensor({1.f, 3.f, 2.f, 4.f}, {2, 2}));
  const Tensor z = ops::reshape(ops::arange(24.0), {2, 3, 4});
  check_allclose(ops::einsum("ijk->kji", {z}), ops::transpose(z));
  check_allclose(ops::einsum("ijk->ik", {z}), ops::sum(z, 1));
}

TEST_CASE("einsum multiplies matrices, explicitly and implicitly") {
  check_allclose(ops::einsum("ij,jk->ik", {kA, kB}), kAB);
  check_allclose(ops::einsum("ij,jk", {kA, kB}), kAB);
  check_allclose(ops::einsum("ij,jk->ki", {kA, kB}), ops::transpose(kAB));
  check_allclose(ops::einsum("ij,kj->ik", {kA, ops::transpose(kB)}), kAB);
  check_allclose(ops::einsum("Ab,bC->AC", {kA, kB}), kAB);
}

TEST_CASE("einsum runs batch matmuls") {
  const Tensor a({1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 2.f, 4.f, 6.f, 8.f, 10.f, 12.f}, {2, 2, 3});
  const Tensor b({7.f, 8.f, 9.f, 10.f, 11.f, 12.f, 7.f, 8.f, 9.f, 10.f, 11.f, 12.f}, {2, 3, 2});
  const Tensor y = ops::einsum("bij,bjk->bik", {a, b});
  check_allclose(y, Tensor({58.f, 64.f, 139.f, 154.f, 116.f, 128.f, 278.f, 308.f}, {2, 2, 2}));
}

TEST_CASE("einsum forms outer, inner and elementwise products") {
  check_allclose(ops::einsum("i,j->ij", {Tensor({1.f, 2.f}), Tensor({3.f, 4.f, 5.f})}),
                 Tensor({3.f, 4.f, 5.f, 6.f, 8.f, 10.f}, {2, 3}));
  const Tensor u({1.f, 2.f, 3.f}), v({4.f, 5.f, 6.f});
  CHECK(ops::einsum("i,i->", {u, v}).item<float>() == 32.f);
  CHECK(ops::einsum("i,i", {u, v}).item<float>() == 32.f);
  check_allclose(ops::einsum("i,i->i", {u, v}), Tensor({4.f, 10.f, 18.f}));
  check_allclose(ops::einsum("ij,ij->ij", {kA, kA}), kA * kA);
  check_allclose(ops::einsum(",i->i", {Tensor::scalar(2.f), u}), Tensor({2.f, 4.f, 6.f}));
}

TEST_CASE("einsum performs general contractions") {
  const Tensor a = random_input({2, 3, 4}, 34);
  const Tensor b = random_input({3, 2, 5}, 35);
  check_allclose(ops::einsum("ijk,jil->kl", {a, b}), reference_einsum("ijk,jil", "kl", {a, b}), 1e-12, 1e-12);
  check_allclose(ops::einsum("ijk,jil->lik", {a, b}), reference_einsum("ijk,jil", "lik", {a, b}), 1e-12, 1e-12);
  // a label summed within one operand only, and a diagonal inside a contraction
  const Tensor c = random_input({3, 3, 2}, 36);
  const Tensor d = random_input({2, 4}, 37);
  check_allclose(ops::einsum("iik,kl->l", {c, d}), reference_einsum("iik,kl", "l", {c, d}), 1e-12, 1e-12);
  check_allclose(ops::einsum("ijk,kl->il", {c, d}), reference_einsum("ijk,kl", "il", {c, d}), 1e-12, 1e-12);
}

TEST_CASE("einsum chains three operands left to right") {
  const Tensor a = random_input({2, 3}, 38), b = random_input({3, 4}, 39), c = random_input({4, 2}, 40);
  check_allclose(ops::einsum("ij,jk,kl->il", {a, b, c}), reference_einsum("ij,jk,kl", "il", {a, b, c}), 1e-12, 1e-12);
  check_allclose(ops::einsum("ij,jk,ki->", {a, b, c}), reference_einsum("ij,jk,ki", "", {a, b, c}), 1e-12, 1e-12);
}

TEST_CASE("einsum keeps integer dtypes and promotes mixed ones") {
  const Tensor y = ops::einsum("ij,jk->ik", {kA.astype(DType::int32), kB.astype(DType::int32)});
  CHECK(y.dtype() == DType::int32);
  CHECK(y.to_vector<int32_t>() == std::vector<int32_t>{58, 64, 139, 154});
  CHECK(ops::einsum("ij,jk->ik", {kA.astype(DType::int32), kB.astype(DType::float64)}).dtype() == DType::float64);
}

TEST_CASE("einsum rejects malformed subscripts") {
  const Tensor x = ops::zeros({2, 3});
  CHECK_THROWS_WITH_AS(ops::einsum("ij-ji", {x}), doctest::Contains("unexpected character '-'"), ValueError);
  CHECK_THROWS_WITH_AS(ops::einsum("ij->j->i", {x}), doctest::Contains("in the output"), ValueError);
  CHECK_THROWS_WITH_AS(ops::einsum("i1", {x}), doctest::Contains("unexpected character '1'"), ValueError);
  CHECK_THROWS_WITH_AS(ops::einsum("i.j", {x}), doctest::Contains("ellipsis"), ValueError);
  CHECK_THROWS_WITH_AS(ops::einsum("ij->ii", {x}), doctest::Contains("output label 'i' is repeated"), ValueError);
  CHECK_THROWS_WITH_AS(ops::einsum("ij->k", {x}), doctest::Contains("'k' does not appear"), ValueError);
}

TEST_CASE("einsum says ellipses are not supported") {
  CHECK_THROWS_WITH_AS(ops::einsum("...ij->...ji", {ops::zeros({2, 3})}), doctest::Contains("not supported"),
                       NotImplementedError);
}

TEST_CASE("einsum rejects operand count, rank and dimension mismatches") {
  const Tensor x = ops::zeros({2, 3}), y = ops::zeros({4, 5});
  CHECK_THROWS_WITH_AS(ops::einsum("ij,jk->ik", {x}), doctest::Contains("name 2 operand(s), but 1 were given"), ValueError);
  CHECK_THROWS_WITH_AS(ops::einsum("ij", {x, y}), doctest::Contains("name 1 operand(s), but 2 were given"), ValueError);
  CHECK_THROWS_WITH_AS(ops::einsum("ijk", {x}), doctest::Contains("operand 0 has shape (2, 3) (rank 2)"), ValueError);
  CHECK_THROWS_WITH_AS(ops::einsum("ij,jk->ik", {x, y}),
                       doctest::Contains("label 'j' has size 3 in operand 0 of shape (2, 3) but size 4 in operand 1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ops::einsum("ii", {x}), doctest::Contains("label 'i' has size 2"), ValueError);
  CHECK_THROWS_WITH_AS(ops::einsum("", {}), doctest::Contains("at least one operand"), ValueError);
}

TEST_CASE("einsum gradients match finite differences") {
  auto check = [](const char* spec, const Tensors& inputs) {
    CAPTURE(spec);
    check_gradients([spec](const Tensors& x) { return ops::einsum(spec, x); }, inputs);
  };
  check("ii->i", {random_input({3, 3}, 41)});
  check("ii->", {random_input({3, 3}, 42)});
  check("iij->ji", {random_input({2, 2, 3}, 43)});
  check("ij->", {random_input({2, 3}, 44)});
  check("ij->ji", {random_input({2, 3}, 45)});
  check("bij,bjk->bik", {random_input({2, 2, 3}, 46), random_input({2, 3, 2}, 47)});
  check("i,j->ij", {random_input({2}, 48), random_input({3}, 49)});
  check("ijk,jil->kl", {random_input({2, 3, 2}, 50), random_input({3, 2, 2}, 51)});
  check("iik,kl->l", {random_input({2, 2, 3}, 52), random_input({3, 2}, 53)});
  check("ij,jk,kl->il", {random_input({2, 3}, 54), random_input({3, 2}, 55), random_input({2, 2}, 56)});
}

TEST_CASE("einsum's diagonal has a second derivative") {
  // The gradient of sum(diag(x)^3) is 3 diag(x)^2 on the diagonal; its own gradient runs through the
  // backward rule of the diagonal's backward rule.
  check_gradients(
      [](const Tensors& x) {
        GradientTape inner;
        inner.watch(x[0]);
        const Tensor d = ops::einsum("ii->i", {x[0]});
        return inner.gradient(ops::sum(ops::square(d) * d), x[0]);
      },
      {random_input({2, 2}, 57)});
}

TEST_CASE("detail::dense equals matmul, add and relu, with their gradients, to the bit") {
  const Tensor x = random_input({64, 300}, 1).astype(DType::float32);
  const Tensor k = random_input({300, 200}, 2).astype(DType::float32);
  const Tensor b = random_input({200}, 3).astype(DType::float32);
  const Tensor seed = random_input({64, 200}, 4).astype(DType::float32);
  for (bool relu : {false, true}) {
    for (bool with_bias : {false, true}) {
      CAPTURE(relu);
      CAPTURE(with_bias);
      const Tensor bias = with_bias ? b : Tensor();
      auto run = [&](bool fused) {
        GradientTape tape;
        tape.watch(Tensors{x, k, b});
        Tensor y;
        if (fused) {
          y = ops::detail::dense(x, k, bias, relu);
        } else {
          y = ops::matmul(x, k);
          if (with_bias) y = y + b;
          if (relu) y = ops::relu(y);
        }
        Tensors out{y};
        for (const Tensor& g : tape.gradient(y, Tensors{x, k, b}, {.output_gradients = {seed}})) out.push_back(g);
        return out;
      };
      const Tensors fused = run(true), plain = run(false);
      for (size_t i = 0; i < (with_bias ? 4u : 3u); ++i) {
        CAPTURE(i);
        REQUIRE(fused[i].shape() == plain[i].shape());
        CHECK(std::memcmp(fused[i].data(), plain[i].data(), fused[i].nbytes()) == 0);
      }
    }
  }
}

TEST_CASE("detail::relu_grad passes dy where y > 0 and 0 elsewhere, even a NaN or inf dy") {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
  std::vector<float> y, dy;
  for (int i = 0; i < 40; ++i) {  // long enough for the vector loop, odd count for its tail
    y.push_back(i % 3 == 0 ? 0.f : (i % 3 == 1 ? 2.f : -1.f));
    dy.push_back(i % 4 == 0 ? nan : (i % 4 == 1 ? inf : static_cast<float>(i)));
  }
  y.push_back(nan);
  dy.push_back(5.f);
  const std::vector<float> dx =
      ops::detail::relu_grad(Tensor::from_vector(dy), Tensor::from_vector(y)).to_vector<float>();
  for (size_t i = 0; i < y.size(); ++i) {
    CAPTURE(i);
    if (y[i] > 0) {
      CHECK((std::isnan(dy[i]) ? std::isnan(dx[i]) : dx[i] == dy[i]));
    } else {
      CHECK(dx[i] == 0.f);
    }
  }
}

TEST_CASE("detail::dense keeps a NaN through relu and has finite-difference gradients") {
  const Tensor x = Tensor({std::nan(""), 1.0}, {1, 2});
  const Tensor y = ops::detail::dense(x, ops::ones({2, 1}, DType::float64), Tensor(), true);
  CHECK(std::isnan(y.item<double>()));
  check_gradients([](const Tensors& in) { return ops::detail::dense(in[0], in[1], in[2], true); },
                  {random_input({3, 4}, 5), random_input({4, 5}, 6), random_input({5}, 7)});
  check_gradients([](const Tensors& in) { return ops::detail::dense(in[0], in[1], Tensor(), false); },
                  {random_input({3, 4}, 8), random_input({4, 5}, 9)});
  CHECK_THROWS_WITH_AS(ops::detail::dense(ops::ones({2, 3}), ops::ones({4, 5}), Tensor(), false),
                       doctest::Contains("dense: expected x (batch, d)"), ValueError);
}

}  // TEST_SUITE
