#include <keras/layers/keras_tensor.h>

#include <keras/core/errors.h>

namespace keras {

KerasTensor::KerasTensor(Shape shape, DType dtype, std::shared_ptr<Node> producer, size_t index, std::string name)
    : impl_(std::make_shared<const Impl>(Impl{std::move(shape), dtype, std::move(producer), index, std::move(name)})) {}

namespace {
[[noreturn]] void undefined() { throw ValueError("KerasTensor is undefined"); }
}  // namespace

const Shape& KerasTensor::shape() const {
  if (!impl_) undefined();
  return impl_->shape;
}
DType KerasTensor::dtype() const {
  if (!impl_) undefined();
  return impl_->dtype;
}
const std::string& KerasTensor::name() const {
  if (!impl_) undefined();
  return impl_->name;
}
const std::shared_ptr<Node>& KerasTensor::producer() const {
  if (!impl_) undefined();
  return impl_->producer;
}
size_t KerasTensor::index() const {
  if (!impl_) undefined();
  return impl_->index;
}

std::string KerasTensor::str() const {
  if (!impl_) return "<KerasTensor undefined>";
  return "<KerasTensor shape=" + shape().str() + ", dtype=" + std::string(dtype_name(dtype())) + ", name=" + name() + ">";
}

}  // namespace keras
