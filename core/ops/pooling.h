#pragma once
#include <keras/core/tensor.h>

#include <string>
#include <vector>

/// keras.ops pooling.
namespace keras::ops {

/// max_pool's and average_pool's keyword arguments, as keras.ops.
struct PoolOptions {
  std::vector<int64_t> strides = {};  // one value or one per spatial axis; empty (None): pool_size
  std::string padding = "valid";      // "valid" or "same" (TensorFlow's: the odd cell goes after)
  std::string data_format = {};       // "channels_last"/"channels_first"; empty: keras::config::image_data_format()
};

/// keras.ops.max_pool: the largest value of each window over the 1-3 spatial axes of a rank-3 to
/// rank-5 floating tensor; "same" padding never wins the max. pool_size: one value or one per axis.
Tensor max_pool(const Tensor& inputs, const std::vector<int64_t>& pool_size, const PoolOptions& options = {});
/// keras.ops.average_pool: the mean of each window; with "same" padding the padded cells are left
/// out of the count, as TensorFlow.
Tensor average_pool(const Tensor& inputs, const std::vector<int64_t>& pool_size, const PoolOptions& options = {});

}  // namespace keras::ops
