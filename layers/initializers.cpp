#include <keras/layers/initializers.h>

#include <keras/core/ops.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <functional>
#include <map>

namespace keras {

namespace initializers {

Config InitializerBase::get_config() const { return Config::object(); }

namespace {
Config seed_config(const std::optional<uint64_t>& seed) { return seed ? Config(*seed) : Config(nullptr); }
random::Seed seed_of(const std::optional<uint64_t>& seed) { return seed ? random::Seed(*seed) : random::Seed(); }
// input_axes/output_axes (Keras 3.16's VarianceScaling family): only null, the default, is supported.
void check_default_axes(const Config& c, const char* who) {
  for (const char* key : {"input_axes", "output_axes"}) {
    if (c.contains(key) && !c[key].is_null()) {
      throw NotImplementedError(std::string(who) + ": " + key + "=" + c[key].dump() +
                                " is not supported; fans are computed from the shape (input_axes=null)");
    }
  }
}
std::optional<uint64_t> seed_from(const Config& c) {
  if (!c.contains("seed") || c["seed"].is_null()) return std::nullopt;
  if (!c["seed"].is_number_integer()) throw ValueError("initializer seed must be an integer or null, got " + c["seed"].dump());
  return c["seed"].get<uint64_t>();
}
}  // namespace

Tensor Zeros::operator()(const Shape& shape, DType dtype) const { return ops::zeros(shape, dtype); }
Tensor Ones::operator()(const Shape& shape, DType dtype) const { return ops::ones(shape, dtype); }

Tensor Constant::operator()(const Shape& shape, DType dtype) const { return ops::full(shape, options_.value, dtype); }
Config Constant::get_config() const { return Config{{"value", options_.value}}; }

Tensor RandomNormal::operator()(const Shape& shape, DType dtype) const {
  return random::normal(shape, {.mean = options_.mean, .stddev = options_.stddev, .dtype = dtype, .seed = seed_of(options_.seed)});
}
Config RandomNormal::get_config() const {
  return Config{{"seed", seed_config(options_.seed)}, {"mean", options_.mean}, {"stddev", options_.stddev}};
}

Tensor TruncatedNormal::operator()(const Shape& shape, DType dtype) const {
  return random::truncated_normal(shape, {.mean = options_.mean, .stddev = options_.stddev, .dtype = dtype,
                                          .seed = seed_of(options_.seed)});
}
Config TruncatedNormal::get_config() const {
  return Config{{"seed", seed_config(options_.seed)}, {"mean", options_.mean}, {"stddev", options_.stddev}};
}

Tensor RandomUniform::operator()(const Shape& shape, DType dtype) const {
  return random::uniform(shape, {.minval = options_.minval, .maxval = options_.maxval, .dtype = dtype,
                                 .seed = seed_of(options_.seed)});
}
Config RandomUniform::get_config() const {
  return Config{{"seed", seed_config(options_.seed)}, {"minval", options_.minval}, {"maxval", options_.maxval}};
}

std::pair<double, double> compute_fans(const Shape& shape) {
  const auto& d = shape.dims();
  if (d.empty()) return {1.0, 1.0};
  if (d.size() == 1) return {static_cast<double>(d[0]), static_cast<double>(d[0])};
  if (d.size() == 2) return {static_cast<double>(d[0]), static_cast<double>(d[1])};
  double receptive = 1.0;
  for (size_t i = 0; i + 2 < d.size(); ++i) receptive *= static_cast<double>(d[i]);
  return {static_cast<double>(d[d.size() - 2]) * receptive, static_cast<double>(d.back()) * receptive};
}

VarianceScaling::VarianceScaling(VarianceScalingOptions options) : options_(std::move(options)) {
  // Keras lower-cases the distribution and reads "normal" as "truncated_normal".
  for (char& c : options_.distribution) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (options_.distribution == "normal") options_.distribution = "truncated_normal";
  if (options_.scale <= 0) throw ValueError("VarianceScaling: scale must be positive, got " + std::to_string(options_.scale));
  if (options_.mode != "fan_in" && options_.mode != "fan_out" && options_.mode != "fan_avg") {
    throw ValueError("VarianceScaling: invalid mode '" + options_.mode + "'; expected fan_in, fan_out or fan_avg");
  }
  if (options_.distribution != "truncated_normal" && options_.distribution != "untruncated_normal" &&
      options_.distribution != "uniform") {
    throw ValueError("VarianceScaling: invalid distribution '" + options_.distribution +
                     "'; expected truncated_normal, untruncated_normal or uniform");
  }
}

Tensor VarianceScaling::operator()(const Shape& shape, DType dtype) const {
  const auto [fan_in, fan_out] = compute_fans(shape);
  const double n = options_.mode == "fan_in" ? fan_in : options_.mode == "fan_out" ? fan_out : (fan_in + fan_out) / 2.0;
  const double scale = options_.scale / std::max(1.0, n);
  const random::Seed seed = seed_of(options_.seed);
  if (options_.distribution == "truncated_normal") {
    // 0.879...: the stddev of a unit normal truncated to [-2, 2], so the result has variance `scale`.
    return random::truncated_normal(shape, {.stddev = std::sqrt(scale) / 0.87962566103423978, .dtype = dtype, .seed = seed});
  }
  if (options_.distribution == "untruncated_normal") {
    return random::normal(shape, {.stddev = std::sqrt(scale), .dtype = dtype, .seed = seed});
  }
  const double limit = std::sqrt(3.0 * scale);
  return random::uniform(shape, {.minval = -limit, .maxval = limit, .dtype = dtype, .seed = seed});
}

Config VarianceScaling::get_config() const {
  // Keras 3.16 keeps input_axes/output_axes (fans of einsum kernels); only their default, null, is supported.
  return Config{{"seed", seed_config(options_.seed)}, {"scale", options_.scale}, {"mode", options_.mode},
                {"distribution", options_.distribution}, {"input_axes", nullptr}, {"output_axes", nullptr}};
}

#define KERAS_DEFINE_VS(Name, scale, mode, distribution)                                                \
  Name::Name(SeedOptions options) : VarianceScaling({scale, mode, distribution, options.seed}) {}      \
  Config Name::get_config() const {                                                                     \
    return Config{{"seed", seed_config(options_.seed)}, {"input_axes", nullptr}, {"output_axes", nullptr}}; \
  }
KERAS_DEFINE_VS(GlorotUniform, 1.0, "fan_avg", "uniform")
KERAS_DEFINE_VS(GlorotNormal, 1.0, "fan_avg", "truncated_normal")
KERAS_DEFINE_VS(HeNormal, 2.0, "fan_in", "truncated_normal")
KERAS_DEFINE_VS(HeUniform, 2.0, "fan_in", "uniform")
KERAS_DEFINE_VS(LecunNormal, 1.0, "fan_in", "truncated_normal")
KERAS_DEFINE_VS(LecunUniform, 1.0, "fan_in", "uniform")
#undef KERAS_DEFINE_VS

Tensor Orthogonal::operator()(const Shape& shape, DType dtype) const {
  if (shape.rank() < 2) {
    throw ValueError("Orthogonal initializer needs a shape of rank >= 2, got " + shape.str());
  }
  const int64_t cols = shape[-1];
  const int64_t rows = shape.size() / std::max<int64_t>(cols, 1);
  // QR of a normal (max, min) matrix by modified Gram-Schmidt in float64; sign-fixed by diag(R).
  const int64_t m = std::max(rows, cols), n = std::min(rows, cols);
  std::vector<double> a = random::normal({m, n}, {.dtype = DType::float64, .seed = seed_of(options_.seed)}).to_vector<double>();
  std::vector<double> q(static_cast<size_t>(m * n));
  for (int64_t j = 0; j < n; ++j) {
    std::vector<double> v(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) v[static_cast<size_t>(i)] = a[static_cast<size_t>(i * n + j)];
    for (int64_t k = 0; k < j; ++k) {
      double dot = 0;
      for (int64_t i = 0; i < m; ++i) dot += q[static_cast<size_t>(i * n + k)] * v[static_cast<size_t>(i)];
      for (int64_t i = 0; i < m; ++i) v[static_cast<size_t>(i)] -= dot * q[static_cast<size_t>(i * n + k)];
    }
    double norm = 0;
    for (double x : v) norm += x * x;
    norm = std::sqrt(norm);
    if (norm == 0) norm = 1;
    // diag(R) = the norms, positive by construction: Keras's q *= sign(diag(R)) changes nothing.
    for (int64_t i = 0; i < m; ++i) q[static_cast<size_t>(i * n + j)] = v[static_cast<size_t>(i)] / norm;
  }
  std::vector<double> out(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      // Keras transposes when rows < cols, so the result has orthonormal rows then.
      const double v = rows < cols ? q[static_cast<size_t>(j * n + i)] : q[static_cast<size_t>(i * n + j)];
      out[static_cast<size_t>(i * cols + j)] = options_.gain * v;
    }
  }
  return Tensor::from_vector(out, shape).astype(dtype);
}
Config Orthogonal::get_config() const { return Config{{"seed", seed_config(options_.seed)}, {"gain", options_.gain}}; }

Tensor Identity::operator()(const Shape& shape, DType dtype) const {
  if (shape.rank() != 2) throw ValueError("Identity initializer needs a 2-D shape, got " + shape.str());
  return ops::eye(shape[0], shape[1], 0, dtype) * options_.gain;
}
Config Identity::get_config() const { return Config{{"gain", options_.gain}}; }

namespace {

using Factory = std::function<Initializer(const Config&)>;

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> f = {
      {"Zeros", [](const Config&) { return Initializer(Zeros()); }},
      {"Ones", [](const Config&) { return Initializer(Ones()); }},
      {"Constant", [](const Config& c) { return Initializer(Constant({c.value("value", 0.0)})); }},
      {"RandomNormal", [](const Config& c) {
         return Initializer(RandomNormal({c.value("mean", 0.0), c.value("stddev", 0.05), seed_from(c)}));
       }},
      {"TruncatedNormal", [](const Config& c) {
         return Initializer(TruncatedNormal({c.value("mean", 0.0), c.value("stddev", 0.05), seed_from(c)}));
       }},
      {"RandomUniform", [](const Config& c) {
         return Initializer(RandomUniform({c.value("minval", -0.05), c.value("maxval", 0.05), seed_from(c)}));
       }},
      {"VarianceScaling", [](const Config& c) {
         check_default_axes(c, "VarianceScaling");
         return Initializer(VarianceScaling({c.value("scale", 1.0), c.value("mode", std::string("fan_in")),
                                             c.value("distribution", std::string("truncated_normal")), seed_from(c)}));
       }},
      {"GlorotUniform", [](const Config& c) { check_default_axes(c, "GlorotUniform"); return Initializer(GlorotUniform({seed_from(c)})); }},
      {"GlorotNormal", [](const Config& c) { check_default_axes(c, "GlorotNormal"); return Initializer(GlorotNormal({seed_from(c)})); }},
      {"HeNormal", [](const Config& c) { check_default_axes(c, "HeNormal"); return Initializer(HeNormal({seed_from(c)})); }},
      {"HeUniform", [](const Config& c) { check_default_axes(c, "HeUniform"); return Initializer(HeUniform({seed_from(c)})); }},
      {"LecunNormal", [](const Config& c) { check_default_axes(c, "LecunNormal"); return Initializer(LecunNormal({seed_from(c)})); }},
      {"LecunUniform", [](const Config& c) { check_default_axes(c, "LecunUniform"); return Initializer(LecunUniform({seed_from(c)})); }},
      {"Orthogonal", [](const Config& c) { return Initializer(Orthogonal({c.value("gain", 1.0), seed_from(c)})); }},
      {"Identity", [](const Config& c) { return Initializer(Identity({c.value("gain", 1.0)})); }},
      // Keras 3.0-3.6 wrote the class as OrthogonalInitializer; both names load.
      {"OrthogonalInitializer", [](const Config& c) { return Initializer(Orthogonal({c.value("gain", 1.0), seed_from(c)})); }},
      {"IdentityInitializer", [](const Config& c) { return Initializer(Identity({c.value("gain", 1.0)})); }},
  };
  return f;
}

// Keras's string aliases (keras.initializers.get): snake_case names of the classes.
const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> a = {
      {"zeros", "Zeros"}, {"ones", "Ones"}, {"constant", "Constant"}, {"random_normal", "RandomNormal"},
      {"truncated_normal", "TruncatedNormal"}, {"random_uniform", "RandomUniform"},
      {"variance_scaling", "VarianceScaling"}, {"glorot_uniform", "GlorotUniform"}, {"glorot_normal", "GlorotNormal"},
      {"he_normal", "HeNormal"}, {"he_uniform", "HeUniform"}, {"lecun_normal", "LecunNormal"},
      {"lecun_uniform", "LecunUniform"}, {"orthogonal", "Orthogonal"}, {"identity", "Identity"},
      // Keras's extra aliases.
      {"uniform", "RandomUniform"}, {"normal", "RandomNormal"}, {"one", "Ones"}, {"zero", "Zeros"},
  };
  return a;
}

