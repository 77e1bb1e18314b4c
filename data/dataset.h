#pragma once
#include <keras/core/tensor.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keras::data {

/// One element of a Dataset: a tuple of tensors, as tf.data's (x, y) or (x, y, sample_weight).
using Element = Tensors;

/// tf.data.AUTOTUNE: prefetch(AUTOTUNE) picks the buffer size.
inline constexpr int64_t AUTOTUNE = -1;

/// A tf.data-style input pipeline: immutable; each transformation returns a new Dataset.
/// Iterate with range-for (each pass is one epoch):  for (const Element& e : dataset) { ... }
class Dataset {
 public:
  /// Slices each tensor along axis 0 (all must have the same length): element i = (t0[i], t1[i], ...).
  static Dataset from_tensor_slices(const Tensors& tensors);
  static Dataset from_tensor_slices(const Tensor& tensor);
  /// Named components, kept in sorted name order; names() reports them.
  static Dataset from_tensor_slices(const std::vector<std::pair<std::string, Tensor>>& named);

  /// Stacks consecutive elements into batches of batch_size (the last one smaller unless dropped).
  Dataset batch(int64_t batch_size, bool drop_remainder = false) const;
  /// Shuffles with a buffer of buffer_size elements (buffer >= size gives a uniform shuffle);
  /// seeded runs repeat; reshuffle_each_iteration gives each pass a new order.
  Dataset shuffle(int64_t buffer_size, std::optional<uint64_t> seed = std::nullopt,
                  bool reshuffle_each_iteration = true) const;
  /// Applies fn to each element (on the prefetch thread when a prefetch follows); with named
  /// components fn must return one tensor per name, in names() order.
  Dataset map(std::function<Element(const Element&)> fn) const;
  /// Repeats `count` times; nullopt repeats forever.
  Dataset repeat(std::optional<int64_t> count = std::nullopt) const;
  /// The first `count` elements (-1: all).
  Dataset take(int64_t count) const;
  /// All but the first `count` elements (-1 skips them all).
  Dataset skip(int64_t count) const;
  /// Prepares up to buffer_size elements ahead on a background thread (0: none; AUTOTUNE: a small default).
  Dataset prefetch(int64_t buffer_size) const;

  /// Number of elements per pass; nullopt when infinite or unknown (after map it is kept).
  std::optional<int64_t> cardinality() const;
  /// Component names when built from named tensors; empty otherwise.
  const std::vector<std::string>& names() const;

  /// One pass over the dataset.
  class Iterator {
   public:
    /// The next element, or nullopt at the end of the pass.
    std::optional<Element> next();
    struct Impl;
    explicit Iterator(std::shared_ptr<Impl> impl);
    ~Iterator();
    Iterator(Iterator&&) noexcept;
    Iterator& operator=(Iterator&&) noexcept;

   private:
    std::shared_ptr<Impl> impl_;
  };
  Iterator iterate() const;

  /// Range-for support.
  class RangeIterator {
   public:
    explicit RangeIterator(std::optional<Iterator> it);
    const Element& operator*() const { return *current_; }
    RangeIterator& operator++();
    bool operator!=(const RangeIterator& other) const { return current_.has_value() != other.current_.has_value(); }

   private:
    std::optional<Iterator> it_;
    std::optional<Element> current_;
  };
  RangeIterator begin() const { return RangeIterator(iterate()); }
  RangeIterator end() const { return RangeIterator(std::nullopt); }

  struct Source;  // one stage of the pipeline (implementation detail)
  explicit Dataset(std::shared_ptr<const Source> source);

 private:
  std::shared_ptr<const Source> source_;
};

}  // namespace keras::data

namespace keras::datasets::fashion_mnist {

/// The four arrays of keras.datasets.fashion_mnist.load_data(), as Keras gives them:
/// x uint8 (N, 28, 28), y uint8 (N,): 60000 training and 10000 test images.
struct Data {
  Tensor x_train, y_train, x_test, y_test;
};
/// Reads Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, or $KERAS_FASHION_MNIST_DIR);
/// a RuntimeError names the package when the files are absent.
Data load_data();

}  // namespace keras::datasets::fashion_mnist
