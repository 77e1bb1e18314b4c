#pragma once
/// The stages behind keras::data::Dataset (an implementation detail, not for users).
#include <keras/data/dataset.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace keras::data::detail {

/// Internal cardinalities beside counts, as tf.data's INFINITE_CARDINALITY and UNKNOWN_CARDINALITY.
inline constexpr int64_t kInfinite = -1;
inline constexpr int64_t kUnknown = -2;

/// One pass over a stage: items until nullopt.
template <class T>
class Stream {
 public:
  virtual ~Stream() = default;
  virtual std::optional<T> next() = 0;
};
using ElementStream = Stream<Element>;
using IndexStream = Stream<int64_t>;

/// The tensors of from_tensor_slices: element i is (t0[i], t1[i], ...).
struct Slices {
  Tensors tensors;
  int64_t length = 0;
  /// Element i, as zero-copy views.
  Element at(int64_t i) const;
  /// The elements at `indices` stacked: one view per component when they are consecutive, else one take.
  Element rows(const std::vector<int64_t>& indices) const;
};

/// 64-bit mixing (splitmix64's finaliser), for seeds derived from seeds.
uint64_t mix64(uint64_t x);

/// A small deterministic generator (splitmix64): the same seed gives the same sequence on every platform,
/// which std's distributions do not promise.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  /// Uniform in [0, n), n > 0, without modulo bias.
  uint64_t below(uint64_t n);

 private:
  uint64_t state_;
};

}  // namespace keras::data::detail

namespace keras::data {

/// A stage of the pipeline. When `slices` is set the stage only reorders, drops or repeats rows of
/// those tensors, so it can hand out row indices instead of elements: a following batch() then
/// gathers a whole batch with one take (or one view) per component instead of stacking rows.
struct Dataset::Source {
  virtual ~Source() = default;
  std::vector<std::string> names;
  int64_t cardinality = detail::kUnknown;
  std::shared_ptr<const detail::Slices> slices;

  /// One pass of elements; the default turns open_indices() into row views of `slices`.
  virtual std::unique_ptr<detail::ElementStream> open() const;
  /// One pass of row indices into `slices`; only for stages with `slices` set.
  virtual std::unique_ptr<detail::IndexStream> open_indices() const;
};

namespace detail {
/// source.open() or source.open_indices(), by the item type.
template <class T>
std::unique_ptr<Stream<T>> open_stream(const Dataset::Source& source) {
  if constexpr (std::is_same_v<T, int64_t>) {
    return source.open_indices();
  } else {
    return source.open();
  }
}
}  // namespace detail

}  // namespace keras::data
