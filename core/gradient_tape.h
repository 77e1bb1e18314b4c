#pragma once
#include <keras/core/tensor.h>
#include <keras/core/variable.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace keras {

struct GradientTapeOptions {
  bool persistent = false;               // allow several gradient() calls
  bool watch_accessed_variables = true;  // watch trainable Variables read while recording
};

/// What gradient() returns for a source the target does not depend on (tf.UnconnectedGradients).
enum class UnconnectedGradients : uint8_t { none, zero };

struct GradientOptions {
  Tensors output_gradients = {};  // seed for the target; default ones (i.e. the gradient of sum(target))
  UnconnectedGradients unconnected_gradients = UnconnectedGradients::none;
};

/// tf.GradientTape: records the ops run while it is alive and differentiates through them.
///
///   GradientTape tape;
///   Tensor loss = ops::mean(ops::square(ops::matmul(x, w) - y));
///   Tensors grads = tape.gradient(loss, {w});
///
/// Recording starts at construction and ends at destruction (or after the first gradient() of a
/// non-persistent tape). Trainable Variables are watched when read; other tensors need watch().
/// A source the target does not depend on gets an undefined Tensor (None), as TensorFlow does,
/// or zeros with {.unconnected_gradients = UnconnectedGradients::zero}. Backward rules are ops, so
/// an outer tape records an inner tape's gradient() and can differentiate it again.
class GradientTape {
 public:
  explicit GradientTape(GradientTapeOptions options = {});
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  void watch(const Tensor& tensor);
  void watch(const Variable& variable);
  void watch(const Tensors& tensors);

  Tensors gradient(const Tensor& target, const Tensors& sources, const GradientOptions& options = {});
  Tensors gradient(const Tensor& target, const std::vector<Variable>& sources,
                   const GradientOptions& options = {});
  Tensor gradient(const Tensor& target, const Tensor& source, const GradientOptions& options = {});
  Tensor gradient(const Tensor& target, const Variable& source, const GradientOptions& options = {});

  /// Variables this tape has watched, in the order first seen.
  std::vector<Variable> watched_variables() const;
  /// Forgets everything recorded so far (keeps recording).
  void reset();

  /// RAII pause of recording: `{ auto pause = tape.stop_recording(); ... }`.
  class StopRecording {
   public:
    explicit StopRecording(GradientTape& tape) : tape_(tape), was_(tape.recording_) { tape_.recording_ = false; }
    ~StopRecording() { tape_.recording_ = was_; }
    StopRecording(const StopRecording&) = delete;
    StopRecording& operator=(const StopRecording&) = delete;

   private:
    GradientTape& tape_;
    bool was_;
  };
  [[nodiscard]] StopRecording stop_recording() { return StopRecording(*this); }

 private:
  friend struct TapeAccess;
  struct Node;
  Tensors backpropagate(const Tensor& target, const Tensors& sources, const GradientOptions& options);

  std::vector<Node> nodes_;
  std::unordered_set<uint64_t> watched_;
  std::vector<Variable> variables_;
  std::unordered_map<const void*, size_t> variable_index_;
  GradientTapeOptions options_;
  bool recording_ = true;
  bool used_ = false;
};

namespace autograd {

/// Which inputs of a recorded op need a gradient; rules may skip the others (return an undefined Tensor).
using NeedsGrad = std::vector<bool>;
using BackwardFn = std::function<Tensors(const Tensors& output_grads, const NeedsGrad& needs)>;

/// True while any tape is alive and recording on this thread: the one check ops pay without a tape.
bool tape_active();

/// Records an op on every active tape that watches one of its inputs. `backward` receives one
/// gradient per output (zeros for outputs that got none) and returns one per input (undefined: none).
void record_op(const Tensors& outputs, const Tensors& inputs, BackwardFn backward);

template <class F>
BackwardFn make_backward(F&& backward) {
  if constexpr (std::is_invocable_v<F, const Tensors&, const NeedsGrad&>) {
    return std::forward<F>(backward);
  } else {
    return [fn = std::forward<F>(backward)](const Tensors& dy, const NeedsGrad&) { return fn(dy); };
  }
}

/// The form ops use; `backward` takes (const Tensors& dy) or (const Tensors& dy, const NeedsGrad& needs).
template <class F>
void record(const Tensor& output, std::initializer_list<Tensor> inputs, F&& backward) {
  if (!tape_active()) return;
  record_op(Tensors{output}, Tensors(inputs), make_backward(std::forward<F>(backward)));
}
template <class F>
void record(const Tensors& outputs, const Tensors& inputs, F&& backward) {
  if (!tape_active()) return;
  record_op(outputs, inputs, make_backward(std::forward<F>(backward)));
}

/// Called by Variable::value(): active tapes that watch accessed variables start watching it.
void variable_accessed(const Variable& variable, const Tensor& value);

}  // namespace autograd
}  // namespace keras
