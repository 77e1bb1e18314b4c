// libFuzzer target: models::model_from_json on arbitrary text. Any outcome but a model or one of
// keras-cpp's documented exceptions (ValueError, RuntimeError, NotImplementedError) is a bug: a
// crash, a hang, a leak, an unbounded allocation or another exception type escaping. Weights are
// capped at 64 MiB (WeightBudget), as loaders cap them at the size of the file's weight data.
#include <keras/core/errors.h>
#include <keras/layers/weight_budget.h>
#include <keras/models/saving.h>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // A config alone may legitimately describe any size of model; the budget is the caller's choice.
    const keras::WeightBudget budget(uint64_t{64} << 20, "fuzz input");
    const std::shared_ptr<keras::Model> model = keras::models::model_from_json(text);
    (void)model->to_json();
  } catch (const keras::Error&) {
  }
  return 0;
}
