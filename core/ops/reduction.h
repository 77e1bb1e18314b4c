#pragma once
#include <keras/core/tensor.h>

#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

namespace keras::ops {

/// The `axis` argument of a reduction: None (every axis), one axis, or several.
/// sum(x) sums all, sum(x, 1) one axis, sum(x, {0, 2}) two. Negative axes count from the end.
class Axes {
 public:
  Axes() = default;
  Axes(int64_t axis) : axes_(std::vector<int64_t>{axis}) {}  // NOLINT: sum(x, 1)
  Axes(int axis) : Axes(static_cast<int64_t>(axis)) {}      // NOLINT
  Axes(std::initializer_list<int64_t> axes) : axes_(std::vector<int64_t>(axes)) {}
  explicit Axes(std::vector<int64_t> axes) : axes_(std::move(axes)) {}
  bool is_none() const { return !axes_; }
  /// Sorted, unique, non-negative axes for a tensor of `rank`; throws ValueError naming `op`.
  std::vector<int64_t> resolve(int64_t rank, std::string_view op) const;

 private:
  std::optional<std::vector<int64_t>> axes_;
};

Tensor sum(const Tensor& x, Axes axis = {}, bool keepdims = false);
Tensor mean(const Tensor& x, Axes axis = {}, bool keepdims = false);
Tensor max(const Tensor& x, Axes axis = {}, bool keepdims = false);
Tensor min(const Tensor& x, Axes axis = {}, bool keepdims = false);
Tensor prod(const Tensor& x, Axes axis = {}, bool keepdims = false);
/// Biased variance (divides by N), as Keras.
Tensor var(const Tensor& x, Axes axis = {}, bool keepdims = false);
Tensor std(const Tensor& x, Axes axis = {}, bool keepdims = false);
Tensor logsumexp(const Tensor& x, Axes axis = {}, bool keepdims = false);
Tensor all(const Tensor& x, Axes axis = {}, bool keepdims = false);
Tensor any(const Tensor& x, Axes axis = {}, bool keepdims = false);
/// Index of the largest element along `axis` (int32); nullopt flattens first, as Keras.
Tensor argmax(const Tensor& x, std::optional<int64_t> axis = std::nullopt, bool keepdims = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> axis = std::nullopt, bool keepdims = false);

}  // namespace keras::ops
