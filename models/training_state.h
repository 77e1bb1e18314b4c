#pragma once
// What compile() sets up and fit()/evaluate() use; shared by every copy of a Model.
#include <keras/core/function.h>
#include <keras/models/model.h>

namespace keras {

struct Model::Training {
  bool compiled = false;
  CompileOptions options;
  std::shared_ptr<optimizers::Optimizer> optimizer;
  std::vector<LossArg> losses;  // one per output (empty entries: that output has no loss)
  std::vector<double> loss_weights;
  // Compiled metrics per output, resolved from the shapes of the first batch.
  std::vector<std::vector<std::shared_ptr<metrics::Metric>>> metrics;
  std::vector<std::vector<std::shared_ptr<metrics::Metric>>> weighted_metrics;
  std::vector<std::shared_ptr<metrics::Metric>> output_loss_trackers;  // "<output>_loss" when several outputs
  bool metrics_resolved = false;
  std::shared_ptr<metrics::Metric> loss_tracker;
  bool stop_training = false;
  std::optional<int> initial_epoch;  // set_initial_epoch's value, consumed by the next fit
  // The steps as keras::functions (made on first use unless run_eagerly), and what their bodies see.
  std::shared_ptr<Function> train_function, test_function, predict_function;
  std::shared_ptr<std::pair<size_t, size_t>> batch_layout = std::make_shared<std::pair<size_t, size_t>>();
  std::shared_ptr<Logs> step_logs = std::make_shared<Logs>();
};

}  // namespace keras
