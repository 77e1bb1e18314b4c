#pragma once
#include <keras/core/dtype.h>
#include <keras/layers/config.h>

#include <string>

namespace keras {

/// keras.DTypePolicy: the dtype a layer computes in and the dtype of its variables.
/// "float32", "float64", ... use one dtype; "mixed_float16" / "mixed_bfloat16" compute in the
/// half type with float32 variables.
class DTypePolicy {
 public:
  DTypePolicy() : DTypePolicy("float32") {}
  explicit DTypePolicy(const std::string& name);
  const std::string& name() const { return name_; }
  DType compute_dtype() const { return compute_; }
  DType variable_dtype() const { return variable_; }
  /// {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}
  Config to_config() const;
  /// Accepts the Keras 3 dict or a plain name (Keras 2).
  static DTypePolicy from_config(const Config& config);

 private:
  std::string name_;
  DType compute_;
  DType variable_;
};

}  // namespace keras

namespace keras::config {

/// keras.config.set_dtype_policy: the policy of layers created afterwards without a dtype
/// ("float32", "mixed_bfloat16", "mixed_float16", ...). Process-wide, as in Keras.
void set_dtype_policy(const DTypePolicy& policy);
void set_dtype_policy(const std::string& policy);
/// keras.config.dtype_policy: the global policy (float32 unless set).
DTypePolicy dtype_policy();

}  // namespace keras::config
