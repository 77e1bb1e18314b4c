#include <keras/layers/merging/merge.h>

#include <keras/core/ops.h>

#include <algorithm>
#include <set>

namespace keras::layers {

namespace {

Shape without_batch(const Shape& s) {
  if (s.rank() == 0) return s;
  return Shape(std::vector<int64_t>(s.dims().begin() + 1, s.dims().end()));
}

// Keras's Merge._compute_elemwise_op_output_shape: trailing axes aligned, 1 broadcasts, None stays None.
Shape elementwise_shape(const Shape& a, const Shape& b) {
  if (a.rank() < b.rank()) return elementwise_shape(b, a);
  if (b.rank() == 0) return a;
  std::vector<int64_t> out(a.dims().begin(), a.dims().end() - b.rank());
  const int64_t lead = a.rank() - b.rank();
  for (int64_t k = 0; k < b.rank(); ++k) {
    const int64_t i = a.dims()[static_cast<size_t>(lead + k)];
    const int64_t j = b.dims()[static_cast<size_t>(k)];
    if (i == None || j == None) {
      out.push_back(None);
    } else if (i == 1) {
      out.push_back(j);
    } else if (j == 1 || i == j) {
      out.push_back(i);
    } else {
      throw ValueError("Inputs have incompatible shapes. Received shapes " + a.str() + " and " + b.str());
    }
  }
  return Shape(out);
}

}  // namespace

std::string shapes_str(const std::vector<Shape>& shapes) {
  std::string s = "[";
  for (size_t i = 0; i < shapes.size(); ++i) s += (i ? ", " : "") + shapes[i].str();
  return s + "]";
}

Merge::Merge(std::string class_name, const LayerOptions& options) : Layer(std::move(class_name), options) {}

void Merge::check_input_count(const std::vector<Shape>& input_shapes) {
  // Keras 3 accepts a list of one; here a single tensor and a list of one are the same call, and
  // merging one tensor is always a mistake, so at least 2 are required (as Keras 2 did).
  if (input_shapes.size() < 2) {
    throw ValueError("A merge layer should be called on a list of at least 2 inputs. Received " +
                     std::to_string(input_shapes.size()) + " inputs. Full input_shape received: " +
                     shapes_str(input_shapes));
  }
}

Shape Merge::elementwise_output_shape(const std::vector<Shape>& input_shapes) {
  check_input_count(input_shapes);
  std::set<int64_t> batch_sizes;
  for (const Shape& s : input_shapes) {
    if (s.rank() > 0 && s[0] != None) batch_sizes.insert(s[0]);
  }
  if (batch_sizes.size() > 1) {
    throw ValueError("Cannot merge tensors with different batch sizes. Received tensors with shapes " +
                     shapes_str(input_shapes));
  }
  Shape out = without_batch(input_shapes[0]);
  for (size_t i = 1; i < input_shapes.size(); ++i) out = elementwise_shape(out, without_batch(input_shapes[i]));
  std::vector<int64_t> dims{batch_sizes.empty() ? None : *batch_sizes.begin()};
  dims.insert(dims.end(), out.dims().begin(), out.dims().end());
  return Shape(dims);
}

std::vector<Shape> Merge::shapes_of(const Tensors& inputs) {
  std::vector<Shape> shapes;
  for (const Tensor& x : inputs) shapes.push_back(x.shape());
  return shapes;
}

void Merge::build(const std::vector<Shape>& input_shapes) { compute_output_shape(input_shapes); }

std::vector<Shape> Merge::compute_output_shape(const std::vector<Shape>& input_shapes) {
  return {elementwise_output_shape(input_shapes)};
}

Tensors Merge::call(const Tensors& inputs, bool /*training*/) {
  // Shapes are checked on every call, not only at build, so a later call with other shapes gets
  // the same messages rather than an op's.
  compute_output_shape(shapes_of(inputs));
  int64_t max_rank = 0;
  for (const Tensor& x : inputs) max_rank = std::max(max_rank, x.rank());
  Tensors aligned;
  for (Tensor x : inputs) {
    while (x.rank() < max_rank) x = ops::expand_dims(x, 1);
    aligned.push_back(x);
  }
  return {merge_function(aligned)};
}

}  // namespace keras::layers
