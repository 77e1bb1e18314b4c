#include <keras/data/source.h>

#include <keras/core/ops.h>

#include <algorithm>
#include <set>

namespace keras::data {

namespace detail {

namespace {

// Rows `start`..`start + count` of a dense row-major tensor share its buffer: no copy.
Tensor row_view(const Tensor& t, int64_t start, std::optional<int64_t> count) {
  std::vector<int64_t> dims(t.shape().dims().begin() + 1, t.shape().dims().end());
  const Shape row_shape(dims);
  const size_t row_bytes = static_cast<size_t>(row_shape.size()) * dtype_size(t.dtype());
  if (count) dims.insert(dims.begin(), *count);
  return Tensor::view(t.storage(), t.offset() + static_cast<size_t>(start) * row_bytes, Shape(dims), t.dtype());
}

}  // namespace

Element Slices::at(int64_t i) const {
  Element element;
  element.reserve(tensors.size());
  for (const Tensor& t : tensors) element.push_back(row_view(t, i, std::nullopt));
  return element;
}

Element Slices::rows(const std::vector<int64_t>& indices) const {
  const auto count = static_cast<int64_t>(indices.size());
  bool consecutive = true;
  for (int64_t j = 1; j < count && consecutive; ++j) consecutive = indices[static_cast<size_t>(j)] == indices[0] + j;
  Element batch;
  batch.reserve(tensors.size());
  if (consecutive) {
    for (const Tensor& t : tensors) batch.push_back(row_view(t, count ? indices[0] : 0, count));
    return batch;
  }
  const Tensor index = Tensor::from_vector(indices);
  for (const Tensor& t : tensors) batch.push_back(ops::take(t, index, 0));
  return batch;
}

uint64_t mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t Rng::next() {
  state_ += 0x9E3779B97F4A7C15ull;
  return mix64(state_);
}

uint64_t Rng::below(uint64_t n) {
  // Values under 2^64 mod n would make the low residues more likely: draw again (rarely).
  const uint64_t threshold = (0 - n) % n;
  uint64_t r = next();
  while (r < threshold) r = next();
  return r % n;
}

}  // namespace detail

std::unique_ptr<detail::ElementStream> Dataset::Source::open() const {
  class Rows final : public detail::ElementStream {
   public:
    Rows(std::shared_ptr<const detail::Slices> slices, std::unique_ptr<detail::IndexStream> indices)
        : slices_(std::move(slices)), indices_(std::move(indices)) {}
    std::optional<Element> next() override {
      const auto i = indices_->next();
      if (!i) return std::nullopt;
      return slices_->at(*i);
    }

   private:
    std::shared_ptr<const detail::Slices> slices_;
    std::unique_ptr<detail::IndexStream> indices_;
  };
  return std::make_unique<Rows>(slices, open_indices());
}

std::unique_ptr<detail::IndexStream> Dataset::Source::open_indices() const {
  throw std::logic_error("Dataset: open_indices() on a stage without slices");
}

namespace {

class SliceSource final : public Dataset::Source {
 public:
  explicit SliceSource(Tensors tensors, std::vector<std::string> component_names) {
    auto s = std::make_shared<detail::Slices>();
    s->length = tensors[0].shape()[0];
    s->tensors = std::move(tensors);
    cardinality = s->length;
    slices = std::move(s);
    names = std::move(component_names);
  }
  std::unique_ptr<detail::IndexStream> open_indices() const override {
    class Counter final : public detail::IndexStream {
     public:
      explicit Counter(int64_t n) : n_(n) {}
      std::optional<int64_t> next() override {
        if (i_ >= n_) return std::nullopt;
        return i_++;
      }

     private:
      int64_t n_, i_ = 0;
    };
    return std::make_unique<Counter>(slices->length);
  }
};

std::string component_name(const std::vector<std::string>& names, size_t i) {
  return names.empty() ? "component " + std::to_string(i) : "component '" + names[i] + "'";
}

Dataset make_slices(const Tensors& tensors, std::vector<std::string> names) {
  if (tensors.empty()) throw ValueError("Dataset.from_tensor_slices: expected at least one tensor, but received none");
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].defined()) throw ValueError("Dataset.from_tensor_slices: " + component_name(names, i) + " is None");
    if (tensors[i].rank() == 0) {
      throw ValueError("Dataset.from_tensor_slices: " + component_name(names, i) +
                       " is a scalar, but slicing needs at least one axis");
    }
  }
  for (size_t i = 1; i < tensors.size(); ++i) {
    if (tensors[i].shape()[0] != tensors[0].shape()[0]) {
      throw ValueError("Dataset.from_tensor_slices: all tensors must have the same size along axis 0, but " +
                       component_name(names, 0) + " has shape " + tensors[0].shape().str() + " and " +
                       component_name(names, i) + " has shape " + tensors[i].shape().str());
    }
  }
  return Dataset(std::make_shared<SliceSource>(tensors, std::move(names)));
}

}  // namespace

Dataset Dataset::from_tensor_slices(const Tensors& tensors) { return make_slices(tensors, {}); }

Dataset Dataset::from_tensor_slices(const Tensor& tensor) { return make_slices({tensor}, {}); }

Dataset Dataset::from_tensor_slices(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::pair<std::string, Tensor>> sorted = named;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  Tensors tensors;
  for (const auto& [name, tensor] : sorted) {
    if (!names.empty() && names.back() == name) {
      throw ValueError("Dataset.from_tensor_slices: the component name '" + name + "' appears twice");
    }
    names.push_back(name);
    tensors.push_back(tensor);
  }
  return make_slices(tensors, std::move(names));
}

}  // namespace keras::data
