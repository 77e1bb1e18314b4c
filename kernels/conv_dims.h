#pragma once
// A convolution's sizes as every backend reads them from its operands, with one set of checks.
#include <keras/core/shape.h>
#include <keras/kernels/conv.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace keras::kernels {

/// Batch, channels, groups and the spatial extents of src, dst and kernel.
struct ConvDims {
  size_t nsp = 0;  // spatial rank
  int64_t n = 0, c = 0, o = 0, groups = 1;
  std::vector<int64_t> in = {}, out = {}, k = {};
};

/// Reads and checks the sizes from src's and the weights' shapes (Keras layout (*k, C / groups, O)):
/// ValueError naming `kernel`, both shapes and the geometry when they do not fit together.
ConvDims read_conv_dims(const Shape& src, const Shape& weights, const ConvGeometry& g, const char* kernel);

/// "strides=(1, 1), dilation=(1, 1), padding_l=(0, 0), padding_r=(0, 0), groups=1", for messages.
std::string geometry_str(const ConvGeometry& g);

}  // namespace keras::kernels
