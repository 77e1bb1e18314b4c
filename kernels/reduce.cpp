#include <keras/core/errors.h>
#include <keras/kernels/reduce.h>

namespace keras::kernels {

ArgReduceDims arg_reduce_dims(const Shape& src, int64_t axis, bool keepdims) {
  const auto& sd = src.dims();
  ArgReduceDims d;
  d.r = sd[static_cast<size_t>(axis)];
  if (d.r == 0) throw ValueError("argmax/argmin: attempt to get the index of an empty axis of shape " + src.str());
  std::vector<int64_t> out_dims;
  for (size_t i = 0; i < sd.size(); ++i) {
    if (static_cast<int64_t>(i) == axis) {
      if (keepdims) out_dims.push_back(1);
      continue;
    }
    out_dims.push_back(sd[i]);
    (static_cast<int64_t>(i) < axis ? d.outer : d.inner) *= sd[i];
  }
  d.out = Shape(out_dims);
  return d;
}

}  // namespace keras::kernels
