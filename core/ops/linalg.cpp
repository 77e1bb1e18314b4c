#include <keras/core/ops/linalg.h>

#include <keras/core/gradient_tape.h>
#include <keras/core/ops/creation.h>
#include <keras/core/ops/detail.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/manipulation.h>
#include <keras/core/ops/reduction.h>
#include <keras/kernels/copy.h>
#include <keras/kernels/elementwise.h>
#include <keras/kernels/matmul.h>

#include <algorithm>
#include <map>
#include <string>

namespace keras::ops {

namespace detail {

// op(a) @ op(b) for operands of equal rank >= 2 with broadcastable batch axes. The transposes are
// folded into the kernel's strides, so gradients never materialise a transposed copy.
Tensor matmul_t(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  Tensor y = kernels::matmul({a, b, Tensor(), ta, tb});
  autograd::record(y, {a, b}, [a, b, ta, tb](const Tensors& dy, const autograd::NeedsGrad& needs) {
    const Tensor& g = dy[0];
    Tensor da, db;
    if (needs[0]) da = sum_to_shape(ta ? matmul_t(b, g, tb, true) : matmul_t(g, b, false, !tb), a.shape());
    if (needs[1]) db = sum_to_shape(tb ? matmul_t(g, a, true, ta) : matmul_t(a, g, !ta, false), b.shape());
    return Tensors{da, db};
  });
  return y;
}

Tensor relu_grad(const Tensor& dy, const Tensor& y) {
  Tensor dx = kernels::relu_backward(dy, y);
  // Linear in dy; y is relu's output, whose own gradient through this mask is zero almost everywhere.
  autograd::record(dx, {dy, y}, [y](const Tensors& ddx, const autograd::NeedsGrad& needs) {
    return Tensors{needs[0] ? relu_grad(ddx[0], y) : Tensor(), Tensor()};
  });
  return dx;
}

Tensor dense(const Tensor& x, const Tensor& kernel, const Tensor& bias, bool relu) {
  if (x.rank() != 2 || kernel.rank() != 2 || x.shape()[1] != kernel.shape()[0] || x.dtype() != kernel.dtype() ||
      !is_floating(x.dtype()) || (bias.defined() && (bias.dtype() != x.dtype() || bias.shape() != Shape{kernel.shape()[1]}))) {
    throw ValueError("dense: expected x (batch, d), kernel (d, units) and bias (units,) of one floating dtype, got " +
                     x.shape().str() + ", " + kernel.shape().str() + (bias.defined() ? " and " + bias.shape().str() : ""));
  }
  Tensor y = kernels::matmul({.src = x, .weights = kernel, .bias = bias, .relu = relu});
  // As matmul, add and relu's own gradients chained: the same ops in the same order.
  auto backward = [x, kernel, bias_shape = bias.defined() ? bias.shape() : Shape{}, relu, y](
                      const Tensors& dy, const autograd::NeedsGrad& needs) {
    const Tensor dz = relu ? relu_grad(dy[0], y) : dy[0];
    return Tensors{needs[0] ? matmul_t(dz, kernel, false, true) : Tensor(),
                   needs[1] ? matmul_t(x, dz, true, false) : Tensor(),
                   needs.size() > 2 && needs[2] ? sum_to_shape(dz, bias_shape) : Tensor()};
  };
  if (bias.defined()) {
    autograd::record(y, {x, kernel, bias}, backward);
  } else {
    autograd::record(y, {x, kernel}, backward);
  }
  return y;
}

}  // namespace detail

Tensor matmul(const Tensor& x1, const Tensor& x2) {
  detail::require_defined(x1, "matmul");
  detail::require_defined(x2, "matmul");
  if (x1.rank() == 0 || x2.rank() == 0) {
    throw ValueError("matmul: operands must have rank >= 1, got shapes " + x1.shape().str() + " and " + x2.shape().str());
  }
  auto [a, b] = detail::promote(x1, x2);
  // NumPy: a 1-D x1 is a row vector, a 1-D x2 a column vector; the added axis is dropped afterwards.
  if (a.rank() == 1) a = expand_dims(a, 0);
  if (b.rank() == 1) b = expand_dims(b, 1);
  const int64_t k1 = a.shape()[-1], k2 = b.shape()[-2];
  if (k1 != k2) {
    throw ValueError("matmul: incompatible shapes " + x1.shape().str() + " and " + x2.shape().str() +
                     ": the last axis of x1 (" + std::to_string(k1) + ") must equal the second-to-last axis of x2 (" +
                     std::to_string(k2) + ")");
  }
  const Shape ba(std::vector<int64_t>(a.shape().dims().begin(), a.shape().dims().end() - 2));
  const Shape bb(std::vector<int64_t>(b.shape().dims().begin(), b.shape().dims().end() - 2));
  Shape batch;
  try {
    batch = broadcast_shapes(ba, bb, "matmul");
  } catch (const ValueError&) {
    throw ValueError("matmul: incompatible shapes " + x1.shape().str() + " and " + x2.shape().str() +
                     ": the batch axes " + ba.str() + " and " + bb.str() + " do not broadcast");
  }
  // Give both operands the batch rank, so the kernel only broadcasts size-1 batch axes.
  auto lift = [&](const Tensor& t) {
    std::vector<int64_t> dims(static_cast<size_t>(batch.rank() + 2 - t.rank()), 1);
    dims.insert(dims.end(), t.shape().dims().begin(), t.shape().dims().end());
    return t.rank() == batch.rank() + 2 ? t : reshape(t, Shape(dims));
  };
  Tensor y = detail::matmul_t(lift(a), lift(b), false, false);
  std::vector<int64_t> out = batch.dims();
  if (x1.rank() > 1) out.push_back(a.shape()[-2]);
  if (x2.rank() > 1) out.push_back(b.shape()[-1]);
  return y.shape() == Shape(out) ? y : reshape(y, Shape(out));
}

Tensor transpose(const Tensor& x, std::vector<int64_t> axes) {
  detail::require_defined(x, "transpose");
  const int64_t r = x.rank();
  if (axes.empty()) {
    for (int64_t i = r - 1; i >= 0; --i) axes.push_back(i);
  }
  if (static_cast<int64_t>(axes.size()) != r) {
    throw ValueError("transpose: axes has " + std::to_string(axes.size()) + " entries, but the tensor of shape " +
                     x.shape().str() + " has rank " + std::to_string(r));
  }
  std::vector<bool> seen(static_cast<size_t>(r), false);
  for (int64_t& a : axes) {
    a = normalize_axis(a, r, "transpose");
    if (seen[static_cast<size_t>(a)]) throw ValueError("transpose: axis " + std::to_string(a) + " is repeated in axes");
    seen[static_cast<size_t>(a)] = true;
  }
  const auto strides = contiguous_strides(x.shape());
  std::vector<int64_t> dims, perm_strides;
  for (int64_t a : axes) {
    dims.push_back(x.shape().dims()[static_cast<size_t>(a)]);
    perm_strides.push_back(strides[static_cast<size_t>(a)]);
  }
  Tensor y = kernels::strided_copy({x, Shape(dims), perm_strides, 0});
  autograd::record(y, {x}, [axes](const Tensors& dy) {
    std::vector<int64_t> inverse(axes.size());
    for (size_t i = 0; i < axes.size(); ++i) inverse[static_cast<size_t>(axes[i])] = static_cast<int64_t>(i);
    return Tensors{transpose(dy[0], inverse)};
  });
  return y;
}

Tensor dot(const Tensor& x1, const Tensor& x2) {
  detail::require_defined(x1, "dot");
  detail::require_defined(x2, "dot");
  if (x1.rank() == 0 || x2.rank() == 0) return multiply(x1, x2);
  const int64_t k1 = x1.shape()[-1];
  const int64_t k2 = x2.rank() == 1 ? x2.shape()[0] : x2.shape()[-2];
  if (k1 != k2) {
    throw ValueError("dot: incompatible shapes " + x1.shape().str() + " and " + x2.shape().str() +
                     ": the last axis of x1 (" + std::to_string(k1) + ") must equal the " +
                     (x2.rank() == 1 ? "only" : "second-to-last") + " axis of x2 (" + std::to_string(k2) + ")");
  }
  // Where dot and matmul agree (x2 has rank <= 2, or x1 is a vector), matmul does it without copies.
  if (x2.rank() <= 2 || x1.rank() == 1) return matmul(x1, x2);
  // Unlike matmul, dot pairs every row of x1 with every matrix of x2: move x2's contracted axis to the
  // front and the whole product is one (P, K) @ (K, Q * N) matmul.
  const auto& d1 = x1.shape().dims();
  const auto& d2 = x2.shape().dims();
  const int64_t r2 = x2.rank();
  std::vector<int64_t> perm{r2 - 2};
  for (int64_t i = 0; i < r2 - 2; ++i) perm.push_back(i);
  perm.push_back(r2 - 1);
  int64_t p = 1, qn = 1;
  for (size_t i = 0; i + 1 < d1.size(); ++i) p *= d1[i];
  for (size_t i = 0; i < d2.size(); ++i) qn *= static_cast<int64_t>(i) == r2 - 2 ? 1 : d2[i];
  const Tensor y = matmul(reshape(x1, Shape{p, k1}), reshape(transpose(x2, perm), Shape{k1, qn}));
  std::vector<int64_t> out(d1.begin(), d1.end() - 1);
  out.insert(out.end(), d2.begin(), d2.end() - 2);
  out.push_back(d2.back());
  return reshape(y, Shape(out));
}

namespace {

bool is_label(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool has(const std::string& labels, char c) { return labels.find(c) != std::string::npos; }

// Parsed einsum subscripts: one string of labels per operand and the output's labels.
struct Subscripts {
  std::vector<std::string> inputs;
  std::string output;
};

Subscripts parse_subscripts(std::string_view text, size_t num_operands) {
  auto error = [&](const std::string& what) {
    return ValueError("einsum: invalid subscripts \"" + std::string(text) + "\": " + what);
  };
  std::string s;
  for (char c : text) {
    if (c != ' ') s += c;
  }
  if (s.find('.') != std::string::npos) {
    if (s.find("...") != std::string::npos) {
      throw NotImplementedError("einsum: ellipsis (\"...\") in subscripts \"" + std::string(text) +
                                "\" is not supported; name every axis with a letter");
    }
    throw error("'.' may only appear as an ellipsis \"...\"");
  }
  const size_t arrow = s.find("->");
  const std::string lhs = s.substr(0, arrow);
  for (char c : lhs) {
    if (!is_label(c) && c != ',') {
      throw error(std::string("unexpected character '") + c +
                  "'; labels are letters, operands are separated by ',' and the output follows one '->'");
    }
  }
  Subscripts sub;
  size_t start = 0;
  for (size_t comma = lhs.find(','); ; comma = lhs.find(',', start)) {
    sub.inputs.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (sub.inputs.size() != num_operands) {
    throw error("they name " + std::to_string(sub.inputs.size()) + " operand(s), but " +
                std::to_string(num_operands) + " were given");
  }
  if (arrow != std::string::npos) {
    sub.output = s.substr(arrow + 2);
    for (size_t i = 0; i < sub.output.size(); ++i) {
      const char c = sub.output[i];
      if (!is_label(c)) throw error(std::string("unexpected character '") + c + "' in the output");
      if (sub.output.find(c) != i) throw error(std::string("output label '") + c + "' is repeated");
      if (!has(lhs, c)) throw error(std::string("output label '") + c + "' does not appear in any operand");
    }
  } else {
    // NumPy's implicit output: the labels that occur exactly once, in alphabetical order.
    std::map<char, int> count;
    for (char c : lhs) {
      if (c != ',') ++count[c];
    }
    for (auto [c, n] : count) {
      if (n == 1) sub.output += c;
    }
  }
  return sub;
}

// The adjoint of diagonal(): dy on the diagonals of a zero tensor of `shape`.
Tensor embed_diagonal(const Tensor& dy, const std::string& labels, const Shape& shape) {
  std::vector<int64_t> spread;  // dy's axes sit at their label's first occurrence, size 1 at repeats
  Tensor mask;
  for (size_t i = 0; i < labels.size(); ++i) {
    const size_t first = labels.find(labels[i]);
    const int64_t n = shape.dims()[i];
    spread.push_back(first == i ? n : 1);
    if (first != i) {
      std::vector<int64_t> dims(labels.size(), 1);
      dims[first] = dims[i] = n;
      const Tensor e = reshape(eye(n, std::nullopt, 0, dy.dtype()).to(dy.device()), Shape(dims));
      mask = mask.defined() ? multiply(mask, e) : e;
    }
  }
  return multiply(reshape(dy, Shape(spread)), mask);
}

// Axes that share a label reduced to their diagonal ("ii->i"); `labels` becomes the unique labels in
// order of first occurrence. The diagonal is a strided view, so no n^2 mask is built going forward.
Tensor diagonal(const Tensor& x, std::string& labels) {
  std::string unique;
  std::vector<int64_t> dims, strides;
  const auto own = contiguous_strides(x.shape());
  for (size_t i = 0; i < labels.size(); ++i) {
    const size_t u = unique.find(labels[i]);
    if (u == std::string::npos) {
      unique += labels[i];
      dims.push_back(x.shape().dims()[i]);
      strides.push_back(own[i]);
    } else {
      strides[u] += own[i];
    }
  }
  if (unique.size() == labels.size()) return x;
  Tensor y = kernels::strided_copy({x, Shape(dims), strides, 0});
  autograd::record(y, {x}, [all = labels, shape = x.shape()](const Tensors& dy) {
    return Tensors{embed_diagonal(dy[0], all, shape)};
  });
  labels = unique;
  return y;
}

// Sums the axes whose labels are not in `keep`.
Tensor sum_unkept(const Tensor& x, std::string& labels, const std::string& keep) {
  std::vector<int64_t> axes;
  std::string rest;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (has(keep, labels[i])) {
      rest += labels[i];
    } else {
      axes.push_back(static_cast<int64_t>(i));
    }
  }
  if (axes.empty()) return x;
  labels = rest;
  return sum(x, Axes(axes));
}

Tensor permute(const Tensor& x, const std::string& from, const std::string& to) {
  if (from == to) return x;
  std::vector<int64_t> perm;
  for (char c : to) perm.push_back(static_cast<int64_t>(from.find(c)));
  return transpose(x, perm);
}

// a and b contracted over their shared labels that are not in `keep`, as one batched matmul
// (batch, left, contracted) @ (batch, contracted, right). Every other label of a and b is in `keep`.
// `labels` becomes the result's: batch + left + right.
Tensor contract(const Tensor& a, const std::string& la, const Tensor& b, const std::string& lb,
                const std::string& keep, const std::map<char, int64_t>& sizes, std::string& labels) {
  std::string batch, left, contracted, right;
  for (char c : la) {
    if (!has(lb, c)) left += c;
    else if (has(keep, c)) batch += c;
    else contracted += c;
  }
  for (char c : lb) {
    if (!has(la, c)) right += c;
  }
  auto size_of = [&](const std::string& group) {
    int64_t n = 1;
    for (char c : group) n *= sizes.at(c);
    return n;
  };
  const int64_t nb = size_of(batch), nl = size_of(left), nc = size_of(contracted), nr = size_of(right);
  const Tensor a3 = reshape(permute(a, la, batch + left + contracted), Shape{nb, nl, nc});
  const Tensor b3 = reshape(permute(b, lb, batch + contracted + right), Shape{nb, nc, nr});
  // Nothing to sum (outer and elementwise products): a broadcast multiply is exact and cheaper.
  const Tensor y = contracted.empty() ? multiply(a3, b3) : matmul(a3, b3);
  labels = batch + left + right;
  std::vector<int64_t> dims;
  for (char c : labels) dims.push_back(sizes.at(c));
  return reshape(y, Shape(dims));
}

}  // namespace

Tensor einsum(std::string_view subscripts, const Tensors& operands) {
  if (operands.empty()) throw ValueError("einsum: expected at least one operand, got none");
  for (const Tensor& x : operands) detail::require_defined(x, "einsum");
  const Subscripts sub = parse_subscripts(subscripts, operands.size());
  std::map<char, int64_t> sizes;
  std::map<char, size_t> seen_in;
  for (size_t i = 0; i < operands.size(); ++i) {
    const std::string& labels = sub.inputs[i];
    const Shape& shape = operands[i].shape();
    if (static_cast<int64_t>(labels.size()) != shape.rank()) {
      throw ValueError("einsum: operand " + std::to_string(i) + " has shape " + shape.str() + " (rank " +
                       std::to_string(shape.rank()) + "), but its subscripts \"" + labels + "\" name " +
                       std::to_string(labels.size()) + " axes");
    }
    for (size_t j = 0; j < labels.size(); ++j) {
      const char c = labels[j];
      const int64_t n = shape.dims()[j];
      auto [it, inserted] = sizes.emplace(c, n);
      if (inserted) {
        seen_in[c] = i;
      } else if (it->second != n) {
        const size_t k = seen_in[c];
        throw ValueError("einsum: label '" + std::string(1, c) + "' has size " + std::to_string(it->second) +
                         " in operand " + std::to_string(k) + " of shape " + operands[k].shape().str() +
                         " but size " + std::to_string(n) + " in operand " + std::to_string(i) + " of shape " +
                         shape.str());
      }
    }
  }
  DType dtype = operands[0].dtype();
  for (const Tensor& x : operands) dtype = promote_types(dtype, x.dtype());

  // Left to right, each operand is contracted into the running result; a label is summed away as
  // soon as neither the output nor a later operand needs it.
  std::string labels = sub.inputs[0];
  Tensor y = diagonal(cast(operands[0], dtype), labels);
  for (size_t i = 1; i < operands.size(); ++i) {
    std::string later = sub.output;
    for (size_t j = i + 1; j < operands.size(); ++j) later += sub.inputs[j];
    std::string next_labels = sub.inputs[i];
    Tensor next = diagonal(cast(operands[i], dtype), next_labels);
    y = sum_unkept(y, labels, later + next_labels);
    next = sum_unkept(next, next_labels, later + labels);
    std::string joined;
    y = contract(y, labels, next, next_labels, later, sizes, joined);
    labels = joined;
  }
  y = sum_unkept(y, labels, sub.output);
  return permute(y, labels, sub.output);
}

}  // namespace keras::ops
