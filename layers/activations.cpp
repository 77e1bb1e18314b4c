#include <keras/layers/activations.h>

#include <keras/core/ops.h>

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <mutex>

namespace keras {

namespace {

using Fn = std::function<Tensor(const Tensor&)>;

std::mutex table_mutex;
std::set<std::string> registered;  // names given by register_activation, built-in ones included
std::map<std::string, Fn>& table() {
  static std::map<std::string, Fn> t = {
      {"linear", [](const Tensor& x) { return x; }},
      {"relu", [](const Tensor& x) { return ops::relu(x); }},
      {"relu6", [](const Tensor& x) { return ops::relu6(x); }},
      {"leaky_relu", [](const Tensor& x) { return ops::leaky_relu(x); }},
      {"elu", [](const Tensor& x) { return ops::elu(x); }},
      {"selu", [](const Tensor& x) { return ops::selu(x); }},
      {"gelu", [](const Tensor& x) { return ops::gelu(x, false); }},  // keras.activations.gelu: approximate=False
      {"softmax", [](const Tensor& x) { return ops::softmax(x, -1); }},
      {"log_softmax", [](const Tensor& x) { return ops::log_softmax(x, -1); }},
      {"softplus", [](const Tensor& x) { return ops::softplus(x); }},
      {"softsign", [](const Tensor& x) { return ops::softsign(x); }},
      {"silu", [](const Tensor& x) { return ops::silu(x); }},
      {"swish", [](const Tensor& x) { return ops::silu(x); }},
      {"hard_sigmoid", [](const Tensor& x) { return ops::hard_sigmoid(x); }},
      {"hard_silu", [](const Tensor& x) { return x * ops::hard_sigmoid(x); }},
      {"hard_swish", [](const Tensor& x) { return x * ops::hard_sigmoid(x); }},
      {"sigmoid", [](const Tensor& x) { return ops::sigmoid(x); }},
      {"tanh", [](const Tensor& x) { return ops::tanh(x); }},
      {"exponential", [](const Tensor& x) { return ops::exp(x); }},
      {"mish", [](const Tensor& x) { return x * ops::tanh(ops::softplus(x)); }},
  };
  return t;
}

// Keras serialises aliases under one name.
std::string canonical(const std::string& name) {
  if (name == "swish") return "silu";
  if (name == "hard_swish") return "hard_silu";
  return name;
}

}  // namespace

Activation::Activation(const char* name) : Activation(std::string(name)) {}

Activation::Activation(const std::string& name) {
  const std::string key = name.empty() || name == "None" ? "linear" : name;
  std::lock_guard<std::mutex> lock(table_mutex);
  auto it = table().find(key);
  if (it == table().end()) {
    std::string known;
    for (const auto& [n, f] : table()) known += (known.empty() ? "" : ", ") + n;
    throw ValueError("Unknown activation function: '" + name + "'. Known: " + known +
                     ". Register custom ones with keras::activations::register_activation");
  }
  name_ = canonical(key);
  fn_ = it->second;
  builtin_ = !registered.contains(key);
}

Activation::Activation(std::function<Tensor(const Tensor&)> fn, std::string name)
    : name_(std::move(name)), fn_(std::move(fn)) {
  if (!fn_) throw ValueError("Activation: empty callable");
}

Config Activation::to_config() const {
  if (name_.empty()) {
    throw ValueError("Cannot serialise an activation given as an unnamed C++ callable; register it with "
                     "keras::activations::register_activation(name, fn) and pass the name");
  }
  return name_;
}

Activation Activation::from_config(const Config& config) {
  if (config.is_null()) return Activation("linear");
  if (config.is_string()) return Activation(config.get<std::string>());
  // Keras 3 may write {"module": "keras.activations", "class_name": "function", "config": "relu", ...}
  if (config.is_object() && config.contains("config") && config["config"].is_string()) {
    return Activation(config["config"].get<std::string>());
  }
  throw ValueError("Cannot read an activation from " + config.dump().substr(0, 200) + ": expected a name");
}

namespace activations {

std::vector<std::string> names() {
  std::lock_guard<std::mutex> lock(table_mutex);
  std::vector<std::string> out;
  for (const auto& [n, f] : table()) out.push_back(n);
  return out;
}

void register_activation(const std::string& name, std::function<Tensor(const Tensor&)> fn) {
  if (name.empty() || !fn) throw ValueError("register_activation: needs a name and a callable");
  std::lock_guard<std::mutex> lock(table_mutex);
  table()[name] = std::move(fn);
  registered.insert(name);
}

}  // namespace activations
}  // namespace keras