Initializer make(const std::string& class_name, const Config& config) {
  auto it = factories().find(class_name);
  if (it == factories().end()) {
    std::string known;
    for (const auto& [n, f] : aliases()) known += (known.empty() ? "" : ", ") + n;
    throw ValueError("Unknown initializer: '" + class_name + "'. Known: " + known);
  }
  try {
    return it->second(config);
  } catch (const nlohmann::json::exception& e) {
    throw ValueError("Initializer '" + class_name + "': malformed config (" + e.what() + "): " + config.dump());
  }
}

}  // namespace
}  // namespace initializers

Initializer::Initializer(const char* name) : Initializer(std::string(name)) {}

Initializer::Initializer(const std::string& name) {
  const auto& aliases = initializers::aliases();
  auto it = aliases.find(name);
  *this = initializers::make(it != aliases.end() ? it->second : name, Config::object());
}

Config Initializer::to_config() const {
  return Config{{"module", "keras.initializers"}, {"class_name", impl_->class_name()}, {"config", impl_->get_config()},
                {"registered_name", nullptr}};
}

Initializer Initializer::from_config(const Config& config) {
  if (config.is_string()) return Initializer(config.get<std::string>());
  if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string()) {
    throw ValueError("Cannot read an initializer from " + config.dump().substr(0, 200) +
                     ": expected a name or {\"class_name\": ..., \"config\": {...}}");
  }
  const Config args = config.contains("config") && config["config"].is_object() ? config["config"] : Config::object();
  return initializers::make(config["class_name"].get<std::string>(), args);
}

}  // namespace keras
